//! The deployment examples in `deploy/` are checked by the tools that will read them: the
//! Kubernetes manifests against the API's schemas (PyPI's kubernetes-validate, strict, installed
//! under target/ by `tests/deploy/kubernetes-validate.sh`), the ConfigMap's configuration and
//! users file by `erpfront check-config`, the systemd unit by `systemd-analyze verify` (skipped
//! where it is missing), the HAProxy example by `haproxy -c`. The container image is not built
//! here; its definition gets a static check of what it promises.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::processes::{Scratch, haproxy, session_key};

fn deploy(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("deploy")
        .join(path)
}

fn read(path: &str) -> String {
    std::fs::read_to_string(deploy(path)).unwrap()
}

fn run(command: &mut Command) -> (bool, String) {
    let out = command.output().expect("the checker runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

const MANIFESTS: &str = "kubernetes/erpfront.yaml";

#[test]
fn the_kubernetes_manifests_match_the_api_schemas() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/deploy/kubernetes-validate.sh");
    let (ok, text) = run(Command::new(script).arg(deploy(MANIFESTS)));
    assert!(ok, "kubernetes-validate: {text}");
    let manifests = read(MANIFESTS);
    for promise in [
        "kind: Deployment",
        "kind: Service",
        "kind: HorizontalPodAutoscaler",
        "kind: PodDisruptionBudget",
        "path: /healthz",
        "path: /readyz",
        "readOnlyRootFilesystem: true",
        "runAsNonRoot: true",
        "name: ERPFRONT_SESSION__KEY",
        "secretKeyRef:",
        "prometheus.io/scrape: \"true\"",
        "prometheus.io/port: \"9100\"",
        "containerPort: 9100",
    ] {
        assert!(
            manifests.contains(promise),
            "the manifests lack {promise:?}"
        );
    }
    for writable in [
        "emptyDir",
        "hostPath",
        "persistentVolumeClaim",
        "readOnly: false",
    ] {
        assert!(
            !manifests.contains(writable),
            "a writable volume: {writable}"
        );
    }
}

/// The block scalar `name: |` of the ConfigMap, unindented.
fn config_map_entry(manifests: &str, name: &str) -> String {
    let head = format!("  {name}: |");
    let mut lines = manifests.lines().skip_while(|l| *l != head).skip(1);
    let mut text = String::new();
    for line in lines.by_ref() {
        match line.strip_prefix("    ") {
            Some(body) => text.push_str(body),
            None if line.trim().is_empty() => {}
            None => break,
        }
        text.push('\n');
    }
    assert!(!text.is_empty(), "no {name} in the ConfigMap");
    text
}

#[test]
fn the_config_map_holds_a_configuration_erpfront_accepts() {
    let manifests = read(MANIFESTS);
    let scratch = Scratch::new("deploy-config");
    let users = scratch.path("users.toml");
    std::fs::write(&users, config_map_entry(&manifests, "users.toml")).unwrap();
    let config = config_map_entry(&manifests, "erpfront.toml")
        .replace("/etc/erpfront/users.toml", &users.display().to_string());
    let path = scratch.path("erpfront.toml");
    std::fs::write(&path, config).unwrap();
    // As the Deployment does: the key comes from the Secret through the environment.
    let (ok, text) = run(Command::new(env!("CARGO_BIN_EXE_erpfront"))
        .args(["check-config", "--config"])
        .arg(&path)
        .env("ERPFRONT_SESSION__KEY", session_key()));
    assert!(ok, "check-config on the ConfigMap: {text}");
    let (ok, text) = run(Command::new(env!("CARGO_BIN_EXE_erpfront"))
        .args(["check-config", "--config"])
        .arg(&path));
    assert!(
        !ok && text.contains("session.key"),
        "without the Secret: {text}"
    );
}

#[test]
fn the_systemd_unit_verifies_and_leaves_nothing_writable() {
    let unit = read("systemd/erpfront.service");
    for hardening in [
        "DynamicUser=yes",
        "ProtectSystem=strict",
        "ReadOnlyPaths=/",
        "NoNewPrivileges=yes",
        "PrivateTmp=yes",
        "CapabilityBoundingSet=\n",
        "ExecReload=/bin/kill -HUP $MAINPID",
    ] {
        assert!(unit.contains(hardening), "the unit lacks {hardening:?}");
    }
    for writable in [
        "ReadWritePaths",
        "StateDirectory",
        "CacheDirectory",
        "LogsDirectory",
        "RuntimeDirectory",
        "ConfigurationDirectory",
    ] {
        assert!(!unit.contains(writable), "the unit grants {writable}");
    }
    let Some(analyze) = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
    else {
        eprintln!("systemd-analyze is not installed: the unit is not verified");
        return;
    };
    // verify checks that the binary exists: point it at the one just built.
    let scratch = Scratch::new("systemd-unit");
    let copy = scratch.path("erpfront.service");
    std::fs::write(
        &copy,
        unit.replace("/usr/local/bin/erpfront", env!("CARGO_BIN_EXE_erpfront")),
    )
    .unwrap();
    let out = Command::new(analyze)
        .arg("verify")
        .arg(&copy)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // It exits 0 on unknown keys and only says so: any message is a failure.
    assert!(
        out.status.success() && stderr.trim().is_empty(),
        "systemd-analyze verify: {stderr}"
    );
}

#[test]
fn the_haproxy_example_is_valid_and_checks_readiness() {
    let path = deploy("haproxy/haproxy.cfg");
    let (ok, text) = run(Command::new(haproxy()).arg("-c").arg("-f").arg(&path));
    assert!(ok, "haproxy -c: {text}");
    let config = read("haproxy/haproxy.cfg");
    assert!(config.contains("option httpchk GET /readyz"));
    assert!(config.contains(" check"), "servers are health-checked");
}

#[test]
fn the_container_image_is_multi_stage_and_runs_as_nobody() {
    let file = read("Containerfile");
    let instructions: Vec<&str> = file
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let froms = instructions
        .iter()
        .filter(|l| l.starts_with("FROM "))
        .count();
    assert!(froms >= 2, "a build stage and a runtime stage");
    let runtime = instructions
        .iter()
        .rposition(|l| l.starts_with("FROM "))
        .unwrap();
    let runtime = &instructions[runtime..];
    assert!(
        runtime[0].contains("debian") && runtime[0].contains("slim")
            || runtime[0].contains("distroless")
    );
    let user = runtime
        .iter()
        .rev()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("the runtime stage sets a USER");
    let uid = user.split(':').next().unwrap();
    assert!(
        uid.parse::<u32>().is_ok_and(|uid| uid != 0),
        "a numeric non-root user, so runAsNonRoot can check it: {user}"
    );
    assert!(
        !runtime.iter().any(|l| l.starts_with("VOLUME")),
        "no volume: nothing is kept"
    );
    assert!(runtime.iter().any(|l| l.starts_with("COPY --from=")));
}
