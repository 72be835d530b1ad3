//! The gateway's own single flight (`src/ordering.rs`): submissions of one key on one instance
//! share one `create_order` call, and a submission that is dropped half-way (the buyer closed
//! the tab, the request deadline answered first) does not keep the next one waiting.

use std::sync::Arc;
use std::time::Duration;

use erpfront::domain::{CustomerId, IdempotencyKey, NewOrder, NewOrderLine, Quantity, Sku};
use erpfront::erp::Erp;
use erpfront::erp::demo::DemoErp;
use erpfront::ordering::Ordering;

use crate::support::CountingErp;

fn order(po: &str) -> NewOrder {
    NewOrder {
        customer: CustomerId::parse("C-1000").unwrap(),
        po_number: po.into(),
        ship_to: None,
        requested_date: None,
        note: None,
        lines: vec![NewOrderLine {
            sku: Sku::parse("FAS-1001").unwrap(),
            quantity: Quantity::new(3).unwrap(),
        }],
        placed_by: None,
    }
}

fn counting_demo_erp() -> Arc<CountingErp> {
    Arc::new(CountingErp::new(Arc::new(
        DemoErp::embedded().expect("demo data loads"),
    )))
}

/// How many orders the ERP holds with this PO number.
async fn held(erp: &CountingErp, po: &str) -> usize {
    let customer = CustomerId::parse("C-1000").unwrap();
    let orders = erp.orders(&customer).await.unwrap();
    orders.iter().filter(|o| o.po_number == po).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_submissions_of_one_key_make_one_create_call() {
    let erp = counting_demo_erp();
    // Slow enough that every submission arrives while the first create is still under way.
    erp.set_delay(Duration::from_millis(300));
    let ordering = Arc::new(Ordering::new(erp.clone()));
    let key = IdempotencyKey::generate();
    let submissions: Vec<_> = (0..8)
        .map(|_| {
            let (ordering, key) = (ordering.clone(), key.clone());
            tokio::spawn(async move { ordering.place(&key, order("PO-SINGLE-FLIGHT")).await })
        })
        .collect();
    let mut numbers = Vec::new();
    for submission in submissions {
        let placed = submission
            .await
            .unwrap()
            .expect("every submission gets the order");
        numbers.push(placed.order().number.clone());
    }
    numbers.dedup();
    assert_eq!(
        numbers.len(),
        1,
        "every answer names one order: {numbers:?}"
    );
    assert_eq!(
        erp.calls("create_order"),
        1,
        "eight submissions of one key, one create_order"
    );
    erp.set_delay(Duration::ZERO);
    assert_eq!(held(&erp, "PO-SINGLE-FLIGHT").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_submission_does_not_strand_the_next_one() {
    let erp = counting_demo_erp();
    erp.set_delay(Duration::from_millis(400));
    let ordering = Arc::new(Ordering::new(erp.clone()));
    let key = IdempotencyKey::generate();

    let first = {
        let (ordering, key) = (ordering.clone(), key.clone());
        tokio::spawn(async move { ordering.place(&key, order("PO-DROPPED")).await })
    };
    // Dropped while its create is waiting in the ERP (after the lookup before it).
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(
        erp.calls("create_order") == 1,
        "the first submission's create is under way"
    );
    first.abort();
    assert!(first.await.unwrap_err().is_cancelled());

    let second = tokio::time::timeout(
        Duration::from_secs(5),
        ordering.place(&key, order("PO-DROPPED")),
    )
    .await
    .expect("the next submission of the key is not left waiting for the dropped one")
    .expect("and it places the order");
    erp.set_delay(Duration::ZERO);
    assert_eq!(held(&erp, "PO-DROPPED").await, 1);
    let found = erp
        .find_order_by_key(&CustomerId::parse("C-1000").unwrap(), &key)
        .await
        .unwrap()
        .expect("the order carries its key");
    assert_eq!(found.number, second.order().number);
}
