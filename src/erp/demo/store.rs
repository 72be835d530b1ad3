//! The demo ERP's records and the business rules over them: catalog search, customer pricing,
//! and order entry with its stock bookings.
//!
//! [`Catalog`] never changes after loading; [`Ledger`] is the part that orders change, and the
//! adapter keeps it behind one lock so that an idempotency check and the order it guards are
//! one step.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::pricing::{PriceList, line_net, tax_and_gross};
use crate::domain::{
    CatalogQuery, Category, Customer, CustomerId, IdempotencyKey, Invoice, LineQuantity, Money,
    NewOrder, Order, OrderLine, OrderNumber, OrderStatus, OrderTotals, Price, Product, ProductPage,
    Quantity, SavedCart, Sku,
};
use crate::erp::{ErpError, ErpResult};

/// A product with what only the ERP knows about it.
#[derive(Debug)]
pub(super) struct ProductEntry {
    pub product: Product,
    pub list_price: Decimal,
    pub next_receipt: Option<NaiveDate>,
    /// Everything a text search looks at, lower-cased once at load.
    search_text: String,
}

impl ProductEntry {
    pub(super) fn new(
        product: Product,
        list_price: Decimal,
        next_receipt: Option<NaiveDate>,
    ) -> Self {
        let fields = [product.sku.as_str(), &product.name, &product.description];
        let mut search_text = fields.map(str::to_lowercase).join("\n");
        for attribute in &product.attributes {
            search_text.push('\n');
            search_text.push_str(&attribute.value.to_lowercase());
        }
        Self {
            product,
            list_price,
            next_receipt,
            search_text,
        }
    }
}

/// A customer with its price list.
#[derive(Debug)]
pub(super) struct CustomerEntry {
    pub customer: Customer,
    pub price_list: PriceList,
}

/// What does not change while the demo runs.
#[derive(Debug, Default)]
pub(super) struct Catalog {
    pub categories: Vec<Category>,
    /// Keyed by SKU, so iteration is already in the order searches answer in.
    pub products: BTreeMap<Sku, ProductEntry>,
    pub customers: BTreeMap<CustomerId, CustomerEntry>,
    pub invoices: Vec<Invoice>,
}

impl Catalog {
    /// A page of products whose text holds every word of the query, case-insensitively.
    pub(super) fn search(&self, query: &CatalogQuery) -> ProductPage {
        let words: Vec<String> = query
            .text
            .as_deref()
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        let matches: Vec<&ProductEntry> = self
            .products
            .values()
            .filter(|e| {
                query
                    .category
                    .as_ref()
                    .is_none_or(|c| &e.product.category == c)
            })
            .filter(|e| words.iter().all(|w| e.search_text.contains(w.as_str())))
            .collect();
        let items = matches
            .iter()
            .skip(query.offset())
            .take(query.per_page as usize)
            .map(|e| e.product.clone())
            .collect();
        ProductPage {
            items,
            total: matches.len() as u64,
            page: query.page,
            per_page: query.per_page,
        }
    }

    /// The customer's price ladder for a product; `None` for an unknown SKU.
    pub(super) fn price(
        &self,
        entry: &CustomerEntry,
        sku: &Sku,
        as_of: DateTime<Utc>,
    ) -> Option<Price> {
        let product = self.products.get(sku)?;
        let ladder = entry
            .price_list
            .ladder(sku, &product.product.category, product.list_price);
        Price::new(sku.clone(), entry.customer.currency, ladder, as_of)
    }
}

/// What buyers change: stock on hand, the orders themselves and saved carts.
#[derive(Debug, Default)]
pub(super) struct Ledger {
    pub stock: HashMap<Sku, u32>,
    pub orders: Vec<Order>,
    /// Each customer's saved cart; a customer without one has no entry.
    pub saved_carts: HashMap<CustomerId, SavedCart>,
}

/// Sorts newest first: by date, then by number. A longer number counts as the larger one, so
/// that `SO-100000` sorts above `SO-99999` as it would numerically.
pub(super) fn newest_first<T>(items: &mut [T], key: impl Fn(&T) -> (NaiveDate, &str)) {
    items.sort_by(|a, b| {
        let ((date_a, number_a), (date_b, number_b)) = (key(a), key(b));
        let rank_b = (date_b, number_b.len(), number_b);
        rank_b.cmp(&(date_a, number_a.len(), number_a))
    });
}

impl Ledger {
    /// The customer's order placed with this key.
    pub(super) fn by_key(&self, customer: &CustomerId, key: &IdempotencyKey) -> Option<&Order> {
        self.orders
            .iter()
            .find(|o| &o.customer == customer && o.idempotency_key.as_ref() == Some(key))
    }

