//! Real processes on loopback for the multi-instance tests: a scratch directory for their
//! configurations and logs, `erpfront serve` instances that can be killed and started again on
//! their ports, and HAProxy. Every process is killed when its handle is dropped, however the
//! test ends; the logs are kept and their place printed when the test fails.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use reqwest::{Client, StatusCode};
use tokio::process::{Child, Command};

/// A temporary directory for configurations and logs: printed if the test fails, removed if it
/// passes.
pub struct Scratch {
    pub dir: PathBuf,
}

impl Scratch {
    pub fn new(what: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("erpfront-{what}-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        Self { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub fn log(&self, name: &str) -> Stdio {
        let file = File::options()
            .create(true)
            .append(true)
            .open(self.path(name))
            .unwrap();
        Stdio::from(file)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("process logs are in {}", self.dir.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// HAProxy, which the chaos tests run erpfront behind.
pub fn haproxy() -> PathBuf {
    debian_program(
        "haproxy",
        "haproxy",
        "the chaos tests run erpfront behind it",
    )
}

/// `program` on PATH (or where Debian puts it, `/usr/sbin`, which a non-root PATH may lack),
/// installed from Debian's `packages` first when it is missing, as the Tryton provisioning does
/// with LibreOffice, so that `cargo test` works on a fresh machine. `needed_for` says why in
/// the failure.
pub fn debian_program(program: &str, packages: &str, needed_for: &str) -> PathBuf {
    let find = || {
        let path = std::env::var_os("PATH").unwrap_or_default();
        std::env::split_paths(&path)
            .chain(["/usr/bin", "/usr/sbin", "/usr/local/sbin"].map(PathBuf::from))
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
    };
    if let Some(found) = find() {
        return found;
    }
    let installed = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "apt-get -o DPkg::Lock::Timeout=600 update -q && \
             apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends {packages}"
        ))
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdout(std::process::Stdio::null())
        .status();
    find().unwrap_or_else(|| {
        panic!(
            "{program} is not installed and could not be installed ({installed:?}): {needed_for}. \
             Install Debian's {packages} package(s)."
        )
    })
}

/// The built binary, killed when its handle is dropped.
pub fn erpfront() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_erpfront"));
    command
        .kill_on_drop(true)
        .stdin(Stdio::null())
        .env("RUST_LOG", "warn,erpfront=info");
    command
}

/// Waits (bounded) until `url` answers 200.
pub async fn wait_ready(client: &Client, url: &str, what: &str) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        if let Ok(response) = client.get(url).send().await
            && response.status() == StatusCode::OK
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not get ready at {url} within 20 s");
}

