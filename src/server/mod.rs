//! Accepting and serving connections so that slow or idle clients cannot starve anyone: a
//! deadline for each request's head (hyper's `header_read_timeout`, which also bounds the wait
//! for the next request on a kept-alive connection), a keep-alive time, and a cap on open
//! connections under which the longest-idle connection makes room for a new one. Running out of
//! file descriptors is handled the same way instead of stalling `accept`.

mod connections;
mod fd_limit;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::config::ServerConfig;
use crate::web::{App, PeerAddr};
use connections::{Connection, Connections};

/// How connections are kept in check.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Longest wait for a request's head.
    pub header_read_timeout: Duration,
    /// Longest a connection stays open with no request under way.
    pub keep_alive: Duration,
    /// Most connections open at once.
    pub max_connections: usize,
    /// Once shutdown begins, how long requests under way may take to finish.
    pub shutdown_grace: Duration,
}

impl ConnectionLimits {
    /// The configured limits, the cap lowered to what the open-file limit allows.
    pub fn from_config(server: &ServerConfig) -> Self {
        Self {
            header_read_timeout: Duration::from_secs(server.header_read_timeout_secs),
            keep_alive: Duration::from_secs(server.keep_alive_secs),
            max_connections: fd_limit::connections_within_limit(server.max_connections),
            shutdown_grace: Duration::from_secs(server.shutdown_grace_secs),
        }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then stops accepting, closes idle
/// connections, lets the answers under way finish within the grace period, and returns.
pub async fn serve(
    listener: TcpListener,
    app: App,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let connections = Connections::new(limits.max_connections);
    let mut tasks = JoinSet::new();
    let sweeper = tokio::spawn(sweep(connections.clone(), limits.keep_alive));
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        while tasks.try_join_next().is_some() {}
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                on_accept_error(&error, &connections).await;
                continue;
            }
        };
        let Some(connection) = connections.admit() else {
            tracing::warn!(
                connections.open = connections.len(),
                "connection refused: every connection is busy"
            );
            continue;
        };
        // Answers go out as soon as they are written, not held back to be merged (Nagle).
        let _ = stream.set_nodelay(true);
        tasks.spawn(serve_connection(
            stream,
            peer,
            app.clone(),
            limits,
            connection,
            connections.clone(),
        ));
    }
    sweeper.abort();
    drop(listener);
    connections.close_all();
    let busy = tasks.len();
    tracing::info!(
        connections.open = busy,
        grace_secs = limits.shutdown_grace.as_secs(),
        "stopped accepting; finishing the requests under way"
    );
    let drained = tokio::time::timeout(limits.shutdown_grace, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        // Past the grace period an orchestrator would kill the process anyway; cutting the
        // rest off here at least says so.
        tracing::warn!(
            connections.open = tasks.len(),
            "grace period over: cutting off the requests still under way"
        );
        tasks.abort_all();
    }
    Ok(())
}

/// Out of file descriptors: make room by closing the longest-idle connection; otherwise wait
/// a moment (as `axum::serve` does) rather than spin.
async fn on_accept_error(error: &std::io::Error, connections: &Connections) {
    let out_of_files =
        matches!(error.raw_os_error(), Some(code) if fd_limit::is_out_of_files(code));
    if out_of_files && connections.close_oldest_idle() {
        tracing::warn!(
            connections.open = connections.len(),
            "out of file descriptors: closed the longest-idle connection"
        );
        tokio::task::yield_now().await;
        return;
    }
    tracing::warn!(%error, "accept failed");
    tokio::time::sleep(Duration::from_millis(50)).await;
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: App,
    limits: ConnectionLimits,
    connection: Arc<Connection>,
    connections: Arc<Connections>,
) {
    let tracked = connection.clone();
    let service = hyper::service::service_fn(move |request: hyper::Request<_>| {
        let busy = tracked.begin();
        let mut request: Request = request.map(Body::new);
        request.extensions_mut().insert(PeerAddr(peer));
        let answer = app.clone().oneshot(request);
        async move {
            let response = answer.await;
            drop(busy);
            Ok::<_, Infallible>(response.unwrap_or_else(|never| match never {}))
        }
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    let serving = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(serving);
    let result = tokio::select! {
        result = serving.as_mut() => result,
        () = connection.closed() => {
            serving.as_mut().graceful_shutdown();
            serving.await
        }
    };
    if let Err(error) = result {
        tracing::debug!(%error, "connection ended with an error");
    }
    connections.remove(&connection);
}

/// Closes connections left idle past the keep-alive time: one timer for all of them.
async fn sweep(connections: Arc<Connections>, keep_alive: Duration) {
    let mut tick = tokio::time::interval(Duration::from_secs(1).min(keep_alive));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        connections.close_idle_since(keep_alive);
    }
}