    /// Every order of the customer placed with this key, in the order they were entered.
    pub(super) fn orders_with_key<'a>(
        &'a self,
        customer: &'a CustomerId,
        key: &'a IdempotencyKey,
    ) -> impl Iterator<Item = &'a Order> {
        self.orders
            .iter()
            .filter(move |o| &o.customer == customer && o.idempotency_key.as_ref() == Some(key))
    }

    /// One of the customer's orders.
    pub(super) fn order(&self, customer: &CustomerId, number: &OrderNumber) -> Option<&Order> {
        self.orders
            .iter()
            .find(|o| &o.customer == customer && &o.number == number)
    }

    fn next_number(&self) -> ErpResult<OrderNumber> {
        let highest = self
            .orders
            .iter()
            .filter_map(|o| o.number.as_str().strip_prefix("SO-")?.parse::<u64>().ok())
            .max()
            .unwrap_or(100_000);
        OrderNumber::parse(format!("SO-{}", highest + 1))
            .map_err(|e| ErpError::invalid_data(format!("next order number: {e}")))
    }

    /// Enters an order exactly once per customer and key, pricing it with the customer's price
    /// list and booking its quantities out of stock.
    pub(super) fn create_order(
        &mut self,
        catalog: &Catalog,
        key: &IdempotencyKey,
        new: &NewOrder,
        now: DateTime<Utc>,
    ) -> ErpResult<Order> {
        if !catalog.customers.contains_key(&new.customer) {
            return Err(ErpError::NotFound);
        }
        if let Some(existing) = self.by_key(&new.customer, key) {
            return Ok(existing.clone());
        }
        self.enter_order(catalog, key, new, now)
    }

    /// Enters an order whatever other orders carry `key`: half of [`Self::create_order`], for
    /// the unserialised mode (`super::unserialised`), which settles duplicates afterwards.
    pub(super) fn enter_order(
        &mut self,
        catalog: &Catalog,
        key: &IdempotencyKey,
        new: &NewOrder,
        now: DateTime<Utc>,
    ) -> ErpResult<Order> {
        let entry = catalog
            .customers
            .get(&new.customer)
            .ok_or(ErpError::NotFound)?;
        if new.lines.is_empty() {
            return Err(ErpError::rejected("The order has no lines."));
        }
        let mut merged: Vec<(&Sku, u32)> = Vec::with_capacity(new.lines.len());
        for line in &new.lines {
            if !catalog.products.contains_key(&line.sku) {
                return Err(ErpError::rejected(format!(
                    "Product {} is not in the catalog.",
                    line.sku
                )));
            }
            match merged.iter_mut().find(|(sku, _)| *sku == &line.sku) {
                Some((_, quantity)) => *quantity += line.quantity.get(),
                None => merged.push((&line.sku, line.quantity.get())),
            }
        }
        if let Some((sku, _)) = merged.iter().find(|(_, q)| *q > Quantity::MAX) {
            return Err(ErpError::rejected(format!(
                "Product {sku} cannot be ordered in a quantity above {}.",
                Quantity::MAX
            )));
        }
        let customer = &entry.customer;
        let ship_to = match &new.ship_to {
            Some(id) => customer.ship_to(id).ok_or_else(|| {
                ErpError::rejected("The chosen ship-to address is not one of yours.")
            })?,
            None => customer.ship_tos.first().ok_or_else(|| {
                ErpError::invalid_data(format!("customer {} has no ship-to", customer.id))
            })?,
        };

        let mut lines = Vec::with_capacity(merged.len());
        for &(sku, quantity) in &merged {
            let product = &catalog.products[sku].product;
            let price = catalog
                .price(entry, sku, now)
                .ok_or_else(|| ErpError::invalid_data(format!("no price for {sku}")))?;
            let unit_price = price.unit_price(quantity);
            lines.push(OrderLine {
                sku: sku.clone(),
                name: product.name.clone(),
                quantity: quantity.into(),
                unit: product.unit.clone(),
                unit_price,
                net: Money::new(line_net(unit_price.amount, quantity), customer.currency),
                shipped: Some(LineQuantity::default()),
            });
        }
        let net: Decimal = lines.iter().map(|l| l.net.amount).sum();
        let (tax, gross) = tax_and_gross(net);
        let money = |amount| Money::new(amount, customer.currency);

        let order = Order {
            number: self.next_number()?,
            customer: customer.id.clone(),
            po_number: new.po_number.clone(),
            status: OrderStatus::Received,
            placed_on: now.date_naive(),
            ship_to: ship_to.clone(),
            requested_date: new.requested_date,
            note: new.note.clone(),
            placed_by: new.placed_by.clone(),
            idempotency_key: Some(key.clone()),
            lines,
            totals: OrderTotals {
                net: money(net),
                tax: money(tax),
                gross: money(gross),
            },
            deliveries: Vec::new(),
        };
        for (sku, quantity) in merged {
            // Orders beyond stock are accepted as backorders; what is available never goes negative.
            if let Some(on_hand) = self.stock.get_mut(sku) {
                *on_hand = on_hand.saturating_sub(quantity);
            }
        }
        self.orders.push(order.clone());
        Ok(order)
    }

    /// Takes an order back out, returning its quantities to stock.
    pub(super) fn withdraw(&mut self, number: &OrderNumber) {
        let Some(index) = self.orders.iter().position(|o| &o.number == number) else {
            return;
        };
        let order = self.orders.remove(index);
        for line in &order.lines {
            if let Some(on_hand) = self.stock.get_mut(&line.sku) {
                *on_hand = on_hand.saturating_add(line.quantity.whole().unwrap_or(0));
            }
        }
    }
}
