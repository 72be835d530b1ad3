//! PunchOut: buyers' procurement systems (SAP Ariba, Coupa, Jaggaer, SAP SRM) shop in the
//! storefront and send orders back. The organisations and their secrets are configured in the
//! users file ([`identity`]).

pub mod identity;
pub mod units;

pub use identity::{Credential, Identities, Identity, PUNCHOUT_LOGIN_PREFIX};
