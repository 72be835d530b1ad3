//! Acting for a customer: the rep then sees and uses the storefront exactly as that customer
//! does, with a banner on every page, until they stop. Both ends are audit events. The cart the
//! rep builds is the customer's saved cart: it is there when the rep starts, and it stays in
//! the ERP for the customer when the rep stops.

use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::PrivateCookieJar;
use serde::Deserialize;

use super::rep::Rep;
use crate::domain::CustomerId;
use crate::web::audit;
use crate::web::filters::path_segment;
use crate::web::session::SetSession;
use crate::web::storefront::{Cart, restore_saved_cart};
use crate::web::{AppError, AppState};

#[derive(Deserialize)]
pub struct ActForm {
    customer: String,
}

/// Starts acting for a customer the rep may serve and the ERP knows.
pub async fn start_acting(
    State(state): State<AppState>,
    rep: Rep,
    jar: PrivateCookieJar,
    Form(form): Form<ActForm>,
) -> Result<Response, AppError> {
    let customer = CustomerId::parse(form.customer.trim()).map_err(|_| AppError::NotFound)?;
    rep.check(&customer)?;
    state.erp.customer(&customer).await?;
    audit::record(&rep.user.login, &customer, "start_acting", None);
    // A new id: the desk session's cookie is revoked, and stopping later revokes this one.
    state.revocations.revoke(&rep.session.id).await;
    // The rep works on the customer's saved cart, which stays in the ERP when they stop.
    let jar = restore_saved_cart(&state, Cart::clear(jar), &customer).await;
    let session = rep.session.reissued(Some(customer));
    let mut response = (jar, Redirect::to("/catalog")).into_response();
    response.extensions_mut().insert(SetSession(session));
    Ok(response)
}

/// Stops acting and returns the rep to the desk. Copies of the acting session's cookie are
/// refused from now on.
pub async fn stop_acting(
    State(state): State<AppState>,
    rep: Rep,
    jar: PrivateCookieJar,
) -> Response {
    let target = match &rep.session.acting_for {
        Some(customer) => {
            audit::record(&rep.user.login, customer, "stop_acting", None);
            format!(
                "/service-desk/customers/{}",
                path_segment(customer.as_str())
            )
        }
        None => "/service-desk".to_string(),
    };
    state.revocations.revoke(&rep.session.id).await;
    let session = rep.session.reissued(None);
    let mut response = (Cart::clear(jar), Redirect::to(&target)).into_response();
    response.extensions_mut().insert(SetSession(session));
    response
}
