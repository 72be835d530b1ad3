//! Hostile clients: slow and idle connections, oversized and slow bodies, password guessing
//! and login floods, stolen cookies, crafted redirects and odd input. Every attack is bounded in
//! count and time and goes to a server on a loopback port.

mod connections;
mod figures;
mod input;
mod logins;
mod requests;
mod session_end;

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Whether the server closes `stream` within `within` (reading and discarding what it sends).
pub async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 4096];
    tokio::time::timeout(within, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

/// Sends `head` (and `body`) on a new connection to `address` (`http://host:port`) and returns
/// the status of the answer, if one comes within `within`.
pub async fn raw_status(address: &str, head: &str, body: &[u8], within: Duration) -> Option<u16> {
    let mut stream = connect(address).await;
    stream.write_all(head.as_bytes()).await.ok()?;
    let _ = stream.write_all(body).await;
    read_status(&mut stream, within).await
}

/// The status code of the next answer on `stream`.
pub async fn read_status(stream: &mut TcpStream, within: Duration) -> Option<u16> {
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    tokio::time::timeout(within, async {
        while !answer.windows(2).any(|w| w == b"\r\n") {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .ok()?;
    let line = String::from_utf8_lossy(&answer);
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A TCP connection to `address` (`http://host:port`).
pub async fn connect(address: &str) -> TcpStream {
    TcpStream::connect(address.trim_start_matches("http://"))
        .await
        .expect("the server accepts")
}
