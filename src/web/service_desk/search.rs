//! The desk's landing page: one box for whatever a caller quotes, and the detailed order search
//! by dates and status, both paged. What is searched and what is refused is decided in
//! [`crate::desk`]; this reads the form and shows the answer.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::rep::Rep;
use crate::desk::{self, Found, SearchFailure};
use crate::domain::{CustomerSummary, Hits, OrderHit, OrderSearch, OrderStatus, Paging};
use crate::erp::ErpError;
use crate::web::filters;
use crate::web::layout::Layout;
use crate::web::render::HtmlPage;
use crate::web::{AppError, AppState};

/// Hits on one page of the desk.
pub(super) const PAGE_SIZE: u32 = 25;

const STATUSES: [OrderStatus; 7] = [
    OrderStatus::Received,
    OrderStatus::Confirmed,
    OrderStatus::Processing,
    OrderStatus::PartiallyShipped,
    OrderStatus::Shipped,
    OrderStatus::Completed,
    OrderStatus::Cancelled,
];

/// The forms as typed, echoed back.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct SearchForm {
    #[serde(default)]
    q: String,
    #[serde(default)]
    order_number: String,
    #[serde(default)]
    po_number: String,
    #[serde(default)]
    customer: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    status: String,
    #[serde(default, skip_serializing)]
    page: String,
}

#[derive(Template)]
#[template(path = "service_desk/orders.html")]
struct DeskPage {
    layout: Layout,
    form: SearchForm,
    statuses: [OrderStatus; 7],
    /// Order hits, when orders were searched.
    hits: Option<Hits<OrderHit>>,
    /// Customer hits, when the box searched them.
    customers: Option<Hits<CustomerSummary>>,
    notices: Vec<String>,
    pages: PageLinks,
}

/// Links to the neighbouring pages of the same search.
#[derive(Default)]
pub(super) struct PageLinks {
    pub number: u32,
    pub previous: Option<String>,
    pub next: Option<String>,
}

impl PageLinks {
    pub(super) fn of(path: &str, query: &impl Serialize, paging: Paging, more: bool) -> Self {
        let query = serde_urlencoded::to_string(query).unwrap_or_default();
        let link = |page: u32| format!("{path}?{query}&page={page}");
        Self {
            number: paging.number(),
            previous: (paging.number() > 1).then(|| link(paging.number() - 1)),
            next: more
                .then(|| link(paging.next().number()))
                .filter(|_| paging.next().number() > paging.number()),
        }
    }
}

fn text(value: &str) -> Option<String> {
    Some(value.trim().to_string()).filter(|v| !v.is_empty())
}

fn date(value: &str, label: &str) -> Result<Option<NaiveDate>, String> {
    match value.trim() {
        "" => Ok(None),
        v => NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| format!("The {label} date must look like 2026-11-22.")),
    }
}

impl SearchForm {
    fn paging(&self) -> Paging {
        Paging::new(self.page.trim().parse().unwrap_or(1), PAGE_SIZE)
    }

    fn is_detailed_search(&self) -> bool {
        [
            &self.order_number,
            &self.po_number,
            &self.customer,
            &self.from,
            &self.to,
            &self.status,
        ]
        .iter()
        .any(|v| !v.trim().is_empty())
    }

    fn to_search(&self) -> Result<OrderSearch, String> {
        let status = match self.status.trim() {
            "" => None,
            code => Some(
                STATUSES
                    .into_iter()
                    .find(|s| s.code() == code)
                    .ok_or_else(|| format!("There is no order status \"{code}\"."))?,
            ),
        };
        Ok(OrderSearch {
            order_number: text(&self.order_number),
            po_number: text(&self.po_number),
            customer: text(&self.customer),
            placed_from: date(&self.from, "from")?,
            placed_to: date(&self.to, "to")?,
            status,
            paging: self.paging(),
        })
    }
}

/// What a rep reads instead of hits when a search brought none; `Err` for failures the error
/// page explains better.
pub(super) fn notice(failure: SearchFailure, what: &str) -> Result<String, AppError> {
    Ok(match failure {
        SearchFailure::Refused(message) => message,
        SearchFailure::Unsupported => format!(
            "This ERP cannot search {what} across customers. Find the customer by number first."
        ),
        SearchFailure::Erp(ErpError::Timeout | ErpError::Unavailable { .. })
        | SearchFailure::Erp(ErpError::CircuitOpen | ErpError::Overloaded) => {
            format!("The order system did not answer the search for {what}. Try again in a moment.")
        }
        // An adapter that answers a search in a shape the protocol does not allow is a fault
        // for the operator's log; the rep can still find the customer by number.
        SearchFailure::Erp(ErpError::InvalidData { detail }) => {
            tracing::warn!(erp.error = %detail, "the ERP answered a search with invalid data");
            format!(
                "The order system's answer to the search for {what} could not be read. Find the customer by number, or try again later."
            )
        }
        SearchFailure::Erp(other) => return Err(other.into()),
    })
}

/// The desk's home: the search box and the detailed order search, with hits when searched.
pub async fn desk(
    State(state): State<AppState>,
    rep: Rep,
    Query(form): Query<SearchForm>,
) -> Result<Response, AppError> {
    let paging = form.paging();
    let mut page = DeskPage {
        layout: rep.layout(&state, "Service desk"),
        form: form.clone(),
        statuses: STATUSES,
        hits: None,
        customers: None,
        notices: Vec::new(),
        pages: PageLinks::default(),
    };
    if !form.q.trim().is_empty() {
        let query = [("q", form.q.trim())];
        let may_serve = |c: &_| rep.user.may_serve(c);
        match desk::find(state.erp.as_ref(), &form.q, paging, may_serve).await {
            Ok(Found::Order { customer, number }) => {
                let path = format!(
                    "/service-desk/customers/{}/orders/{}",
                    filters::path_segment(customer.as_str()),
                    filters::path_segment(number.as_str())
                );
                return Ok(Redirect::to(&path).into_response());
            }
            Ok(Found::Customer(customer)) => {
                let path = format!(
                    "/service-desk/customers/{}",
                    filters::path_segment(customer.as_str())
                );
                return Ok(Redirect::to(&path).into_response());
            }
            Ok(Found::Lists(found)) => {
                let mut more = false;
                match found.orders {
                    Ok(hits) => {
                        more |= hits.more;
                        page.hits = Some(hits);
                    }
                    Err(failure) => page.notices.push(notice(failure, "orders")?),
                }
                match found.customers {
                    Ok(hits) => {
                        more |= hits.more;
                        page.customers = Some(hits);
                    }
                    Err(failure) => page.notices.push(notice(failure, "customers")?),
                }
                page.pages = PageLinks::of("/service-desk", &query, paging, more);
            }
            Err(failure) => page.notices.push(notice(failure, "orders")?),
        }
    } else if form.is_detailed_search() {
        match form.to_search() {
            Err(message) => page.notices.push(message),
            Ok(search) => match desk::orders(state.erp.as_ref(), &search).await {
                Ok(mut hits) => {
                    hits.items.retain(|h| rep.user.may_serve(&h.customer));
                    page.pages = PageLinks::of("/service-desk", &form, paging, hits.more);
                    page.hits = Some(hits);
                }
                Err(failure) => page.notices.push(notice(failure, "orders")?),
            },
        }
    }
    Ok(HtmlPage(page).into_response())
}
