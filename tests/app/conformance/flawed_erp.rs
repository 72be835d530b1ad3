//! The demo ERP with one deliberate contract violation each, to show that the conformance suite
//! catches it and says what went wrong.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use erpfront::domain::*;
use erpfront::erp::demo::DemoErp;
use erpfront::erp::{Erp, ErpLayer, ErpResult};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

#[derive(Clone, Copy)]
pub enum Flaw {
    /// Ignores the idempotency key: every create makes a new order.
    DuplicatesOnRetry,
    /// `order()` returns the order with that number whoever it belongs to.
    LeaksOrders,
    /// Adds up line amounts as floats for the order's net total.
    FloatTotals,
    /// `orders()` never answers.
    HangsListingOrders,
    /// Looks the key up, then creates in a second step with nothing held in between: one
    /// submission after another makes one order, racing ones make one each.
    LooksThenInserts,
    /// Drops who placed an order, and ships everything to the default ship-to.
    DropsDetails,
    /// Leaves unknown SKUs out of an order instead of refusing it.
    SkipsUnknownSkus,
    /// Lists orders oldest first.
    OldestFirst,
    /// Answers any unknown customer with the first customer it has.
    AnyCustomer,
    /// Sends prices through a float: `4.162400000000001`.
    FloatPrices,
}

pub struct FlawedErp {
    inner: DemoErp,
    flaw: Flaw,
    /// For `LooksThenInserts`: the key each order was submitted with, as the inner ERP holds it
    /// under a key of its own.
    submitted_keys: Mutex<Vec<(IdempotencyKey, CustomerId, OrderNumber)>>,
}

impl FlawedErp {
    pub fn new(flaw: Flaw) -> Arc<Self> {
        Arc::new(Self {
            inner: DemoErp::embedded().expect("demo data loads"),
            flaw,
            submitted_keys: Mutex::default(),
        })
    }

    fn tamper(&self, mut order: Order) -> Order {
        if let Flaw::DropsDetails = self.flaw {
            order.placed_by = None;
        }
        if let Flaw::FloatTotals = self.flaw {
            let sum: f64 = order
                .lines
                .iter()
                .map(|l| l.net.amount.to_f64().unwrap())
                .sum();
            order.totals.net.amount = Decimal::from_f64_retain(sum).unwrap();
        }
        order
    }
}

#[async_trait]
impl ErpLayer for FlawedErp {
    fn inner(&self) -> &dyn Erp {
        &self.inner
    }
    fn name(&self) -> &str {
        "flawed"
    }
    async fn create_order(&self, key: &IdempotencyKey, order: &NewOrder) -> ErpResult<Order> {
        if let Flaw::LooksThenInserts = self.flaw {
            if let Some(found) = ErpLayer::find_order_by_key(self, &order.customer, key).await? {
                return Ok(found);
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            let created = self
                .inner
                .create_order(&IdempotencyKey::generate(), order)
                .await?;
            let entry = (key.clone(), order.customer.clone(), created.number.clone());
            self.submitted_keys.lock().unwrap().push(entry);
            return Ok(created);
        }
        let key = match self.flaw {
            Flaw::DuplicatesOnRetry => IdempotencyKey::generate(),
            _ => key.clone(),
        };
        let mut order = order.clone();
        if let Flaw::SkipsUnknownSkus = self.flaw {
            order
                .lines
                .retain(|l| !l.sku.as_str().starts_with("NO-SUCH-"));
        }
        if let Flaw::DropsDetails = self.flaw {
            order.ship_to = None;
        }
        self.inner
            .create_order(&key, &order)
            .await
            .map(|o| self.tamper(o))
    }
    async fn find_order_by_key(
        &self,
        customer: &CustomerId,
        key: &IdempotencyKey,
    ) -> ErpResult<Option<Order>> {
        if let Flaw::LooksThenInserts = self.flaw {
            let number = self
                .submitted_keys
                .lock()
                .unwrap()
                .iter()
                .find(|(k, c, _)| k == key && c == customer)
                .map(|(_, _, number)| number.clone());
            return match number {
                Some(number) => self.inner.order(customer, &number).await.map(Some),
                None => Ok(None),
            };
        }
        let found = self.inner.find_order_by_key(customer, key).await?;
        Ok(found.map(|o| self.tamper(o)))
    }
    async fn orders(&self, customer: &CustomerId) -> ErpResult<Vec<OrderSummary>> {
        if let Flaw::HangsListingOrders = self.flaw {
            std::future::pending::<()>().await;
        }
        let mut orders = self.inner.orders(customer).await?;
        if let Flaw::OldestFirst = self.flaw {
            orders.reverse();
        }
        Ok(orders)
    }
    async fn customer(&self, customer: &CustomerId) -> ErpResult<Customer> {
        match self.inner.customer(customer).await {
            Err(erpfront::erp::ErpError::NotFound) if matches!(self.flaw, Flaw::AnyCustomer) => {
                self.inner
                    .customer(&CustomerId::parse("C-1000").unwrap())
                    .await
            }
            answer => answer,
        }
    }
    async fn prices(&self, customer: &CustomerId, skus: &[Sku]) -> ErpResult<Vec<Price>> {
        let mut prices = self.inner.prices(customer, skus).await?;
        if let Flaw::FloatPrices = self.flaw {
            for price in &mut prices {
                for tier in &mut price.tiers {
                    let float = tier.unit_price.to_f64().unwrap() * 1.000_000_000_000_000_2;
                    tier.unit_price = Decimal::from_f64_retain(float + 1e-15).unwrap();
                }
            }
        }
        Ok(prices)
    }
    async fn order(&self, customer: &CustomerId, number: &OrderNumber) -> ErpResult<Order> {
        if let Flaw::LeaksOrders = self.flaw {
            for anyone in ["C-1000", "C-2000", "C-3000"] {
                let anyone = CustomerId::parse(anyone).unwrap();
                if let Ok(order) = self.inner.order(&anyone, number).await {
                    return Ok(order);
                }
            }
        }
        self.inner
            .order(customer, number)
            .await
            .map(|o| self.tamper(o))
    }
}
