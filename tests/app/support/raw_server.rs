//! A loopback server that plays a fixed script of bytes and pauses on every connection, for what
//! no well-behaved server does: floats for money, wrong types, trickling, oversized bodies.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone)]
pub enum Step {
    Write(Vec<u8>),
    Pause(Duration),
}

pub struct RawServer {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl RawServer {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answers every request with `steps`, then closes the connection.
    pub async fn start(steps: Vec<Step>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(play(stream, steps.clone()));
            }
        });
        Self { addr, task }
    }

    /// A complete answer with this status line, content type and body.
    pub async fn answer(status: &str, content_type: &str, body: &[u8]) -> Self {
        let mut bytes = format!(
            "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        bytes.extend_from_slice(body);
        Self::start(vec![Step::Write(bytes)]).await
    }

    /// A 200 JSON answer.
    pub async fn json(body: &str) -> Self {
        Self::answer("200 OK", "application/json", body.as_bytes()).await
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads the request (head and body, so closing does not turn into a reset), then plays.
async fn play(mut stream: TcpStream, steps: Vec<Step>) {
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let Ok(n) = stream.read(&mut buf).await else {
            return;
        };
        if n == 0 {
            return;
        }
        request.extend_from_slice(&buf[..n]);
        if let Some(i) = request.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&request[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while request.len() < head_end + length {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    for step in steps {
        match step {
            Step::Write(bytes) => {
                if stream.write_all(&bytes).await.is_err() {
                    return;
                }
                let _ = stream.flush().await;
            }
            Step::Pause(pause) => tokio::time::sleep(pause).await,
        }
    }
    let _ = stream.shutdown().await;
}
