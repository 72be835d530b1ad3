//! What the rules of one run share: the subject, a sample of the catalog, and the one test
//! order the suite creates, made on first use so that a run creates at most one order.

use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::OnceCell;

use super::{During, Subject, TEST_ORDER_NOTE};
use crate::domain::{
    CatalogQuery, IdempotencyKey, NewOrder, NewOrderLine, Order, Price, Product, Quantity, Sku,
};

/// How many products the rules sample from the start of the catalog.
pub(super) const SAMPLE_SIZE: u32 = 20;

/// The suite's test order: what was submitted, under which key, what came back, and the prices
/// quoted for its lines just before.
pub(super) struct TestOrder {
    pub key: IdempotencyKey,
    pub submitted: NewOrder,
    pub created: Order,
    pub quoted: Vec<Price>,
}

/// The state of one run.
pub(super) struct Context<'s> {
    pub subject: &'s Subject,
    /// Fixed for the run, so that a test order whose creation was cut short by a timeout is
    /// retried with the same key and never makes a second order on a conforming adapter.
    key: IdempotencyKey,
    po_number: String,
    sample: OnceCell<Result<Vec<Product>, String>>,
    test_order: OnceCell<Result<TestOrder, String>>,
    /// Whether the test order was asked for: it may be in the ERP even if the call timed out.
    create_attempted: AtomicBool,
}

impl<'s> Context<'s> {
    pub fn new(subject: &'s Subject) -> Self {
        Self {
            subject,
            key: IdempotencyKey::generate(),
            po_number: format!("TEST-{}", short_random()),
            sample: OnceCell::new(),
            test_order: OnceCell::new(),
            create_attempted: AtomicBool::new(false),
        }
    }

    /// The first [`SAMPLE_SIZE`] products of the catalog; an empty catalog is a failure, as
    /// nothing can be checked against it.
    pub async fn sample(&self) -> Result<&[Product], String> {
        let sample = self
            .sample
            .get_or_init(|| async {
                let query = CatalogQuery::new(None, None, 1, SAMPLE_SIZE);
                let page = self
                    .subject
                    .erp
                    .search_products(&query)
                    .await
                    .during("search_products(page 1)")?;
                if page.items.is_empty() {
                    return Err("the catalog is empty: the suite needs products to check".into());
                }
                Ok(page.items)
            })
            .await;
        sample.as_deref().map_err(Clone::clone)
    }

    /// The PO number of the run's test orders, which every test order's PO starts with.
    pub fn po_number(&self) -> &str {
        &self.po_number
    }

    /// Whether the run asked the ERP to create its test order (and so may have left orders).
    pub fn created_orders(&self) -> bool {
        self.create_attempted.load(Ordering::SeqCst)
    }

    /// The SKUs of [`Self::sample`].
    pub async fn sample_skus(&self) -> Result<Vec<Sku>, String> {
        Ok(self.sample().await?.iter().map(|p| p.sku.clone()).collect())
    }

    /// The test order, created for the subject's test customer on first use.
    pub async fn test_order(&self) -> Result<&TestOrder, String> {
        let order = self
            .test_order
            .get_or_init(|| async {
                self.create_test_order()
                    .await
                    .map_err(|reason| format!("creating the test order: {reason}"))
            })
            .await;
        order.as_ref().map_err(Clone::clone)
    }

    async fn create_test_order(&self) -> Result<TestOrder, String> {
        let erp = &self.subject.erp;
        let customer = &self.subject.customer;
        let skus = self.sample_skus().await?;
        let buyer = erp
            .customer(customer)
            .await
            .during(format_args!("customer({customer})"))?;
        let quoted = erp
            .prices(customer, &skus)
            .await
            .during(format_args!("prices({customer}, …)"))?;
        let available = erp.availability(&skus).await.during("availability(…)")?;
        let in_stock = |price: &Price, quantity: u32| {
            available
                .iter()
                .any(|a| a.sku == price.sku && a.available >= quantity)
        };
        // The first line crosses into the second price step when there is one, so that the
        // order shows whether the ERP charges what its ladder quotes.
        let quantity_for = |price: &Price| {
            price
                .tiers
                .get(1)
                .map_or(2, |t| t.min_quantity.min(Quantity::MAX))
        };
        let first = quoted
            .iter()
            .find(|p| in_stock(p, quantity_for(p)))
            .or(quoted.first())
            .ok_or_else(|| format!("{customer} has no price for any of the SKUs {skus:?}"))?;
        let second = quoted
            .iter()
            .filter(|p| p.sku != first.sku)
            .find(|p| in_stock(p, 1))
            .or_else(|| quoted.iter().find(|p| p.sku != first.sku));
        let mut lines = vec![line(&first.sku, quantity_for(first))?];
        if let Some(second) = second {
            lines.push(line(&second.sku, 1)?);
        }
        let submitted = NewOrder {
            customer: customer.clone(),
            po_number: self.po_number.clone(),
            ship_to: buyer.ship_tos.first().map(|a| a.id.clone()),
            requested_date: None,
            note: Some(TEST_ORDER_NOTE.to_owned()),
            lines,
            placed_by: None,
        };
        self.create_attempted.store(true, Ordering::SeqCst);
        let created = erp
            .create_order(&self.key, &submitted)
            .await
            .during(format_args!("create_order({})", self.key))?;
        Ok(TestOrder {
            key: self.key.clone(),
            submitted,
            created,
            quoted,
        })
    }
}

fn line(sku: &Sku, quantity: u32) -> Result<NewOrderLine, String> {
    let quantity = Quantity::new(quantity.into()).map_err(|e| format!("{sku}: {e}"))?;
    Ok(NewOrderLine {
        sku: sku.clone(),
        quantity,
    })
}

/// Eight random upper-case hex digits, to tell one run's records from another's.
pub(super) fn short_random() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_uppercase()
}
