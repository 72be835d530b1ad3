//! The service desk's searches across every customer of the demo ERP.

use crate::domain::{CustomerSearch, CustomerSummary, Hits, OrderHit, OrderSearch, matches_words};

use super::store::{Catalog, Ledger, newest_first};

/// The page of `search` among the orders of every customer matching it, newest first.
pub(super) fn search_orders(
    catalog: &Catalog,
    ledger: &Ledger,
    search: &OrderSearch,
) -> Hits<OrderHit> {
    let mut hits: Vec<OrderHit> = ledger
        .orders
        .iter()
        .filter(|o| matches_words(search.order_number.as_deref(), &[o.number.as_str()]))
        .filter(|o| matches_words(search.po_number.as_deref(), &[&o.po_number]))
        .filter(|o| search.status.is_none_or(|s| s == o.status))
        .filter(|o| search.placed_from.is_none_or(|d| o.placed_on >= d))
        .filter(|o| search.placed_to.is_none_or(|d| o.placed_on <= d))
        .filter_map(|o| {
            let customer = &catalog.customers.get(&o.customer)?.customer;
            matches_words(
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
    Hits::from_all(hits, &search.paging)
}

/// The page of `search` among the customers whose number or name has every word, by name.
pub(super) fn search_customers(
    catalog: &Catalog,
    search: &CustomerSearch,
) -> Hits<CustomerSummary> {
    let mut found: Vec<CustomerSummary> = catalog
        .customers
        .values()
        .map(|entry| &entry.customer)
        .filter(|c| matches_words(Some(&search.text), &[c.id.as_str(), &c.name]))
        .map(|c| CustomerSummary {
            id: c.id.clone(),
            name: c.name.clone(),
            city: c.bill_to.city.clone(),
        })
        .collect();
    found.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    Hits::from_all(found, &search.paging)
}
