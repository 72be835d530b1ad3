//! The server side of the HTTP adapter protocol over any [`Erp`]: each path parses its input,
//! calls the adapter, and answers with the domain types' JSON or the protocol's error body.

use std::fmt::Display;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post, put};
use serde::Deserialize;
use serde::de::DeserializeOwned;

mod search;

use super::SimControl;
use super::faults::{Scope, apply};
use crate::domain::{CatalogQuery, NewOrder, SavedCart};
use crate::erp::http::wire::{
    ErrorBody, Health, IDEMPOTENCY_KEY_HEADER, Items, OPENAPI, OrderByKey, Outcome, SkuList,
};
use crate::erp::{Erp, ErpError};

type Erps = State<Arc<dyn Erp>>;
type Reply = Result<Response, Failure>;

/// The protocol's paths, each counted and subject to faults under its operation's name.
pub(super) fn routes(erp: Arc<dyn Erp>, control: &SimControl) -> Router {
    let op = |operation: &'static str, route: MethodRouter<Arc<dyn Erp>>| {
        let scope = Scope {
            control: control.clone(),
            operation,
        };
        route.layer(from_fn_with_state(scope, apply))
    };
    let c = "/v1/customers/{customer}";
    Router::new()
        .route("/v1/health", op("health", get(health)))
        .route("/v1/categories", op("categories", get(categories)))
        .route("/v1/products", op("search_products", get(search_products)))
        .route("/v1/products/{sku}", op("product", get(product)))
        .route("/v1/availability", op("availability", post(availability)))
        .route(c, op("customer", get(customer)))
        .route(&format!("{c}/prices"), op("prices", post(prices)))
        .route(
            &format!("{c}/orders"),
            op("orders", get(orders)).merge(op("create_order", post(create_order))),
        )
        .route(
            &format!("{c}/orders/by-key/{{key}}"),
            op("find_order_by_key", get(find_order_by_key)),
        )
        .route(&format!("{c}/orders/{{number}}"), op("order", get(order)))
        .route(&format!("{c}/invoices"), op("invoices", get(invoices)))
        .route(
            &format!("{c}/invoices/{{number}}"),
            op("invoice", get(invoice)),
        )
        .route(
            &format!("{c}/invoices/{{number}}/document"),
            op("invoice_document", get(invoice_document)),
        )
        .route(
            &format!("{c}/cart"),
            op("saved_cart", get(saved_cart)).merge(op("save_cart", put(save_cart))),
        )
        .route(
            "/v1/orders",
            op("search_orders", get(search::search_orders)),
        )
        .route(
            "/v1/customers",
            op("search_customers", get(search::search_customers)),
        )
        .route("/v1/openapi.json", get(openapi))
        .fallback(unknown_path)
        .method_not_allowed_fallback(unknown_path)
        .layer(from_fn_with_state(control.clone(), require_token))
        .with_state(erp)
}

/// An error answer of the protocol.
pub(super) struct Failure(StatusCode, ErrorBody);

impl From<ErpError> for Failure {
    fn from(error: ErpError) -> Self {
        let body = ErrorBody::from_error(&error);
        Self(body.error.outcome.status(), body)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (self.0, axum::Json(self.1)).into_response()
    }
}

/// The request does not follow the protocol.
fn bad_request(message: impl Display) -> Failure {
    Failure(
        StatusCode::BAD_REQUEST,
        ErrorBody::new(Outcome::InvalidData, message.to_string()),
    )
}

fn json<T: serde::Serialize>(value: &T) -> Reply {
    Ok(axum::Json(value).into_response())
}

fn parse<T: std::str::FromStr<Err: Display>>(raw: &str) -> Result<T, Failure> {
    raw.parse()
        .map_err(|e| bad_request(format!("{raw:?}: {e}")))
}

fn body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Failure> {
    serde_json::from_slice(bytes).map_err(|e| bad_request(format!("request body: {e}")))
}

fn segments<T>(path: Result<Path<T>, PathRejection>) -> Result<T, Failure> {
    path.map(|Path(value)| value).map_err(bad_request)
}

async fn require_token(
    State(control): State<SimControl>,
    request: Request,
    next: Next,
) -> Response {
    if control.protocol_token_accepts(request.headers()) {
        next.run(request).await
    } else {
        Failure(
            StatusCode::UNAUTHORIZED,
            ErrorBody::new(Outcome::Unavailable, "missing or wrong bearer token"),
        )
        .into_response()
    }
}

