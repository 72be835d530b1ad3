//! `GET /api/v1/orders`, `GET /api/v1/orders/{number}` and `POST /api/v1/orders`.
//!
//! Creating requires an `Idempotency-Key` header: the same key with the same body returns the
//! same order (201 the first time, 200 after), the same key with another body is 422, and no
//! key is 400. The key is stored in the ERP with the order, so this holds across instances and
//! restarts.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::auth::ApiBuyer;
use super::types::{CreateOrderRequest, OrderListResponse, OrderResponse};
use crate::domain::{
    AddressId, IdempotencyKey, NewOrder, NewOrderLine, OrderNumber, Quantity, Sku,
};
use crate::erp::ErpError;
use crate::ordering::{PlaceError, Placed, Unplaced};
use crate::web::filters::path_segment;
use crate::web::{AppError, AppState};

/// The caller's orders, newest first.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", security(("bearer" = [])),
    responses((status = 200, body = OrderListResponse)))]
pub async fn list_orders(
    State(state): State<AppState>,
    caller: ApiBuyer,
) -> Result<Json<OrderListResponse>, AppError> {
    let orders = state.erp.orders(&caller.customer).await?;
    Ok(Json(OrderListResponse {
        items: orders.into_iter().map(Into::into).collect(),
    }))
}

/// One of the caller's orders, with lines and deliveries.
#[utoipa::path(get, path = "/api/v1/orders/{number}", tag = "orders", security(("bearer" = [])),
    params(("number" = String, Path, description = "The ERP's order number", pattern = r"^[A-Za-z0-9_.:#/-]{1,40}$")),
    responses((status = 200, body = OrderResponse), (status = 404, description = "No such order of the caller's", body = super::types::ErrorResponse)))]
pub async fn get_order(
    State(state): State<AppState>,
    caller: ApiBuyer,
    Path(number): Path<String>,
) -> Result<Json<OrderResponse>, AppError> {
    let number = OrderNumber::parse(number).map_err(|_| AppError::NotFound)?;
    Ok(Json(
        state.erp.order(&caller.customer, &number).await?.into(),
    ))
}

/// Place an order, exactly once per `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", security(("bearer" = [])),
    params(("Idempotency-Key" = String, Header, description = "A unique key per order, e.g. a UUID: 1 to 64 of A-Z a-z 0-9 - _ (optionally in double quotes)",
        pattern = r"^[A-Za-z0-9_-]{1,64}$", min_length = 1, max_length = 64)),
    request_body(content = CreateOrderRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = OrderResponse,
            headers(("Location" = String, description = "The new order's address"))),
        (status = 200, description = "Already created with this key", body = OrderResponse),
        (status = 400, description = "Missing or malformed key, or a body that is not a valid order", body = super::types::ErrorResponse),
        (status = 408, description = "The body was not sent in time", body = super::types::ErrorResponse),
        (status = 413, description = "The body is larger than 64 KiB", body = super::types::ErrorResponse),
        (status = 415, description = "The body is not JSON in UTF-8", body = super::types::ErrorResponse),
        (status = 422, description = "Key reused for another order, or an order the gateway or the ERP refuses (unknown SKU or ship-to, date in the past, too much of a SKU)", body = super::types::ErrorResponse),
        (status = 503, description = "ERP unavailable; retry with the same key", body = super::types::ErrorResponse),
        (status = 504, description = "Outcome unknown; retry with the same key", body = super::types::ErrorResponse)))]
