//! The sandbox's own accept loop. It serves each connection with hyper directly, rather than
//! through `axum::serve`, so that a fault can end a connection without answering: a handler asks
//! for that through the [`ConnectionAbort`] in its request's extensions, and the connection is
//! dropped with `SO_LINGER` 0, which makes the kernel send a TCP reset.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tower::ServiceExt;

/// Lets a request's handler end its connection without an answer.
#[derive(Clone, Default)]
pub(super) struct ConnectionAbort(Arc<AbortState>);

#[derive(Default)]
struct AbortState {
    requested: AtomicBool,
    notify: Notify,
}

impl ConnectionAbort {
    /// Ends the connection with a reset; the handler's future is dropped with it.
    pub(super) fn request(&self) {
        self.0.requested.store(true, Ordering::SeqCst);
        self.0.notify.notify_one();
    }

    fn is_requested(&self) -> bool {
        self.0.requested.load(Ordering::SeqCst)
    }

    async fn requested(&self) {
        self.0.notify.notified().await;
    }
}

/// Serves `router` on `listener` until the returned future is dropped; dropping it also ends
/// every open connection.
pub async fn serve(listener: TcpListener, router: Router) {
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        match listener.accept().await {
            Ok((stream, _)) => {
                connections.spawn(serve_connection(stream, router.clone()));
            }
            Err(error) => {
                // Running out of file descriptors is the usual cause, and it passes.
                tracing::warn!(%error, "erp-sim cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

async fn serve_connection(stream: TcpStream, router: Router) {
    let _ = stream.set_nodelay(true);
    let abort = ConnectionAbort::default();
    let io = TokioIo::new(ResettableStream {
        stream,
        abort: abort.clone(),
    });
    let service = {
        let abort = abort.clone();
        hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(abort.clone());
            router.clone().oneshot(request)
        })
    };
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(io, service);
    tokio::select! {
        _ = connection => {}
        () = abort.requested() => {}
    }
}

/// A TCP stream that, once its connection was aborted, closes with a reset instead of a FIN.
struct ResettableStream {
    stream: TcpStream,
    abort: ConnectionAbort,
}

impl Drop for ResettableStream {
    fn drop(&mut self) {
        if self.abort.is_requested() {
            let _ = self.stream.set_zero_linger();
        }
    }
}

impl AsyncRead for ResettableStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResettableStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}
