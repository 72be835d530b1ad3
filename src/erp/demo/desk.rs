//! The service desk's searches across every customer of the demo ERP.

use crate::domain::{CustomerSummary, OrderHit, OrderSearch, contains_any};

use super::store::{Catalog, Ledger, newest_first};

/// Orders of every customer matching `search`, newest first, at most `search.limit`.
pub(super) fn search_orders(
    catalog: &Catalog,
    ledger: &Ledger,
    search: &OrderSearch,
) -> Vec<OrderHit> {
    let mut hits: Vec<OrderHit> = ledger
        .orders
        .iter()
        .filter(|o| contains_any(search.order_number.as_deref(), &[o.number.as_str()]))
        .filter(|o| contains_any(search.po_number.as_deref(), &[&o.po_number]))
        .filter(|o| search.status.is_none_or(|s| s == o.status))
        .filter(|o| search.placed_from.is_none_or(|d| o.placed_on >= d))
        .filter(|o| search.placed_to.is_none_or(|d| o.placed_on <= d))
        .filter_map(|o| {
            let customer = &catalog.customers.get(&o.customer)?.customer;
            contains_any(
                search.customer.as_deref(),
                &[customer.id.as_str(), &customer.name],
            )
            .then(|| OrderHit {
                customer: customer.id.clone(),
                customer_name: customer.name.clone(),
                order: o.summary(),
            })
        })
        .collect();
    newest_first(&mut hits, |h| (h.order.placed_on, h.order.number.as_str()));
    hits.truncate(search.limit as usize);
    hits
}

/// Customers whose number or name contains `text`.
pub(super) fn search_customers(catalog: &Catalog, text: &str) -> Vec<CustomerSummary> {
    let text = Some(text.trim()).filter(|t| !t.is_empty());
    catalog
        .customers
        .values()
        .map(|entry| &entry.customer)
        .filter(|c| contains_any(text, &[c.id.as_str(), &c.name]))
        .map(|c| CustomerSummary {
            id: c.id.clone(),
            name: c.name.clone(),
            city: c.bill_to.city.clone(),
        })
        .collect()
}
