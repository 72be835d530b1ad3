//! Putting a changed users file in force while serving: on SIGHUP, and when the file's content
//! changes. Every attempt logs one line and counts in `erpfront_users_reloads_total`; a file
//! that fails its checks leaves the users in force as they were.
//!
//! Changes are found by reading the file every few seconds and comparing a SHA-256 of its
//! content, not by file-system events: a Kubernetes ConfigMap volume updates a file by swapping
//! the `..data` symlink its path goes through, which leaves the file's own mtime and inode
//! unchanged and sends no event for the path that was watched. Reading a file of a few
//! kilobytes every few seconds costs nothing, and it sees every way a file can be replaced
//! (written in place, renamed over, a symlink swapped, a network file system).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::monitoring::names;
use crate::users::{LiveUsers, Users, UsersError};

/// How long a changed file must stay the same before it is read as the new one: a writer that
/// truncates and then writes (an editor, `cat >`) would otherwise be caught half-way.
const SETTLE: Duration = Duration::from_millis(250);

/// What made erpfront read the users file again; the `trigger` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// SIGHUP.
    Signal,
    /// The file's content changed.
    FileChange,
}

impl Trigger {
    fn label(self) -> &'static str {
        match self {
            Trigger::Signal => "signal",
            Trigger::FileChange => "file_change",
        }
    }
}

/// What the file held when last read: a digest of its content, or why it could not be read,
/// so that a file that stays broken is reported once, not on every look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    Content([u8; 32]),
    Unreadable(std::io::ErrorKind),
}

/// Reads the users file, keeping what it saw so later looks can tell whether it changed.
#[derive(Debug)]
pub struct UsersReloader {
    users: Arc<LiveUsers>,
    path: PathBuf,
    seen: Mutex<Option<Seen>>,
}

