//! Turns parsed demo records into the demo ERP's state, refusing anything inconsistent: unknown
//! references, duplicate numbers and amounts that do not add up are load errors naming the record.

mod documents;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use documents::{invoice, order};
use rust_decimal::Decimal;

use super::records::{
    CATEGORIES, CUSTOMERS, CustomerRecord, DemoDataError, INVOICES, ORDERS, PRODUCTS, Records,
    Sources,
};
use super::store::{Catalog, CustomerEntry, Ledger, ProductEntry};
use crate::domain::{Currency, Customer, Order, Product};

/// Loads and validates the five files.
pub(super) fn load(sources: Sources<'_>) -> Result<(Catalog, Ledger), DemoDataError> {
    let records = Records::parse(sources)?;
    let mut catalog = Catalog::default();
    let mut stock = HashMap::new();

    for category in records.categories {
        let record = format!("category {:?}", category.id);
        if category.id.trim().is_empty() || category.name.trim().is_empty() {
            return Err(DemoDataError::invalid(
                CATEGORIES,
                record,
                "id and name must not be empty",
            ));
        }
        if catalog.categories.iter().any(|c| c.id == category.id) {
            return Err(DemoDataError::invalid(
                CATEGORIES,
                record,
                "is listed twice",
            ));
        }
        catalog.categories.push(category);
    }

    for p in records.products {
        let record = format!("product {}", p.sku);
        let invalid = |problem: String| DemoDataError::invalid(PRODUCTS, record.clone(), problem);
        if catalog.products.contains_key(&p.sku) {
            return Err(invalid("is listed twice".into()));
        }
        if !catalog.categories.iter().any(|c| c.id == p.category) {
            return Err(invalid(format!("names unknown category {:?}", p.category)));
        }
        if p.list_price <= Decimal::ZERO {
            return Err(invalid(format!(
                "list price {} is not positive",
                p.list_price
            )));
        }
        if p.name.trim().is_empty() || p.unit.trim().is_empty() {
            return Err(invalid("name and unit must not be empty".into()));
        }
        stock.insert(p.sku.clone(), p.stock);
        let product = Product {
            sku: p.sku.clone(),
            name: p.name,
            description: p.description,
            category: p.category,
            unit: p.unit,
            attributes: p.attributes,
        };
        catalog.products.insert(
            p.sku,
            ProductEntry::new(product, p.list_price, p.next_receipt),
        );
    }

    let category_ids: BTreeSet<&str> = catalog.categories.iter().map(|c| c.id.as_str()).collect();
    let skus: BTreeSet<_> = catalog.products.keys().collect();
    let mut customers = BTreeMap::new();
    for c in records.customers {
        let entry = customer(c, &category_ids, &skus)?;
        let id = entry.customer.id.clone();
        if customers.insert(id.clone(), entry).is_some() {
            return Err(DemoDataError::invalid(
                CUSTOMERS,
                format!("customer {id}"),
                "is listed twice",
            ));
        }
    }
    catalog.customers = customers;

    let mut orders: Vec<Order> = Vec::with_capacity(records.orders.len());
    for record in records.orders {
        let order = order(&catalog, record)?;
        if orders.iter().any(|o| o.number == order.number) {
            let record = format!("order {}", order.number);
            return Err(DemoDataError::invalid(ORDERS, record, "is listed twice"));
        }
        orders.push(order);
    }

    for record in records.invoices {
        let invoice = invoice(&catalog, &orders, record)?;
        if catalog.invoices.iter().any(|i| i.number == invoice.number) {
            let record = format!("invoice {}", invoice.number);
            return Err(DemoDataError::invalid(INVOICES, record, "is listed twice"));
        }
        catalog.invoices.push(invoice);
    }

    Ok((
        catalog,
        Ledger {
            stock,
            orders,
            saved_carts: HashMap::new(),
        },
    ))
}

fn customer(
    c: CustomerRecord,
    categories: &BTreeSet<&str>,
    skus: &BTreeSet<&crate::domain::Sku>,
) -> Result<CustomerEntry, DemoDataError> {
    let record = format!("customer {}", c.id);
    let invalid = |problem: String| DemoDataError::invalid(CUSTOMERS, record.clone(), problem);
    // The catalog's list prices are in euros; any other currency would mislabel every amount.
    if c.currency != Currency::parse("EUR").map_err(|e| invalid(e.to_string()))? {
        return Err(invalid(format!(
            "currency {} is not EUR, the currency of the list prices",
            c.currency
        )));
    }
    if c.ship_tos.is_empty() {
        return Err(invalid("has no ship-to address".into()));
    }
    let mut ids = BTreeSet::from([&c.bill_to.id]);
    if let Some(dup) = c.ship_tos.iter().find(|a| !ids.insert(&a.id)) {
        return Err(invalid(format!("address id {} is used twice", dup.id)));
    }
    c.price_list.check(categories, skus).map_err(invalid)?;
    let customer = Customer {
        id: c.id,
        name: c.name,
        currency: c.currency,
        bill_to: c.bill_to,
        ship_tos: c.ship_tos,
    };
    Ok(CustomerEntry {
        customer,
        price_list: c.price_list,
    })
}
