//! One search box for whatever a caller quotes: an order number, a PO number, a customer number
//! or name. It looks for all of them at once and goes straight to the one obvious hit: a record
//! whose number is exactly what was typed, or the only hit there is.

use crate::domain::{
    CustomerId, CustomerSearch, CustomerSummary, Hits, OrderHit, OrderNumber, OrderSearch, Paging,
    fold,
};
use crate::erp::Erp;

use super::SearchFailure;

/// What the box found.
#[derive(Debug)]
pub enum Found {
    /// One obvious order.
    Order {
        /// Whose it is.
        customer: CustomerId,
        /// Its number.
        number: OrderNumber,
    },
    /// One obvious customer.
    Customer(CustomerId),
    /// Hits to choose from (either list may have failed on its own).
    Lists(BoxHits),
}

/// The orders (by number or PO number) and the customers (by number or name) the box found.
#[derive(Debug)]
pub struct BoxHits {
    /// Orders, newest first.
    pub orders: Result<Hits<OrderHit>, SearchFailure>,
    /// Customers, by name.
    pub customers: Result<Hits<CustomerSummary>, SearchFailure>,
}

/// Looks `text` up as everything it may be, keeping only the customers `may_serve` allows.
/// `Err` only when the gateway refuses the text for every kind of record.
pub async fn find(
    erp: &dyn Erp,
    text: &str,
    paging: Paging,
    may_serve: impl Fn(&CustomerId) -> bool,
) -> Result<Found, SearchFailure> {
    let text = text.trim();
    let by_number = OrderSearch {
        order_number: Some(text.to_owned()),
        paging,
        ..OrderSearch::default()
    };
    let by_po = OrderSearch {
        po_number: Some(text.to_owned()),
        paging,
        ..OrderSearch::default()
    };
    let customers = CustomerSearch {
        text: text.to_owned(),
        paging,
    };
    let (by_number, by_po, customers) = tokio::join!(
        super::orders(erp, &by_number),
        super::orders(erp, &by_po),
        super::customers(erp, &customers),
    );
    if let (Err(SearchFailure::Refused(message)), Err(SearchFailure::Refused(_))) =
        (&by_number, &customers)
    {
        return Err(SearchFailure::Refused(message.clone()));
    }
    let orders = merge(by_number, by_po).map(|mut hits| {
        hits.items.retain(|h| may_serve(&h.customer));
        hits
    });
    let customers = customers.map(|mut hits| {
        hits.items.retain(|c| may_serve(&c.id));
        hits
    });
    let hits = BoxHits { orders, customers };
    Ok(match (paging.number(), obvious(&hits, text)) {
        (1, Some(found)) => found,
        _ => Found::Lists(hits),
    })
}

/// Orders found by number and by PO number, as one list newest first without repeats. A refused
/// half counts as no hits; a failed one fails the list.
fn merge(
    by_number: Result<Hits<OrderHit>, SearchFailure>,
    by_po: Result<Hits<OrderHit>, SearchFailure>,
) -> Result<Hits<OrderHit>, SearchFailure> {
    let usable = |answer: Result<Hits<OrderHit>, SearchFailure>| match answer {
        Err(SearchFailure::Refused(_)) => Ok(Hits::default()),
        other => other,
    };
    let (mut merged, by_po) = (usable(by_number)?, usable(by_po)?);
    merged.more |= by_po.more;
    for hit in by_po.items {
        if !merged.items.contains(&hit) {
            merged.items.push(hit);
        }
    }
    merged
        .items
        .sort_by_key(|hit| std::cmp::Reverse(hit.order.placed_on));
    Ok(merged)
}

fn obvious(hits: &BoxHits, text: &str) -> Option<Found> {
    let typed = fold(text);
    let orders = hits.orders.as_ref().map_or(&[][..], |h| &h.items[..]);
    let customers = hits.customers.as_ref().map_or(&[][..], |h| &h.items[..]);
    let to_order = |h: &OrderHit| Found::Order {
        customer: h.customer.clone(),
        number: h.order.number.clone(),
    };
    let exact_orders: Vec<&OrderHit> = orders
        .iter()
        .filter(|h| fold(h.order.number.as_str()) == typed || fold(&h.order.po_number) == typed)
        .collect();
    let exact_customers: Vec<&CustomerSummary> = customers
        .iter()
        .filter(|c| fold(c.id.as_str()) == typed)
        .collect();
    match (&exact_orders[..], &exact_customers[..], orders, customers) {
        ([order], [], _, _) => Some(to_order(order)),
        ([], [customer], _, _) => Some(Found::Customer(customer.id.clone())),
        (_, _, [order], []) => Some(to_order(order)),
        (_, _, [], [customer]) => Some(Found::Customer(customer.id.clone())),
        _ => None,
    }
}