/// A random session key, shared by instances that serve one shop.
pub fn session_key() -> String {
    let mut key = Vec::with_capacity(64);
    for _ in 0..4 {
        key.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(&key)
}

/// An instance's configuration: its port, the shared session key, the users file, and the rest
/// (`[erp]` and whatever else the test needs) as given.
pub fn instance_config(port: u16, session_key: &str, users: &Path, rest: &str) -> String {
    format!(
        r#"
[server]
listen = "127.0.0.1:{port}"
request_timeout_secs = 20

[metrics]
listen = "127.0.0.1:0"

[session]
key = "{session_key}"

[support]
company = "Racing Industrial Supply"
phone = "+49 30 555 0100"
email = "orders@racing.example"

[users]
file = "{users}"
{rest}"#,
        users = users.display()
    )
}

/// `erpfront serve` instances, restartable on their ports; their configurations are
/// `erpfront{i}.toml` in the scratch directory.
pub struct Instances {
    pub scratch: Arc<Scratch>,
    pub ports: Vec<u16>,
    children: Vec<Option<Child>>,
    /// When set, each instance runs under strace, watching these system calls, and every start
    /// writes `strace-{i}-{n}.log` in the scratch directory.
    strace: Option<(PathBuf, String)>,
    starts: usize,
}

impl Instances {
    /// Writes each configuration, starts every instance and waits until all are ready.
    pub async fn launch(scratch: Arc<Scratch>, configs: Vec<(u16, String)>) -> Self {
        Self::launch_traced(scratch, configs, None).await
    }

    /// As [`Self::launch`], each instance under `strace -f` watching the system calls
    /// `watched` (a `trace=` list) when `strace` is given.
    pub async fn launch_traced(
        scratch: Arc<Scratch>,
        configs: Vec<(u16, String)>,
        strace: Option<(PathBuf, &str)>,
    ) -> Self {
        let control = Client::new();
        let mut instances = Self {
            scratch,
            ports: configs.iter().map(|(port, _)| *port).collect(),
            children: configs.iter().map(|_| None).collect(),
            strace: strace.map(|(program, watched)| (program, watched.to_owned())),
            starts: 0,
        };
        for (i, (_, config)) in configs.iter().enumerate() {
            std::fs::write(instances.scratch.path(&format!("erpfront{i}.toml")), config).unwrap();
            instances.start(i);
        }
        for port in &instances.ports {
            let url = format!("http://127.0.0.1:{port}/readyz");
            wait_ready(&control, &url, "erpfront").await;
        }
        instances
    }

    pub fn url(&self, i: usize) -> String {
        format!("http://127.0.0.1:{}", self.ports[i])
    }

    pub fn start(&mut self, i: usize) {
        let config = self.scratch.path(&format!("erpfront{i}.toml"));
        let log = format!("erpfront{i}.log");
        let mut command = match &self.strace {
            None => erpfront(),
            Some((strace, watched)) => {
                self.starts += 1;
                let mut command = Command::new(strace);
                // seccomp-bpf: only the watched calls stop the process, so it runs at speed.
                command
                    .args(["-f", "--seccomp-bpf", "-qq", "-e"])
                    .arg(format!("trace={watched}"))
                    .arg("-o")
                    .arg(
                        self.scratch
                            .path(&format!("strace-{i}-{}.log", self.starts)),
                    )
                    .arg(env!("CARGO_BIN_EXE_erpfront"))
                    .kill_on_drop(true)
                    .stdin(Stdio::null())
                    .env("RUST_LOG", "warn,erpfront=info");
                command
            }
        };
        let child = command
            .arg("serve")
            .arg("--config")
            .arg(&config)
            .stdout(self.scratch.log(&log))
            .stderr(self.scratch.log(&log))
            .spawn()
            .expect("erpfront starts");
        self.children[i] = Some(child);
    }

    /// The pid of instance `i`'s erpfront: the child, or strace's child when traced (signals
    /// go to it directly, as strace keeps those sent to itself).
    fn server_pid(&self, i: usize) -> Option<libc::pid_t> {
        let pid = self.children[i].as_ref()?.id()?;
        if self.strace.is_none() {
            return libc::pid_t::try_from(pid).ok();
        }
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
            .ok()?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    }

    fn signal(&self, i: usize, signal: libc::c_int) {
        if let Some(pid) = self.server_pid(i) {
            // SAFETY: kill(2) with the pid of a process this test started (directly or through
            // strace) and has not reaped: its parent still waits for it.
            unsafe { libc::kill(pid, signal) };
        }
    }

    /// SIGKILL: no graceful shutdown, requests under way are cut off.
    pub async fn kill(&mut self, i: usize) {
        self.signal(i, libc::SIGKILL);
        if let Some(mut child) = self.children[i].take() {
            let _ = child.start_kill();
            let _ = child.wait().await;
        }
    }

    /// SIGTERM, and the exit status once it has drained (strace's, which is erpfront's).
    pub async fn stop(&mut self, i: usize) -> std::process::ExitStatus {
        self.signal(i, libc::SIGTERM);
        let mut child = self.children[i].take().expect("the instance runs");
        tokio::time::timeout(Duration::from_secs(30), child.wait())
            .await
            .expect("erpfront exits on SIGTERM")
            .unwrap()
    }
}

impl Drop for Instances {
    /// A traced erpfront would outlive the strace killed on drop, detached: kill it first.
    fn drop(&mut self) {
        if self.strace.is_some() {
            for i in 0..self.children.len() {
                self.signal(i, libc::SIGKILL);
            }
        }
    }
}
