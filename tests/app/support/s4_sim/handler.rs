//! The HTTP face of the simulator: login, the CSRF token handshake, routing by service and
//! entity set, and the query options (`$filter`, `$orderby`, `$top`, `$skip`,
//! `$inlinecount`, `$expand`) over the fixture data.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State as Extract;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use serde_json::{Value, json};

use super::query::{Query, collection, expand, percent_decode, unquote};
use super::state::State;
use super::{atom, batch, changes, conformity, deliveries, edmx, functions, sales};

const ROOT: &str = "/sap/opu/odata/sap/";
const XSRF_COOKIE: &str = "sap-XSRF_S4H_100";

pub fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/oauth/token", post(token))
        .fallback(handle)
        .with_state(state)
}

pub fn error(status: StatusCode, code: &str, message: &str, details: Vec<Value>) -> Response {
    let body = json!({"error": {"code": code, "message": {"lang": "en", "value": message},
        "innererror": {"transactionid": "0A1B2C3D4E5F60718293A4B5C6D7E8F9", "errordetails": details}}});
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

pub fn json_response(value: Value) -> Response {
    let etag = value["d"]["__metadata"]["etag"].as_str().map(str::to_owned);
    let mut response = (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        value.to_string(),
    )
        .into_response();
    if let Some(etag) = etag.and_then(|e| HeaderValue::from_str(&e).ok()) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

async fn token(Extract(state): Extract<Arc<State>>, headers: HeaderMap, body: String) -> Response {
    let (id, secret) = &state.oauth_client;
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    );
    if headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        != Some(expected.as_str())
        || body != "grant_type=client_credentials"
    {
        return (StatusCode::UNAUTHORIZED, "invalid_client").into_response();
    }
    let token = uuid::Uuid::new_v4().simple().to_string();
    state.bearer_tokens.lock().unwrap().insert(token.clone());
    state.token_grants.fetch_add(1, Ordering::SeqCst);
    axum::Json(json!({"access_token": token, "token_type": "bearer", "expires_in": 43199}))
        .into_response()
}

fn authenticated(state: &State, headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    if let Some(bearer) = value.strip_prefix("Bearer ") {
        return state.bearer_tokens.lock().unwrap().contains(bearer);
    }
    let expected = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", state.user, state.password));
    value.strip_prefix("Basic ") == Some(expected.as_str())
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn csrf_valid(state: &State, headers: &HeaderMap) -> bool {
    let Some(sent) = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()) else {
        return false;
    };
    state.csrf_tokens.lock().unwrap().contains(sent)
        && cookie(headers, XSRF_COOKIE).as_deref() == Some(sent)
}

async fn handle(
    Extract(state): Extract<Arc<State>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(rest) = uri.path().strip_prefix(ROOT) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !authenticated(&state, &headers) {
        return (
            StatusCode::UNAUTHORIZED,
            [(
                header::WWW_AUTHENTICATE,
                "Basic realm=\"SAP NetWeaver Application Server\"",
            )],
            "",
        )
            .into_response();
    }
    let (service, resource) = rest.split_once('/').unwrap_or((rest, ""));
    let resource = percent_decode(resource);
    let (set, key) = match resource.split_once('(') {
        Some((set, key)) => (set.to_owned(), key.strip_suffix(')').and_then(unquote)),
        None => (resource.clone(), None),
    };
    *state
        .requests
        .lock()
        .unwrap()
        .entry(format!("{method} {set}"))
        .or_default() += 1;

    let writes = !matches!(method, Method::GET | Method::HEAD);
    if writes && !csrf_valid(&state, &headers) {
        return (
            StatusCode::FORBIDDEN,
            [("x-csrf-token", "Required")],
            "CSRF token validation failed",
        )
            .into_response();
    }
    let options: Vec<(String, String)> =
        serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default();
    let mut response = if set == "$batch" {
        batch::handle(&state, &method, service, &options, &headers, body).await
    } else {
        dispatch(
            &state,
            &method,
            service,
            &set,
            key.as_deref(),
            options,
            &headers,
            &body,
        )
        .await
    };
    let fetch = headers
        .get("x-csrf-token")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"fetch"));
    let fetch_here = !state.csrf_only_on_root_get.load(Ordering::SeqCst)
        || (method == Method::GET && set.is_empty() && !uri.path().ends_with('/'));
    if fetch && !writes && fetch_here {
        let token = uuid::Uuid::new_v4().simple().to_string();
        state.csrf_tokens.lock().unwrap().insert(token.clone());
        state.csrf_fetches.fetch_add(1, Ordering::SeqCst);
        let headers = response.headers_mut();
        headers.insert("x-csrf-token", HeaderValue::from_str(&token).unwrap());
        headers.append(
            header::SET_COOKIE,
            HeaderValue::from_str(&format!("{XSRF_COOKIE}={token}; path=/; HttpOnly")).unwrap(),
        );
        headers.append(
            header::SET_COOKIE,
            HeaderValue::from_static("SAP_SESSIONID_S4H_100=sim-session; path=/; HttpOnly"),
        );
    }
    response
}