/// Reads and checks the users file at `path`, as at start.
pub fn load(path: &Path) -> Result<(Users, [u8; 32]), UsersError> {
    let bytes = std::fs::read(path).map_err(|source| UsersError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let digest = Sha256::digest(&bytes).into();
    Ok((Users::parse(&as_text(bytes)?)?, digest))
}

/// Reads the file: what it held, and its text if it has one.
fn read(path: &Path) -> (Seen, Result<String, UsersError>) {
    match std::fs::read(path) {
        Ok(bytes) => (Seen::Content(Sha256::digest(&bytes).into()), as_text(bytes)),
        Err(source) => (
            Seen::Unreadable(source.kind()),
            Err(UsersError::Read {
                path: path.display().to_string(),
                source,
            }),
        ),
    }
}

fn as_text(bytes: Vec<u8>) -> Result<String, UsersError> {
    String::from_utf8(bytes).map_err(|_| UsersError::Parse("the file is not UTF-8 text".into()))
}

impl UsersReloader {
    /// Watches `path`, whose content with `digest` gave the users in force.
    pub fn new(users: Arc<LiveUsers>, path: PathBuf, digest: Option<[u8; 32]>) -> Self {
        metrics::gauge!(names::USERS_LAST_RELOAD_OK).set(1.0);
        Self {
            users,
            path,
            seen: Mutex::new(digest.map(Seen::Content)),
        }
    }

    /// Reads the file and puts it in force if it passes every check; logs and counts the
    /// attempt either way.
    pub async fn reload(&self, trigger: Trigger) {
        let path = self.path.clone();
        // Only a runtime shutting down fails the join; then nothing is served any more.
        if let Ok((seen, text)) = tokio::task::spawn_blocking(move || read(&path)).await {
            self.attempt(trigger, seen, text);
        }
    }

    /// Reloads if the file's content differs from what was last read (and stays so for a
    /// moment). Nothing is logged or counted when it is unchanged.
    pub async fn reload_if_changed(&self) {
        let before = *self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let path = self.path.clone();
        let Ok((first, _)) = tokio::task::spawn_blocking(move || read(&path)).await else {
            return;
        };
        if Some(first) == before {
            return;
        }
        tokio::time::sleep(SETTLE).await;
        let path = self.path.clone();
        let Ok((seen, text)) = tokio::task::spawn_blocking(move || read(&path)).await else {
            return;
        };
        if seen == first {
            self.attempt(Trigger::FileChange, seen, text);
        }
        // Still changing: the next look reads it once it is quiet.
    }

    fn attempt(&self, trigger: Trigger, seen: Seen, text: Result<String, UsersError>) {
        *self.seen.lock().unwrap_or_else(|e| e.into_inner()) = Some(seen);
        let file = self.path.display();
        let how = trigger.label();
        match text.and_then(|text| Users::parse(&text)) {
            Ok(users) => {
                let loaded = self.users.replace(users);
                count(trigger, "ok");
                tracing::info!(
                    %file,
                    trigger = how,
                    users = loaded.users,
                    punchout = loaded.punchout,
                    "users file reloaded"
                );
            }
            Err(error) => {
                count(trigger, "rejected");
                tracing::warn!(
                    %file,
                    trigger = how,
                    %error,
                    "users file NOT reloaded, the users loaded before stay in force"
                );
            }
        }
    }

    /// Reloads on every SIGHUP until the returned task is dropped. Installed before serving
    /// starts, so a SIGHUP never finds the process with the default action (which would end it).
    #[cfg(unix)]
    pub fn on_hangup(self: Arc<Self>) -> std::io::Result<tokio::task::JoinHandle<()>> {
        use tokio::signal::unix::{SignalKind, signal};
        let mut hangups = signal(SignalKind::hangup())?;
        Ok(tokio::spawn(async move {
            while hangups.recv().await.is_some() {
                self.reload(Trigger::Signal).await;
            }
        }))
    }

    /// No SIGHUP where there are no signals.
    #[cfg(not(unix))]
    pub fn on_hangup(self: Arc<Self>) -> std::io::Result<tokio::task::JoinHandle<()>> {
        Ok(tokio::spawn(async {}))
    }

    /// Looks at the file every `every` until the returned task is dropped.
    pub fn watch(self: Arc<Self>, every: Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticks.tick().await; // the first tick is at once; the file was just read
            loop {
                ticks.tick().await;
                self.reload_if_changed().await;
            }
        })
    }
}

fn count(trigger: Trigger, result: &'static str) {
    metrics::counter!(names::USERS_RELOADS, "trigger" => trigger.label(), "result" => result)
        .increment(1);
    let ok = if result == "ok" { 1.0 } else { 0.0 };
    metrics::gauge!(names::USERS_LAST_RELOAD_OK).set(ok);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::hash_password;

    fn file(login: &str) -> String {
        format!(
            "[[users]]\nlogin = \"{login}\"\nname = \"N\"\npassword_hash = \"{}\"\n\
             role = \"buyer\"\ncustomer = \"C-1\"\n",
            hash_password("pw")
        )
    }

    #[tokio::test]
    async fn a_change_is_put_in_force_once_and_a_broken_file_is_not() {
        let dir = std::env::temp_dir().join(format!("erpfront-reload-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("users.toml");
        std::fs::write(&path, file("a@x")).unwrap();
        let (users, digest) = load(&path).unwrap();
        let live = Arc::new(LiveUsers::new(users));
        let reloader = UsersReloader::new(live.clone(), path.clone(), Some(digest));

        reloader.reload_if_changed().await;
        assert!(live.get("a@x").is_some());
        std::fs::write(&path, file("b@x")).unwrap();
        reloader.reload_if_changed().await;
        assert!(live.get("b@x").is_some() && live.get("a@x").is_none());

        std::fs::write(&path, "[[users]]\nlogin = 1").unwrap();
        reloader.reload_if_changed().await;
        assert!(live.get("b@x").is_some(), "a broken file changes nothing");
        assert_eq!(
            *reloader.seen.lock().unwrap(),
            Some(read(&path).0),
            "the broken file is remembered, not reported on every look"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
