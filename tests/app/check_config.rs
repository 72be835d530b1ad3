//! `erpfront check-config` through the built binary: a good configuration passes, and each way
//! of being unusable gets its exit status and a message naming what is wrong.

use std::path::{Path, PathBuf};

use crate::support::processes::{Scratch, erpfront, free_port, instance_config, session_key};

fn demo_users() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/users.toml")
}

async fn check_config(args: &[&str]) -> (Option<i32>, String) {
    let out = erpfront()
        .arg("check-config")
        .args(args)
        .output()
        .await
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

#[tokio::test]
async fn check_config_says_what_is_wrong_without_serving() {
    let scratch = Scratch::new("check-config");
    let key = session_key();
    let write = |name: &str, text: &str| {
        let path = scratch.path(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    // The port is taken: a check must not try to bind it.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let good = write(
        "good.toml",
        &instance_config(port, &key, &demo_users(), "[erp]\nkind = \"demo\"\n"),
    );
    let (code, text) = check_config(&["--config", &good, "--reach-erp"]).await;
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("users file") && text.contains("ERP demo: answered"),
        "{text}"
    );

    let broken_users = write("users.toml", "[[users]]\nlogin = \"x\"\n");
    let bad_users = write(
        "bad-users.toml",
        &instance_config(
            port,
            &key,
            Path::new(&broken_users),
            "[erp]\nkind = \"demo\"\n",
        ),
    );
    let (code, text) = check_config(&["--config", &bad_users]).await;
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("users file") && text.contains("missing field"),
        "{text}"
    );

    let bad_key = write(
        "bad-key.toml",
        &instance_config(port, "c2hvcnQ=", &demo_users(), "[erp]\nkind = \"demo\"\n"),
    );
    let (code, text) = check_config(&["--config", &bad_key]).await;
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("session.key"), "{text}");

    let (code, text) = check_config(&[
        "--config",
        &scratch.path("missing.toml").display().to_string(),
    ])
    .await;
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("does not exist"), "{text}");

    // Fine settings, but nobody answers at the ERP's address.
    let nobody = free_port();
    let unreachable = write(
        "unreachable.toml",
        &instance_config(
            port,
            &key,
            &demo_users(),
            &format!("[erp]\nkind = \"http\"\nbase_url = \"http://127.0.0.1:{nobody}/\"\n"),
        ),
    );
    let (code, text) = check_config(&["--config", &unreachable]).await;
    assert_eq!(
        code,
        Some(0),
        "without --reach-erp the ERP is not called: {text}"
    );
    let (code, text) = check_config(&["--config", &unreachable, "--reach-erp"]).await;
    assert_eq!(code, Some(3), "{text}");
    assert!(text.contains("did not answer"), "{text}");
}