pub async fn create_order(
    State(state): State<AppState>,
    caller: ApiBuyer,
    headers: HeaderMap,
    body: Result<Json<CreateOrderRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, AppError> {
    let key = idempotency_key(&headers)?;
    check_charset(&headers)?;
    let Json(body) = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType,
        _ => AppError::BadRequest(format!(
            "The request body is not a valid order: {}",
            e.body_text()
        )),
    })?;
    let order = new_order(&caller, body)?;
    match state.ordering.place(&key, order).await {
        Ok(Placed::Created(order)) => {
            let location = format!("/api/v1/orders/{}", path_segment(order.number.as_str()));
            Ok((
                StatusCode::CREATED,
                [(header::LOCATION, location)],
                Json(OrderResponse::from(order)),
            )
                .into_response())
        }
        Ok(Placed::Existing(order)) => Ok(Json(OrderResponse::from(order)).into_response()),
        Err(err) => Ok(problem(err)),
    }
}

/// The JSON problem for an order that was not placed, or whose fate is unknown. What the caller
/// may do follows the class shared with the storefront ([`PlaceError::unplaced`]); the error
/// only picks the code that names the cause.
fn problem(err: PlaceError) -> Response {
    let unplaced = err.unplaced();
    let error = match err {
        PlaceError::Invalid(e) => AppError::Unprocessable(e.0),
        PlaceError::KeyReused => AppError::Unprocessable(
            "This Idempotency-Key was already used for a different order.".into(),
        ),
        PlaceError::Erp(ErpError::InvalidData { detail }) => {
            // An answer that cannot be read leaves the outcome unknown, as a timeout does: the
            // caller is told to retry with the same key, not that something broke for good.
            tracing::warn!(error.detail = %detail, "order outcome unknown: unreadable ERP answer");
            AppError::ErpTimeout
        }
        PlaceError::Erp(err) => err.into(),
    };
    match unplaced {
        // The order may exist: retrying with the same key is safe and finds it.
        Unplaced::Unknown => ([(header::RETRY_AFTER, "10")], error).into_response(),
        Unplaced::Refused(_) | Unplaced::KeyReused | Unplaced::NotSent | Unplaced::Impossible => {
            error.into_response()
        }
    }
}

fn idempotency_key(headers: &HeaderMap) -> Result<IdempotencyKey, AppError> {
    let invalid = |why: &str| {
        AppError::BadRequest(format!("The Idempotency-Key header is not valid: {why}."))
    };
    let raw = headers
        .get("idempotency-key")
        .ok_or_else(|| AppError::BadRequest("The Idempotency-Key header is required.".into()))?
        .to_str()
        .map_err(|_| invalid("it may only contain A-Z a-z 0-9 - _"))?;
    // The IETF draft sends the key as a structured-field string, in quotes.
    let raw = raw.trim().trim_matches('"');
    IdempotencyKey::parse(raw).map_err(|e| invalid(&e.to_string()))
}

/// JSON is UTF-8 (RFC 8259): a body declared in another character set is refused rather than
/// misread.
fn check_charset(headers: &HeaderMap) -> Result<(), AppError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let charset = content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"'))
    });
    match charset {
        Some(charset) if !charset.eq_ignore_ascii_case("utf-8") => {
            Err(AppError::UnsupportedMediaType)
        }
        _ => Ok(()),
    }
}

fn new_order(caller: &ApiBuyer, body: CreateOrderRequest) -> Result<NewOrder, AppError> {
    let mut lines = Vec::with_capacity(body.lines.len());
    for (index, line) in body.lines.into_iter().enumerate() {
        let at = |m: String| AppError::BadRequest(format!("lines[{index}]: {m}"));
        let sku = Sku::parse(line.sku).map_err(|e| at(e.to_string()))?;
        let quantity = Quantity::new(line.quantity).map_err(|e| at(e.to_string()))?;
        lines.push(NewOrderLine { sku, quantity });
    }
    let ship_to = body
        .ship_to
        .map(AddressId::parse)
        .transpose()
        .map_err(|e| AppError::BadRequest(format!("ship_to: {e}")))?;
    Ok(NewOrder {
        customer: caller.customer.clone(),
        po_number: body.po_number,
        ship_to,
        requested_date: body.requested_date,
        note: body.note,
        lines,
        placed_by: None,
    })
}