/// One request to a service, held to its definition on the way in and out: from the network,
/// or from inside a `$batch`.
#[allow(clippy::too_many_arguments)]
pub async fn dispatch(
    state: &State,
    method: &Method,
    service: &str,
    set: &str,
    key: Option<&str>,
    options: Vec<(String, String)>,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response {
    // A release before 2021 is held to (and describes itself by) its own `$metadata`.
    let definition =
        if state.release_2020.load(Ordering::SeqCst) && service == "API_SALES_ORDER_SRV" {
            "API_SALES_ORDER_SRV@2020"
        } else {
            service
        };
    if set == "$metadata" {
        return match edmx::edmx_text(definition) {
            Some(text) => ([(header::CONTENT_TYPE, "application/xml")], text).into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        };
    }
    let model = edmx::service(definition);
    if let (Some(model), false) = (model, set.is_empty()) {
        let problems = conformity::request(model, method, set, key.is_some(), &options, body);
        if !problems.is_empty() {
            let message = problems.join("; ");
            state
                .violations
                .lock()
                .unwrap()
                .push(format!("request {method} {service}/{set}: {message}"));
            return error(
                StatusCode::BAD_REQUEST,
                "/IWBEP/CM_MGW_RT/022",
                &message,
                vec![],
            );
        }
    }
    let mut response = if set.is_empty() {
        json_response(json!({"d": {"EntitySets": []}}))
    } else {
        let query = Query(options);
        route(state, method, service, set, key, &query, headers, body).await
    };
    if let (Some(model), false) = (model, set.is_empty()) {
        let (problems, checked) = conformity::answer(
            model,
            set,
            key.is_some() || *method == Method::POST,
            response,
        )
        .await;
        if !problems.is_empty() {
            state.violations.lock().unwrap().push(format!(
                "answer to {method} {service}/{set}: {}",
                problems.join("; ")
            ));
        }
        response = checked;
    }
    response
}

#[allow(clippy::too_many_arguments)]
async fn route(
    state: &State,
    method: &Method,
    service: &str,
    set: &str,
    key: Option<&str>,
    query: &Query,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response {
    let read = matches!(*method, Method::GET | Method::HEAD);
    match (service, set, read) {
        ("API_SALES_ORDER_SIMULATION_SRV", "A_SalesOrderSimulation", false) => {
            sales::simulate(state, body)
        }
        ("API_SALES_ORDER_SRV", "A_SalesOrder", false) if key.is_none() => {
            sales::create(state, body, &sales::language_of(query)).await
        }
        ("API_SALES_ORDER_SRV", "A_SalesOrder", false) if *method == Method::DELETE => {
            changes::delete(state, key.unwrap_or(""), headers)
        }
        ("API_PRODUCT_AVAILY_INFO_BASIC", "CalculateAvailabilityTimeseries", true) => {
            functions::availability(state, query)
        }
        ("API_BILLING_DOCUMENT_SRV", "GetPDF", true) => functions::get_pdf(state, query),
        (_, _, true) => {
            let data = state.data.lock().unwrap();
            let (entities, key_field, filterable): (&Vec<Value>, &str, &[&str]) =
                match (service, set) {
                    ("API_PRODUCT_SRV", "A_Product") => (
                        &data.products,
                        "Product",
                        &["Product", "ProductGroup", "IsMarkedForDeletion"],
                    ),
                    ("API_PRODUCTGROUP_SRV", "A_ProductGroupText") => {
                        (&data.groups, "MaterialGroup", &["Language"])
                    }
                    ("API_BUSINESS_PARTNER", "A_Customer") => {
                        (&data.customers, "Customer", &["Customer", "CustomerName"])
                    }
                    ("API_BUSINESS_PARTNER", "A_CustSalesPartnerFunc") => (
                        &data.partner_functions,
                        "Customer",
                        &[
                            "Customer",
                            "SalesOrganization",
                            "DistributionChannel",
                            "Division",
                        ],
                    ),
                    ("API_BUSINESS_PARTNER", "A_BusinessPartner") => (
                        &data.partners,
                        "BusinessPartner",
                        &["BusinessPartner", "Customer"],
                    ),
                    ("API_SALES_ORDER_SRV", "A_SalesOrder") => (
                        &data.orders,
                        "SalesOrder",
                        &[
                            "SalesOrder",
                            "SoldToParty",
                            "PurchaseOrderByCustomer",
                            "CreationDate",
                            "SalesOrganization",
                            "DistributionChannel",
                            "OrganizationDivision",
                            "OverallSDProcessStatus",
                            "OverallTotalDeliveryStatus",
                            "OverallSDDocumentRejectionSts",
                            "TotalBlockStatus",
                        ],
                    ),
                    ("API_BILLING_DOCUMENT_SRV", "A_BillingDocument") => {
                        (&data.billing, "BillingDocument", &["SoldToParty"])
                    }
                    // The published definition makes nothing filterable here.
                    ("API_OUTBOUND_DELIVERY_SRV;v=0002", "A_OutbDeliveryHeader") => {
                        (&data.deliveries, "DeliveryDocument", &[])
                    }
                    _ => {
                        return error(
                            StatusCode::NOT_FOUND,
                            "/IWFND/CM_MGW/020",
                            "Resource not found for segment",
                            vec![],
                        );
                    }
                };
            let atom = set == "A_Product" && state.atom_products.load(Ordering::SeqCst);
            let language = sales::language_of(query);
            let release_2020 = state.release_2020.load(Ordering::SeqCst);
            // What this system's release and the request's language make of an entity.
            let shown = |entity: &Value| -> Value {
                match set {
                    "A_SalesOrder" => {
                        let mut order = sales::in_language(entity, &language);
                        if release_2020 {
                            strip_2020(&mut order);
                        } else {
                            order["to_SubsequentProcFlowDoc"] =
                                json!({"results": deliveries::flow_of(&data.deliveries, entity)});
                        }
                        order
                    }
                    "A_OutbDeliveryHeader" => deliveries::in_language(entity, &language),
                    _ => entity.clone(),
                }
            };
            match key {
                Some(key) => match entities.iter().find(|e| e[key_field] == key) {
                    Some(entity) => {
                        let entity = expand(&shown(entity), query.get("$expand"));
                        if atom {
                            atom::entry_response(&entity)
                        } else {
                            json_response(json!({"d": entity}))
                        }
                    }
                    None => error(
                        StatusCode::NOT_FOUND,
                        "/IWBEP/CM_MGW_RT/021",
                        "Resource not found",
                        vec![],
                    ),
                },
                None => match collection(
                    &entities.iter().map(shown).collect::<Vec<_>>(),
                    query,
                    filterable,
                ) {
                    Ok((page, count)) => {
                        if atom {
                            return atom::feed_response(&page, count);
                        }
                        let mut d = json!({"results": page});
                        if let Some(count) = count {
                            d["__count"] = Value::String(count.to_string());
                        }
                        json_response(json!({"d": d}))
                    }
                    Err(message) => error(
                        StatusCode::BAD_REQUEST,
                        "/IWBEP/CM_MGW_RT/022",
                        &message,
                        vec![],
                    ),
                },
            }
        }
        _ => error(
            StatusCode::METHOD_NOT_ALLOWED,
            "/IWFND/CM_MGW/025",
            "Method not allowed",
            vec![],
        ),
    }
}

/// Releases before 2021 have neither an item's `TaxAmount` nor the header's `TotalBlockStatus`.
fn strip_2020(order: &mut Value) {
    if let Some(header) = order.as_object_mut() {
        header.remove("TotalBlockStatus");
    }
    if let Some(items) = order["to_Item"]["results"].as_array_mut() {
        for item in items.iter_mut().filter_map(Value::as_object_mut) {
            item.remove("TaxAmount");
        }
    }
}
