//! The frame every HTML page shares: who is logged in, for which customer, the cart, the
//! support contact. Page templates extend `base.html`, which reads it.

use std::sync::Arc;

use crate::config::SupportConfig;

use super::assets::STYLE_URL;

/// The shared parts of a page.
pub struct Layout {
    /// The page title.
    pub title: String,
    /// Which main navigation entry is active.
    pub active: &'static str,
    /// The logged-in user, if any.
    pub user: Option<LayoutUser>,
    /// Lines in the cart.
    pub cart_count: usize,
    /// The session's CSRF token, for the logout form.
    pub csrf: String,
    /// Who to call.
    pub support: Arc<SupportConfig>,
}

/// The logged-in user as the header shows them.
pub struct LayoutUser {
    /// The user's name.
    pub name: String,
    /// The customer they buy for.
    pub customer_name: String,
    /// The customer's number.
    pub customer_id: String,
}

impl Layout {
    /// The stylesheet URL, versioned by content.
    pub fn style_url(&self) -> &str {
        STYLE_URL.as_str()
    }
}
