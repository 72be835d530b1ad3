//! The frame every HTML page shares: who is logged in, for which customer, the cart, the
//! support contact. Page templates extend `base.html`, which reads it.

use std::sync::Arc;

use crate::config::SupportConfig;

use super::AppState;
use super::assets::STYLE_URL;
use crate::resilience::health::ErpState;

/// How every page says that the ERP cannot be reached: one voice, whichever page says it.
pub const ERP_NOT_ANSWERING: &str = "Our order system is not answering right now";

/// What a buyer can still do while the ERP is not answering.
pub const STILL_WORKS: &str = "Your cart is kept and you can still change it, and orders you have already placed are safe in our order system. Pages you opened before show the last prices and stock we had, marked with their time.";

/// The banner text while the ERP is not answering normally: the same words as `/status`.
pub fn erp_notice(state: &AppState) -> Option<&'static str> {
    match state.health.state() {
        ErpState::Working => None,
        ErpState::Slow => Some(
            "Our order system is answering slowly right now. Pages may take several seconds; everything still works.",
        ),
        ErpState::PartlyFailing => Some(
            "Our order system is failing some requests right now. Some information may be from a few minutes ago, marked with its time.",
        ),
        ErpState::Unreachable => Some(
            "Our order system is not answering right now. Pages you opened before show the last information we had, with its time; your cart is kept. Orders cannot be placed until it is back.",
        ),
        ErpState::Recovering => Some(
            "Our order system is back after an interruption. Pages may be a little slower for a few minutes.",
        ),
    }
}

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
    /// Set while a service rep acts for a customer: shown as a banner on every page.
    pub acting_for: Option<String>,
    /// Whether the user is a service rep (the header then links to the desk).
    pub is_rep: bool,
    /// What the banner says about the ERP, when it is not answering normally.
    pub erp_notice: Option<&'static str>,
    /// While shopping from a procurement system: its name, and whether the cart may go back
    /// (not when it was opened to look at only).
    pub punchout: Option<(String, bool)>,
}

/// The logged-in user as the header shows them.
pub struct LayoutUser {
    /// The user's name.
    pub name: String,
    /// Whom they work for here: "for Northwind Traders (C-1000)" or "customer service".
    pub context: String,
    /// Whether the shop's navigation (catalog, orders, cart) applies: buyers, and reps while
    /// acting for a customer.
    pub shopping: bool,
}

impl Layout {
    /// The frame of a page nobody in particular is logged in to see (login, errors).
    pub fn anonymous(state: &AppState, title: impl Into<String>, csrf: String) -> Self {
        Self {
            title: title.into(),
            active: "",
            user: None,
            cart_count: 0,
            csrf,
            support: state.site.support.clone(),
            acting_for: None,
            is_rep: false,
            erp_notice: erp_notice(state),
            punchout: None,
        }
    }

    /// When answers on this page were served from before the ERP stopped answering, the time
    /// they were true ("14:02 UTC on 22 Nov").
    pub fn stale_since(&self) -> Option<String> {
        crate::cache::staleness::observed().map(|t| t.format("%H:%M UTC on %-d %b").to_string())
    }

    /// [`ERP_NOT_ANSWERING`], for templates.
    pub fn erp_not_answering(&self) -> &'static str {
        ERP_NOT_ANSWERING
    }

    /// [`STILL_WORKS`], for templates.
    pub fn still_works(&self) -> &'static str {
        STILL_WORKS
    }

    /// The stylesheet URL, versioned by content.
    pub fn style_url(&self) -> &str {
        STYLE_URL.as_str()
    }
}
