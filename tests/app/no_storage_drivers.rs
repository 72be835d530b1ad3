//! The other half of "no business data at rest": the dependency tree (`cargo tree`, normal and
//! build edges) holds no database or storage driver, and the one storage client it does hold is
//! used only where its reason applies.

use std::path::{Path, PathBuf};

/// Crates that keep data on disk or in a database. erpfront must depend on none of them.
const STORAGE_DRIVERS: [&str; 31] = [
    "sqlx",
    "sqlx-core",
    "diesel",
    "rusqlite",
    "libsqlite3-sys",
    "sqlite",
    "sled",
    "rocksdb",
    "librocksdb-sys",
    "redb",
    "heed",
    "lmdb",
    "lmdb-rkv",
    "fjall",
    "persy",
    "postgres",
    "tokio-postgres",
    "mysql",
    "mysql_async",
    "mongodb",
    "sea-orm",
    "surrealdb",
    "duckdb",
    "tiberius",
    "oracle",
    "odbc-api",
    "scylla",
    "cdrs-tokio",
    "memcache",
    "foundationdb",
    "tikv-client",
];

/// Storage clients present on purpose, and why each holds no business data.
/// `redis`: the optional `session.revocation_store`, through which instances share log-outs.
/// It writes one key per revoked session id (`SET ... EX`, expiring with the session) and reads
/// whether one exists; nothing about customers, orders or prices. The test below also holds
/// it to that one module.
const ALLOWED_CLIENTS: [(&str, &str); 1] = [("redis", "src/web/revocations.rs")];

#[test]
fn no_database_or_storage_driver_is_in_the_dependency_tree() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let output = std::process::Command::new(cargo)
        .args(["tree", "--offline", "--locked", "--prefix", "none"])
        .args([
            "--edges",
            "normal,build",
            "--format",
            "{p}",
            "--manifest-path",
        ])
        .arg(&manifest)
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tree = String::from_utf8_lossy(&output.stdout);
    let crates: Vec<&str> = tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert!(
        crates.contains(&"tokio"),
        "cargo tree output looks wrong: {tree}"
    );
    let drivers: Vec<&&str> = crates
        .iter()
        .filter(|name| STORAGE_DRIVERS.contains(name))
        .collect();
    assert!(
        drivers.is_empty(),
        "storage drivers in the tree: {drivers:?}"
    );

    for (client, module) in ALLOWED_CLIENTS {
        let users = files_naming(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), client);
        let expected = Path::new(env!("CARGO_MANIFEST_DIR")).join(module);
        assert_eq!(
            users,
            vec![expected],
            "{client} may be used only by {module}, for the reason given above"
        );
    }
}

/// The source files under `dir` that use crate `name` (`name::` in the code).
fn files_naming(dir: &Path, name: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_naming(&path, name));
        } else if path.extension().is_some_and(|e| e == "rs")
            && std::fs::read_to_string(&path)
                .unwrap()
                .contains(&format!("{name}::"))
        {
            found.push(path);
        }
    }
    found.sort();
    found
}
