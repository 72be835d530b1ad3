//! One customer never sees another's records, even from an adapter that leaks them.
//!
//! The conformance suite holds an adapter to isolation once; [`CustomerGuard`] holds every answer
//! to it at run time. It sits right on the adapter, inside resilience and cache, so a leaked
//! record is refused before anything can keep or show it: every record that names its customer
//! (an order, an invoice, a customer) must name the one asked for, else the call fails as
//! invalid data (the buyer gets the polite "the ERP answered something we could not use" page)
//! and the leak is logged and counted — without the other customer's number, which is theirs.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;

use crate::domain::{
    Customer, CustomerId, IdempotencyKey, Invoice, InvoiceNumber, NewOrder, Order, OrderNumber,
};
use crate::erp::{Erp, ErpError, ErpLayer, ErpResult};

/// Refuses records of another customer than the one asked for.
pub struct CustomerGuard {
    inner: Arc<dyn Erp>,
    refused: AtomicU64,
}

impl CustomerGuard {
    /// Guards `inner`'s answers.
    pub fn new(inner: Arc<dyn Erp>) -> Self {
        Self {
            inner,
            refused: AtomicU64::new(0),
        }
    }

    /// How many answers were refused for naming another customer.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    fn own<T>(
        &self,
        operation: &'static str,
        asked: &CustomerId,
        held: &CustomerId,
        record: T,
    ) -> ErpResult<T> {
        if held == asked {
            return Ok(record);
        }
        self.refused.fetch_add(1, Ordering::Relaxed);
        tracing::error!(
            operation,
            customer = %asked,
            "the adapter answered with another customer's record; refused"
        );
        Err(ErpError::invalid_data(format!(
            "{operation}: the adapter answered with a record of another customer than {asked}"
        )))
    }
}

#[async_trait]
impl ErpLayer for CustomerGuard {
    fn inner(&self) -> &dyn Erp {
        &*self.inner
    }

    async fn customer(&self, customer: &CustomerId) -> ErpResult<Customer> {
        let found = self.inner.customer(customer).await?;
        let id = found.id.clone();
        self.own("customer", customer, &id, found)
    }

    async fn create_order(&self, key: &IdempotencyKey, order: &NewOrder) -> ErpResult<Order> {
        let created = self.inner.create_order(key, order).await?;
        let held = created.customer.clone();
        self.own("create_order", &order.customer, &held, created)
    }

    async fn find_order_by_key(
        &self,
        customer: &CustomerId,
        key: &IdempotencyKey,
    ) -> ErpResult<Option<Order>> {
        match self.inner.find_order_by_key(customer, key).await? {
            Some(order) => {
                let held = order.customer.clone();
                self.own("find_order_by_key", customer, &held, order)
                    .map(Some)
            }
            None => Ok(None),
        }
    }

    async fn order(&self, customer: &CustomerId, number: &OrderNumber) -> ErpResult<Order> {
        let order = self.inner.order(customer, number).await?;
        let held = order.customer.clone();
        self.own("order", customer, &held, order)
    }

    async fn invoice(&self, customer: &CustomerId, number: &InvoiceNumber) -> ErpResult<Invoice> {
        let invoice = self.inner.invoice(customer, number).await?;
        let held = invoice.customer.clone();
        self.own("invoice", customer, &held, invoice)
    }
}
