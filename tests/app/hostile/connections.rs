//! Idle, trickling and kept-alive connections are closed in time, and a full house of idle
//! connections makes room for a new client.

use std::sync::Arc;
use std::time::{Duration, Instant};

use erpfront::erp::demo::DemoErp;
use tokio::io::AsyncWriteExt;

use super::{closed_within, connect, read_status};
use crate::support::{CountingErp, spawn_app_configured};

fn demo_erp() -> Arc<CountingErp> {
    Arc::new(CountingErp::new(Arc::new(DemoErp::embedded().unwrap())))
}

#[tokio::test]
async fn idle_trickling_and_kept_alive_connections_are_closed_after_their_timeouts() {
    let app = spawn_app_configured(demo_erp(), |c| {
        c.server.header_read_timeout_secs = 1;
        c.server.keep_alive_secs = 1;
    })
    .await;
    let mut idle = connect(&app.address).await;
    let mut kept_alive = connect(&app.address).await;
    kept_alive
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: erpfront\r\n\r\n")
        .await
        .unwrap();
    assert_eq!(
        read_status(&mut kept_alive, Duration::from_secs(2)).await,
        Some(200)
    );
    let mut trickling = connect(&app.address).await;
    let trickle = tokio::spawn(async move {
        let head = b"GET /catalog HTTP/1.1\r\nhost: erpfront\r\nx-slow: ";
        for byte in head.iter().chain(b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") {
            if trickling.write_all(&[*byte]).await.is_err() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    });
    let started = Instant::now();
    assert!(
        closed_within(&mut idle, Duration::from_secs(4)).await,
        "an idle connection"
    );
    assert!(
        closed_within(&mut kept_alive, Duration::from_secs(4)).await,
        "an idle kept-alive connection"
    );
    assert!(
        tokio::time::timeout(Duration::from_secs(6), trickle)
            .await
            .expect("the trickle ends")
            .unwrap(),
        "a connection trickling its head byte by byte is cut off"
    );
    println!(
        "idle, kept-alive and trickling connections closed after {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn at_the_connection_cap_idle_connections_make_room_for_a_new_client() {
    let app = spawn_app_configured(demo_erp(), |c| {
        c.server.max_connections = 16;
        c.server.header_read_timeout_secs = 60;
        c.server.keep_alive_secs = 60;
    })
    .await;
    let mut idle = Vec::new();
    for _ in 0..40 {
        idle.push(connect(&app.address).await);
    }
    let started = Instant::now();
    let answer = reqwest::Client::new()
        .get(app.url("/healthz"))
        .timeout(Duration::from_secs(3))
        .send()
        .await
        .expect("a new client is served");
    assert!(answer.status().is_success());
    println!(
        "served a new client next to 40 idle connections (cap 16) in {:?}",
        started.elapsed()
    );
    let mut closed = 0;
    for stream in &mut idle {
        if closed_within(stream, Duration::from_millis(20)).await {
            closed += 1;
        }
    }
    assert!(closed >= 24, "the oldest idle ones were closed: {closed}");
}
