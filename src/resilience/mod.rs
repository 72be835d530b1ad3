//! Protecting the ERP and bounding every call: [`ResilientErp`] wraps an adapter with a
//! concurrency limit that queues briefly and then sheds, a deadline per call, retries for reads
//! only (jittered, within a retry budget), and a circuit breaker that fails fast while the ERP
//! is down and closes by itself when it answers again.

pub mod breaker;
pub mod health;

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use tokio::sync::Semaphore;
use tower::retry::budget::{Budget, TpsBudget};

use crate::config::ResilienceConfig;
use crate::domain::{
    Availability, CatalogQuery, Category, Customer, CustomerId, CustomerSummary, Document,
    IdempotencyKey, Invoice, InvoiceNumber, InvoiceSummary, NewOrder, Order, OrderHit, OrderNumber,
    OrderSearch, OrderSummary, Price, Product, ProductPage, Sku,
};
use crate::erp::{Erp, ErpError, ErpResult};

use breaker::Breaker;
use health::{ErpHealth, Thresholds};

/// Whether a call may be repeated: reads yes, order creation never (its retry is a new
/// submission with the same idempotency key, decided by [`crate::ordering`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Read,
    Write,
}

/// An [`Erp`] that protects the ERP behind it and never lets a call hang.
pub struct ResilientErp {
    inner: Arc<dyn Erp>,
    health: Arc<ErpHealth>,
    permits: Semaphore,
    queue_timeout: Duration,
    call_timeout: Duration,
    read_retries: u32,
    retry_backoff: Duration,
    budget: TpsBudget,
}

impl ResilientErp {
    /// Wraps `inner` with the limits in `config`.
    pub fn new(inner: Arc<dyn Erp>, config: &ResilienceConfig) -> Self {
        let breaker = Breaker::new(
            config.breaker_failures,
            Duration::from_millis(config.breaker_open_ms),
        );
        Self {
            health: Arc::new(ErpHealth::new(
                inner.name(),
                breaker,
                Thresholds {
                    slow: Duration::from_millis(config.slow_answer_ms),
                },
            )),
            inner,
            permits: Semaphore::new(config.max_concurrent_calls),
            queue_timeout: Duration::from_millis(config.queue_timeout_ms),
            call_timeout: Duration::from_millis(config.call_timeout_ms),
            read_retries: config.read_retries,
            retry_backoff: Duration::from_millis(config.retry_backoff_ms),
            // At most one retry per five calls over ten seconds, plus ten a second to start.
            budget: TpsBudget::new(Duration::from_secs(10), 10, 0.2),
        }
    }

    /// The ERP's health as seen from here, for the status page.
    pub fn health(&self) -> Arc<ErpHealth> {
        self.health.clone()
    }

