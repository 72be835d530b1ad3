//! axe-core, the accessibility rules engine, from the npm registry: the pinned tarball is fetched
//! once into the target directory, its checksum checked, and `axe.min.js` taken out of it.

use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

use super::output_dir;

const VERSION: &str = "4.14.1";
const TARBALL_SHA256: &str = "e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745";

/// The source of `axe.min.js`, fetched on first use.
pub async fn source() -> &'static str {
    static SOURCE: OnceCell<String> = OnceCell::const_new();
    SOURCE.get_or_init(load).await
}

async fn load() -> String {
    let dir = output_dir("axe-core");
    let script = dir.join(format!("axe-{VERSION}.min.js"));
    if let Ok(source) = std::fs::read_to_string(&script) {
        return source;
    }
    let tarball = dir.join(format!("axe-core-{VERSION}.tgz"));
    let bytes = match std::fs::read(&tarball) {
        Ok(bytes) if sha256(&bytes) == TARBALL_SHA256 => bytes,
        _ => download().await,
    };
    // Written aside and renamed, so that a run cut short leaves nothing half-written behind.
    let partial = dir.join(format!("{}.partial", uuid::Uuid::new_v4()));
    std::fs::write(&partial, &bytes).unwrap();
    std::fs::rename(&partial, &tarball).unwrap();
    let extracted = std::process::Command::new("tar")
        .arg("-xzOf")
        .arg(&tarball)
        .arg("package/axe.min.js")
        .output()
        .expect("tar runs");
    assert!(
        extracted.status.success() && !extracted.stdout.is_empty(),
        "axe.min.js is not in {}: {}",
        tarball.display(),
        String::from_utf8_lossy(&extracted.stderr)
    );
    std::fs::write(&partial, &extracted.stdout).unwrap();
    std::fs::rename(&partial, &script).unwrap();
    String::from_utf8(extracted.stdout).expect("axe.min.js is UTF-8")
}

async fn download() -> Vec<u8> {
    let url = format!("https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz");
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(120))
        .build()
        .unwrap();
    let answer = client
        .get(&url)
        .send()
        .await
        .and_then(|a| a.error_for_status())
        .unwrap_or_else(|e| panic!("axe-core could not be fetched from {url}: {e}"));
    let bytes = answer
        .bytes()
        .await
        .expect("the tarball downloads")
        .to_vec();
    let got = sha256(&bytes);
    assert_eq!(
        got, TARBALL_SHA256,
        "{url} does not have the pinned checksum"
    );
    bytes
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
