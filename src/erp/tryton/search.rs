//! The service desk's searches in Tryton: numbered sales (`sale.sale`) by number, reference,
//! party code or name, sale date and state, and parties (`party.party`) by code or name, each
//! one page asked for with an offset and a limit of one more than the page.

use serde_json::{Value, json};

use super::TrytonErp;
use super::like::patterns;
use super::sales::{SUMMARY_FIELDS, summary};
use super::wire::{Record, date, records};
use crate::domain::{
    CustomerId, CustomerSearch, CustomerSummary, Hits, OrderHit, OrderSearch, OrderStatus, words,
};
use crate::erp::{ErpError, ErpResult};

/// One clause per word: each word in at least one of `fields`, in any case and accent.
fn words_in(text: Option<&str>, fields: &[&str]) -> Vec<Value> {
    let Some(text) = text else { return Vec::new() };
    words(text)
        .into_iter()
        .map(|word| {
            let mut any = vec![json!("OR")];
            for field in fields {
                any.extend(
                    patterns(word)
                        .into_iter()
                        .map(|p| json!([field, "ilike", p])),
                );
            }
            Value::Array(any)
        })
        .collect()
}

/// The sale states (and shipment states) that read as `status`; see `sales::status`.
fn status_clause(status: OrderStatus) -> Value {
    let shipped = ["sent", "partially shipped"];
    match status {
        OrderStatus::Received => json!(["state", "in", ["draft", "quotation"]]),
        OrderStatus::Confirmed => json!(["state", "=", "confirmed"]),
        OrderStatus::Processing => json!([
            ["state", "=", "processing"],
            ["shipment_state", "not in", shipped]
        ]),
        OrderStatus::PartiallyShipped => json!([
            ["state", "=", "processing"],
            ["shipment_state", "=", "partially shipped"]
        ]),
        OrderStatus::Shipped => json!([
            ["state", "=", "processing"],
            ["shipment_state", "=", "sent"]
        ]),
        OrderStatus::Completed => json!(["state", "=", "done"]),
        OrderStatus::Cancelled => json!(["state", "=", "cancelled"]),
    }
}

fn sale_domain(search: &OrderSearch) -> Vec<Value> {
    let mut domain = vec![json!(["number", "!=", null])];
    domain.extend(words_in(search.order_number.as_deref(), &["number"]));
    domain.extend(words_in(search.po_number.as_deref(), &["reference"]));
    domain.extend(words_in(
        search.customer.as_deref(),
        &["party.code", "party.name"],
    ));
    if let Some(from) = search.placed_from {
        domain.push(json!(["sale_date", ">=", date(from)]));
    }
    if let Some(to) = search.placed_to {
        domain.push(json!(["sale_date", "<=", date(to)]));
    }
    domain.extend(search.status.map(status_clause));
    domain
}

fn hit(record: &Record<'_>) -> ErpResult<OrderHit> {
    let party = record
        .related("party")?
        .ok_or_else(|| ErpError::invalid_data("a sale without a party"))?;
    let code = party.str("code")?;
    Ok(OrderHit {
        customer: CustomerId::parse(code)
            .map_err(|e| ErpError::invalid_data(format!("party code {code:?}: {e}")))?,
        customer_name: party.text("name")?,
        order: summary(record)?,
    })
}

fn customer(record: &Record<'_>) -> ErpResult<CustomerSummary> {
    let code = record.str("code")?;
    let addresses = record.related_list("addresses")?;
    let bill_to = addresses
        .iter()
        .find(|a| a.bool("invoice").unwrap_or(false))
        .or(addresses.first());
    Ok(CustomerSummary {
        id: CustomerId::parse(code)
            .map_err(|e| ErpError::invalid_data(format!("party code {code:?}: {e}")))?,
        name: record.text("name")?,
        city: bill_to
            .map(|a| a.text("city"))
            .transpose()?
            .unwrap_or_default(),
    })
}

impl TrytonErp {
    pub(super) async fn search_sales(&self, search: &OrderSearch) -> ErpResult<Hits<OrderHit>> {
        let mut fields: Vec<&str> = SUMMARY_FIELDS.to_vec();
        fields.extend(["party.code", "party.name"]);
        let reply = self
            .rpc
            .read(
                "model.sale.sale.search_read",
                vec![
                    Value::Array(sale_domain(search)),
                    json!(search.paging.offset()),
                    json!(search.paging.fetch()),
                    json!([["sale_date", "DESC NULLS LAST"], ["id", "DESC"]]),
                    json!(fields),
                ],
                &[],
            )
            .await?;
        let found = records("sale.sale", &reply)?
            .iter()
            .map(hit)
            .collect::<ErpResult<Vec<_>>>()?;
        Ok(Hits::from_fetched(found, &search.paging))
    }

    pub(super) async fn search_parties(
        &self,
        search: &CustomerSearch,
    ) -> ErpResult<Hits<CustomerSummary>> {
        let mut domain = vec![json!(["code", "!=", null])];
        domain.extend(words_in(Some(&search.text), &["code", "name"]));
        let reply = self
            .rpc
            .read(
                "model.party.party.search_read",
                vec![
                    Value::Array(domain),
                    json!(search.paging.offset()),
                    json!(search.paging.fetch()),
                    json!([["name", "ASC"], ["id", "ASC"]]),
                    json!([
                        "code",
                        "name",
                        "addresses",
                        "addresses.city",
                        "addresses.invoice"
                    ]),
                ],
                &[],
            )
            .await?;
        let found = records("party.party", &reply)?
            .iter()
            .map(customer)
            .collect::<ErpResult<Vec<_>>>()?;
        Ok(Hits::from_fetched(found, &search.paging))
    }
}
