//! The API document is the contract: a property-based fuzzer (Schemathesis, provisioned by
//! `tests/api_fuzz/schemathesis.sh`) generates requests from `/api/v1/openapi.json` alone and
//! finds no server error, no undocumented status, header or body, and gets orders created.

use tokio::process::Command;

use crate::support::{NORTHWIND_TOKEN, spawn_app};

#[tokio::test]
async fn a_fuzzer_working_from_the_document_alone_finds_nothing_undocumented_and_places_orders() {
    let app = spawn_app().await;
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/api_fuzz/schemathesis.sh"
    );
    let run = Command::new(script)
        .arg(&app.address)
        .arg(NORTHWIND_TOKEN)
        .env("SCHEMATHESIS_MAX_TIME", "60")
        .kill_on_drop(true)
        .output()
        .await
        .expect("the fuzz script runs");
    let report = String::from_utf8_lossy(&run.stdout);
    let summary: Vec<&str> = report
        .lines()
        .skip_while(|l| !l.contains("SUMMARY"))
        .collect();
    println!("{}", summary.join("\n"));
    assert!(
        run.status.success(),
        "the fuzzer found problems:\n{report}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        app.erp.calls("create_order") > 0,
        "the fuzzer reached order creation"
    );
}
