//! A TCP proxy in front of the sandbox ERP for the one fault the sandbox cannot make itself: the
//! request reached the ERP whole and was processed, and only the answer is lost on the way back.
//! The sandbox's own `reset` fault ends the connection before its handler runs, so the order is
//! never created; here the answer is read from the ERP, thrown away, and the caller's connection
//! is reset, as when a firewall or a load balancer drops a connection at the wrong moment.
//!
//! For ERPs that have no faults of their own (Tryton), it also slows, garbles or cuts every
//! answer for as long as told: all after the ERP has processed the request.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The proxy; dropping it stops accepting (open connections end with their peers).
pub struct FaultProxy {
    addr: SocketAddr,
    state: Arc<State>,
    accept: tokio::task::JoinHandle<()>,
}

struct State {
    upstream: SocketAddr,
    lose_next_post: AtomicBool,
    /// How long the link stays broken after an answer was lost.
    blackout_after_loss: Mutex<Duration>,
    blackout_until: Mutex<Option<Instant>>,
    lost_answers: AtomicU64,
    /// Every answer waits this long (milliseconds) before it is passed on.
    answer_delay_ms: AtomicU64,
    /// Every answer's body arrives with its first byte changed.
    garble: AtomicBool,
    /// Every answer is thrown away and the caller's connection reset.
    cut: AtomicBool,
    /// Answers delayed, garbled or cut so far.
    faulted_answers: AtomicU64,
}

impl State {
    fn in_blackout(&self) -> bool {
        self.blackout_until
            .lock()
            .unwrap()
            .is_some_and(|until| Instant::now() < until)
    }

    fn answer_lost(&self) {
        self.lost_answers.fetch_add(1, Ordering::SeqCst);
        let blackout = *self.blackout_after_loss.lock().unwrap();
        *self.blackout_until.lock().unwrap() = Some(Instant::now() + blackout);
    }
}

impl FaultProxy {
    /// Forwards a free loopback port to `upstream`.
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State {
            upstream,
            lose_next_post: AtomicBool::new(false),
            blackout_after_loss: Mutex::new(Duration::ZERO),
            blackout_until: Mutex::new(None),
            lost_answers: AtomicU64::new(0),
            answer_delay_ms: AtomicU64::new(0),
            garble: AtomicBool::new(false),
            cut: AtomicBool::new(false),
            faulted_answers: AtomicU64::new(0),
        });
        let shared = state.clone();
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(forward(client, shared.clone()));
            }
        });
        Self {
            addr,
            state,
            accept,
        }
    }

    /// `http://127.0.0.1:PORT`, for an `HttpErp`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The next POST reaches the ERP, which processes it, and its answer is lost: the caller's
    /// connection is reset instead. For `blackout` after that, every request through the proxy
    /// is reset too (the network is still broken when the caller looks the order up).
    pub fn lose_next_post_answer(&self, blackout: Duration) {
        *self.state.blackout_after_loss.lock().unwrap() = blackout;
        self.state.lose_next_post.store(true, Ordering::SeqCst);
    }

    /// Every answer waits `delay` from now on (zero: none).
    pub fn delay_answers(&self, delay: Duration) {
        let ms = delay.as_millis() as u64;
        self.state.answer_delay_ms.store(ms, Ordering::SeqCst);
    }

    /// Every answer's body is garbled (or not) from now on.
    pub fn garble_answers(&self, on: bool) {
        self.state.garble.store(on, Ordering::SeqCst);
    }

    /// Every answer is cut off (or not) from now on.
    pub fn cut_answers(&self, on: bool) {
        self.state.cut.store(on, Ordering::SeqCst);
    }

    /// How many answers were delayed, garbled or cut so far.
    pub fn faulted_answers(&self) -> u64 {
        self.state.faulted_answers.load(Ordering::SeqCst)
    }

    /// How many answers were lost so far.
    pub fn lost_answers(&self) -> u64 {
        self.state.lost_answers.load(Ordering::SeqCst)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

async fn forward(mut client: TcpStream, state: Arc<State>) {
    let _ = client.set_nodelay(true);
    let reset = match TcpStream::connect(state.upstream).await {
        Ok(mut upstream) if !state.in_blackout() => {
            let _ = upstream.set_nodelay(true);
            pipe(&mut client, &mut upstream, &state).await.is_err()
        }
        _ => true,
    };
    if reset {
        // SO_LINGER 0: the kernel answers with a reset instead of an orderly close.
        let _ = client.set_zero_linger();
    }
}

/// Copies both ways until the ERP closes; an error means "reset the caller".
async fn pipe(client: &mut TcpStream, upstream: &mut TcpStream, state: &State) -> io::Result<()> {
    let doomed = AtomicBool::new(false);
    let (mut client_read, mut client_write) = client.split();
    let (mut upstream_read, mut upstream_write) = upstream.split();
    let requests = async {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = client_read.read(&mut buf).await?;
            if n == 0 {
                upstream_write.shutdown().await?;
                // Keep waiting for the answer side to finish.
                return std::future::pending::<io::Result<()>>().await;
            }
            if state.in_blackout() {
                return Err(io::Error::other("blackout"));
            }
            // Without pipelining (hyper does not pipeline) a request head starts a read after
            // the previous answer is complete.
            if buf[..n].starts_with(b"POST ") && state.lose_next_post.swap(false, Ordering::SeqCst)
            {
                doomed.store(true, Ordering::SeqCst);
            }
            upstream_write.write_all(&buf[..n]).await?;
        }
    };
    let answers = async {
        let mut buf = vec![0u8; 16 * 1024];
        let mut garble_body = false;
        loop {
            let n = upstream_read.read(&mut buf).await?;
            if n == 0 {
                client_write.shutdown().await?;
                return Ok(());
            }
            // An answer's head starts a read (see above); its body may follow in a later one.
            let head = buf[..n].starts_with(b"HTTP/");
            if head {
                let delay = state.answer_delay_ms.load(Ordering::SeqCst);
                if delay > 0 {
                    state.faulted_answers.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(delay)).await;
                }
                if state.cut.load(Ordering::SeqCst) {
                    state.faulted_answers.fetch_add(1, Ordering::SeqCst);
                    return Err(io::Error::other("answer cut on purpose"));
                }
                garble_body = state.garble.load(Ordering::SeqCst);
            }
            if garble_body {
                let body_at = if head {
                    buf[..n]
                        .windows(4)
                        .position(|w| w == b"\r\n\r\n")
                        .map(|i| i + 4)
                } else {
                    Some(0)
                };
                if let Some(at) = body_at.filter(|at| *at < n) {
                    buf[at] = b'~';
                    garble_body = false;
                    state.faulted_answers.fetch_add(1, Ordering::SeqCst);
                }
            }
            // The ERP answers only after it has processed the request: the order exists now.
            if doomed.load(Ordering::SeqCst) {
                state.answer_lost();
                return Err(io::Error::other("answer lost on purpose"));
            }
            client_write.write_all(&buf[..n]).await?;
        }
    };
    tokio::select! {
        result = requests => result,
        result = answers => result,
    }
}
