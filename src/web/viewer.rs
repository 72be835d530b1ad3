//! Who is looking at a page that no area's extractor built: error pages and `/status`. Their
//! header must be the one the buyer or rep sees everywhere else (cart, orders, log out), so
//! that an error never looks like being logged out. Read from the cookies alone, without asking
//! the ERP: these pages are often shown because the ERP is not answering.

use axum::http::HeaderMap;
use chrono::Utc;

use super::AppState;
use super::layout::{Layout, LayoutUser};
use super::session;
use super::storefront::Cart;
use crate::cache::answers::AnswerKey;
use crate::domain::CustomerId;
use crate::users::Role;

/// The frame of a page for whoever the request's session says is logged in; the anonymous
/// frame when nobody is.
pub fn layout(state: &AppState, headers: &HeaderMap, title: &str) -> Layout {
    let anonymous = || Layout::anonymous(state, title, String::new());
    let Some(session) = session::current(state, headers, Utc::now().timestamp()) else {
        return anonymous();
    };
    let Some(user) = session.login.as_deref().and_then(|l| state.users.get(l)) else {
        return anonymous();
    };
    let mut layout = Layout {
        user: Some(LayoutUser {
            name: user.name.clone(),
            context: "customer service".into(),
            shopping: false,
        }),
        is_rep: user.role == Role::Service,
        acting_for: None,
        punchout: session.punchout.as_ref().map(|p| {
            (
                user.name.clone(),
                p.operation != crate::punchout::read::Operation::Inspect,
            )
        }),
        ..Layout::anonymous(state, title, session.csrf.clone())
    };
    let customer = match (user.role, &user.customer, &session.acting_for) {
        (Role::Buyer, Some(customer), _) => customer,
        (Role::Service, _, Some(customer)) if user.may_serve(customer) => customer,
        _ => return layout,
    };
    let shown = format!("{} ({customer})", customer_name(state, customer));
    layout.cart_count = Cart::in_request(state, headers, customer).lines.len();
    if layout.is_rep {
        layout.acting_for = Some(shown.clone());
    }
    if let Some(user) = &mut layout.user {
        user.context = format!("for {shown}");
        user.shopping = true;
    }
    layout
}

/// The customer's name if a page already looked it up, else its number.
fn customer_name(state: &AppState, customer: &CustomerId) -> String {
    state
        .answers
        .get(&AnswerKey::CustomerName(customer.clone()))
        .map_or_else(|| customer.to_string(), |found| found.title.to_string())
}