/// A path or method outside protocol v1 is `unsupported` with the error body, as the protocol
/// asks: a bare 404 would tell the client its base URL is wrong.
async fn unknown_path() -> Failure {
    Failure(
        StatusCode::NOT_IMPLEMENTED,
        ErrorBody::new(Outcome::Unsupported, "no such path in protocol v1"),
    )
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

async fn health(State(erp): Erps) -> Reply {
    erp.health().await?;
    json(&Health {
        status: "ok".into(),
    })
}

async fn categories(State(erp): Erps) -> Reply {
    json(&Items {
        items: erp.categories().await?,
    })
}

#[derive(Deserialize)]
struct Search {
    text: Option<String>,
    category: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

async fn search_products(State(erp): Erps, query: Result<Query<Search>, QueryRejection>) -> Reply {
    let Query(search) = query.map_err(bad_request)?;
    let query = CatalogQuery::new(
        search.text.as_deref(),
        search.category.as_deref(),
        search.page.unwrap_or(1),
        search.per_page.unwrap_or(20),
    );
    json(&erp.search_products(&query).await?)
}

async fn product(State(erp): Erps, path: Result<Path<String>, PathRejection>) -> Reply {
    let sku = parse(&segments(path)?)?;
    json(&erp.product(&sku).await?)
}

async fn availability(State(erp): Erps, bytes: Bytes) -> Reply {
    let asked: SkuList = body(&bytes)?;
    json(&Items {
        items: erp.availability(&asked.skus).await?,
    })
}

async fn customer(State(erp): Erps, path: Result<Path<String>, PathRejection>) -> Reply {
    let customer = parse(&segments(path)?)?;
    json(&erp.customer(&customer).await?)
}

async fn prices(
    State(erp): Erps,
    path: Result<Path<String>, PathRejection>,
    bytes: Bytes,
) -> Reply {
    let customer = parse(&segments(path)?)?;
    let asked: SkuList = body(&bytes)?;
    json(&Items {
        items: erp.prices(&customer, &asked.skus).await?,
    })
}

async fn create_order(
    State(erp): Erps,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Reply {
    let customer = parse(&segments(path)?)?;
    let key = headers
        .get(IDEMPOTENCY_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| bad_request("the Idempotency-Key header is required"))?;
    let key = parse(key)?;
    let order: NewOrder = body(&bytes)?;
    if order.customer != customer {
        return Err(bad_request(
            "the order's customer is not the one in the path",
        ));
    }
    json(&erp.create_order(&key, &order).await?)
}

async fn find_order_by_key(
    State(erp): Erps,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Reply {
    let (customer, key) = segments(path)?;
    let (customer, key) = (parse(&customer)?, parse(&key)?);
    json(&OrderByKey {
        order: erp.find_order_by_key(&customer, &key).await?,
    })
}

async fn saved_cart(State(erp): Erps, path: Result<Path<String>, PathRejection>) -> Reply {
    let customer = parse(&segments(path)?)?;
    json(&erp.saved_cart(&customer).await?)
}

/// Answers the cart as saved, so a client sees what the service took.
async fn save_cart(
    State(erp): Erps,
    path: Result<Path<String>, PathRejection>,
    bytes: Bytes,
) -> Reply {
    let customer = parse(&segments(path)?)?;
    let cart: SavedCart = body(&bytes)?;
    erp.save_cart(&customer, &cart).await?;
    json(&cart)
}

async fn orders(State(erp): Erps, path: Result<Path<String>, PathRejection>) -> Reply {
    let customer = parse(&segments(path)?)?;
    json(&Items {
        items: erp.orders(&customer).await?,
    })
}

async fn order(State(erp): Erps, path: Result<Path<(String, String)>, PathRejection>) -> Reply {
    let (customer, number) = segments(path)?;
    json(&erp.order(&parse(&customer)?, &parse(&number)?).await?)
}

async fn invoices(State(erp): Erps, path: Result<Path<String>, PathRejection>) -> Reply {
    let customer = parse(&segments(path)?)?;
    json(&Items {
        items: erp.invoices(&customer).await?,
    })
}

async fn invoice(State(erp): Erps, path: Result<Path<(String, String)>, PathRejection>) -> Reply {
    let (customer, number) = segments(path)?;
    json(&erp.invoice(&parse(&customer)?, &parse(&number)?).await?)
}

async fn invoice_document(
    State(erp): Erps,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Reply {
    let (customer, number) = segments(path)?;
    let document = erp
        .invoice_document(&parse(&customer)?, &parse(&number)?)
        .await?;
    let content_type = HeaderValue::from_str(&document.content_type)
        .map_err(|_| ErpError::invalid_data("the document's content type is not a header value"))?;
    let disposition = format!(
        "attachment; filename=\"{}\"",
        document.filename.replace(['"', '\\'], "_")
    );
    let disposition = HeaderValue::from_str(&disposition)
        .map_err(|_| ErpError::invalid_data("the document's name is not a header value"))?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        document.bytes,
    )
        .into_response())
}
