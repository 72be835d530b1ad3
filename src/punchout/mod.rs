//! PunchOut: buyers' procurement systems (SAP Ariba, Coupa, Jaggaer, SAP SRM) shop in the
//! storefront and send orders back, without anything kept on the server. The organisations and
//! their secrets are configured in the users file ([`identity`]); a setup request is answered
//! with a sealed start link ([`start`]) any instance can open; the cart goes back through the
//! buyer's browser as a `PunchOutOrderMessage` ([`write`]) or as OCI `NEW_ITEM-…` fields to
//! the SAP system's `HOOK_URL` ([`oci`]); an `OrderRequest` becomes one ERP order ([`order`]).

pub mod cart;
pub mod identity;
pub mod oci;
pub mod order;
pub mod origin;
pub mod read;
pub mod start;
pub mod tree;
pub mod units;
pub mod write;

pub use identity::{Credential, Identities, Identity, PUNCHOUT_LOGIN_PREFIX};
pub use start::{CxmlReturn, OciReturn, PunchoutSession, ReturnTo, StartTicket};