    async fn call<T, F, Fut>(&self, operation: &'static str, kind: Kind, call: F) -> ErpResult<T>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = ErpResult<T>>,
    {
        let mut retries = 0;
        loop {
            let result = self.once(operation, &call).await;
            match &result {
                Ok(_) => self.budget.deposit(),
                // Only a refused connection or a server error is worth repeating: a timeout
                // would double the wait, and anything else would fail the same way again.
                Err(ErpError::Unavailable { .. })
                    if kind == Kind::Read
                        && retries < self.read_retries
                        && self.budget.withdraw() =>
                {
                    retries += 1;
                    let jitter = self.retry_backoff.mul_f64(fastrand::f64());
                    tokio::time::sleep(self.retry_backoff * retries + jitter).await;
                    tracing::debug!(erp.operation = operation, retries, "retrying ERP read");
                    continue;
                }
                Err(_) => {}
            }
            return result;
        }
    }

    async fn once<T, F, Fut>(&self, operation: &'static str, call: &F) -> ErpResult<T>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = ErpResult<T>>,
    {
        // Queue briefly for a slot, then shed: the ERP must not see more than its limit.
        let Ok(Ok(_permit)) =
            tokio::time::timeout(self.queue_timeout, self.permits.acquire()).await
        else {
            tracing::warn!(
                erp.operation = operation,
                "ERP call shed: too many under way"
            );
            return Err(ErpError::Overloaded);
        };
        // The pass reports a dropped probe as failed, so the breaker cannot stay half-open.
        let Ok(pass) = self.health.breaker.admit() else {
            return Err(ErpError::CircuitOpen);
        };
        let started = Instant::now();
        let result = match tokio::time::timeout(self.call_timeout, call()).await {
            Ok(result) => result,
            Err(_) => Err(ErpError::Timeout),
        };
        let failed = result.as_ref().err().is_some_and(ErpError::is_erp_failure);
        pass.record(failed);
        self.health.observe(started.elapsed(), failed);
        if let Err(err) = &result
            && failed
        {
            let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            tracing::warn!(erp.operation = operation, error = %err, duration_ms, "ERP call failed");
        }
        result
    }
}

#[async_trait]
impl Erp for ResilientErp {
    fn name(&self) -> &str {
        self.inner.name()
    }

    async fn health(&self) -> ErpResult<()> {
        self.call("health", Kind::Read, || self.inner.health())
            .await
    }

    async fn categories(&self) -> ErpResult<Vec<Category>> {
        self.call("categories", Kind::Read, || self.inner.categories())
            .await
    }

    async fn search_products(&self, query: &CatalogQuery) -> ErpResult<ProductPage> {
        self.call("search_products", Kind::Read, || {
            self.inner.search_products(query)
        })
        .await
    }

    async fn product(&self, sku: &Sku) -> ErpResult<Product> {
        self.call("product", Kind::Read, || self.inner.product(sku))
            .await
    }

    async fn prices(&self, customer: &CustomerId, skus: &[Sku]) -> ErpResult<Vec<Price>> {
        self.call("prices", Kind::Read, || self.inner.prices(customer, skus))
            .await
    }

    async fn availability(&self, skus: &[Sku]) -> ErpResult<Vec<Availability>> {
        self.call("availability", Kind::Read, || self.inner.availability(skus))
            .await
    }

    async fn customer(&self, customer: &CustomerId) -> ErpResult<Customer> {
        self.call("customer", Kind::Read, || self.inner.customer(customer))
            .await
    }

    async fn create_order(&self, key: &IdempotencyKey, order: &NewOrder) -> ErpResult<Order> {
        self.call("create_order", Kind::Write, || {
            self.inner.create_order(key, order)
        })
        .await
    }

    async fn find_order_by_key(
        &self,
        customer: &CustomerId,
        key: &IdempotencyKey,
    ) -> ErpResult<Option<Order>> {
        self.call("find_order_by_key", Kind::Read, || {
            self.inner.find_order_by_key(customer, key)
        })
        .await
    }

    async fn orders(&self, customer: &CustomerId) -> ErpResult<Vec<OrderSummary>> {
        self.call("orders", Kind::Read, || self.inner.orders(customer))
            .await
    }

    async fn order(&self, customer: &CustomerId, number: &OrderNumber) -> ErpResult<Order> {
        self.call("order", Kind::Read, || self.inner.order(customer, number))
            .await
    }

    async fn invoices(&self, customer: &CustomerId) -> ErpResult<Vec<InvoiceSummary>> {
        self.call("invoices", Kind::Read, || self.inner.invoices(customer))
            .await
    }

    async fn invoice(&self, customer: &CustomerId, number: &InvoiceNumber) -> ErpResult<Invoice> {
        self.call("invoice", Kind::Read, || {
            self.inner.invoice(customer, number)
        })
        .await
    }

    async fn invoice_document(
        &self,
        customer: &CustomerId,
        number: &InvoiceNumber,
    ) -> ErpResult<Document> {
        self.call("invoice_document", Kind::Read, || {
            self.inner.invoice_document(customer, number)
        })
        .await
    }

    async fn search_orders(&self, search: &OrderSearch) -> ErpResult<Vec<OrderHit>> {
        self.call("search_orders", Kind::Read, || {
            self.inner.search_orders(search)
        })
        .await
    }

    async fn search_customers(&self, text: &str) -> ErpResult<Vec<CustomerSummary>> {
        self.call("search_customers", Kind::Read, || {
            self.inner.search_customers(text)
        })
        .await
    }
}
