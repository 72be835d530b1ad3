//! `erpfront check-adapter`, run as the real binary.

use std::path::PathBuf;
use std::process::{Command, Output};

const CONFIG: &str = r#"
[session]
key = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODkrLw=="
[support]
company = "Acme"
phone = "+49 30 1234"
email = "help@acme.example"
[users]
file = "users.toml"
[erp]
kind = "demo"
"#;

fn check_adapter(args: &[&str]) -> (Output, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_erpfront"))
        .arg("check-adapter")
        .args(args)
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output, stdout, stderr)
}

fn config_file(text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("erpfront-check-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("erpfront.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn assert_passes(output: &Output, stdout: &str, stderr: &str) {
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("Checking the demo adapter"), "{stdout}");
    assert!(stdout.contains("PASS  catalog.paging"), "{stdout}");
    assert!(
        stdout.contains("PASS  orders.idempotent_create"),
        "{stdout}"
    );
    assert!(stdout.contains("SKIP  faults.timeout"), "{stdout}");
    assert!(stdout.contains(" 0 failed, 3 skipped"), "{stdout}");
    assert!(!stdout.contains("FAIL"), "{stdout}");
}

#[test]
fn checks_the_built_in_demo_erp() {
    let (output, stdout, stderr) = check_adapter(&["--demo"]);
    assert_passes(&output, &stdout, &stderr);
}

#[test]
fn checks_the_erp_a_configuration_names_with_its_customers() {
    let with_customers =
        format!("{CONFIG}\n[conformance]\ncustomer = \"C-2000\"\nother_customer = \"C-3000\"\n");
    let path = config_file(&with_customers);
    let (output, stdout, stderr) = check_adapter(&["--config", path.to_str().unwrap()]);
    assert_passes(&output, &stdout, &stderr);
}

#[test]
fn refuses_a_configuration_without_conformance_customers() {
    let path = config_file(CONFIG);
    let (output, stdout, stderr) = check_adapter(&["--config", path.to_str().unwrap()]);
    assert!(!output.status.success(), "{stdout}");
    assert!(stderr.contains("no [conformance] section"), "{stderr}");
    assert!(stderr.contains("other_customer = "), "{stderr}");
    assert!(!stdout.contains("PASS"), "{stdout}");
}
