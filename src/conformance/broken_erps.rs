//! Broken ERPs on loopback, for the fault rules: an address where nothing listens, a server that
//! accepts connections and never answers, and one that answers every HTTP request with garbage.
//! An HTTP-based adapter builds its [`super::FaultSubjects`] by pointing instances of itself at
//! these.
//!
//! The servers run as tasks on the current tokio runtime and live as long as it does.

use std::net::{Ipv4Addr, SocketAddr};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the nonsense server answers with: the start of a JSON document that never ends, and
/// then HTML, as a proxy's error page mixed into an API reply would look.
pub const NONSENSE_BODY: &str = "{\"result\": [<html><body>Bad Gateway</body></html>";

/// Requests larger than this are cut off; no adapter sends one to a broken ERP.
const MAX_REQUEST_BYTES: usize = 1 << 20;

/// A loopback address where nothing listens: bound to a free port, then released.
pub fn unused_port_addr() -> SocketAddr {
    std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .expect("a loopback port can be bound")
}

async fn loopback_listener() -> TcpListener {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .expect("a loopback port can be bound")
}

/// A server that accepts every connection and never answers, nor closes it.
pub async fn hanging_server() -> SocketAddr {
    let listener = loopback_listener().await;
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    tokio::spawn(async move {
        // Holding the sockets keeps the connections open; dropping them would answer with a
        // close, which is not what a hanging ERP does.
        let mut held = Vec::new();
        loop {
            if let Ok((stream, _)) = listener.accept().await {
                held.push(stream);
            }
        }
    });
    addr
}

/// A server that answers every HTTP request with `200 OK`, `Content-Type: application/json` and
/// [`NONSENSE_BODY`], keeping connections alive as a real server would.
pub async fn nonsense_server() -> SocketAddr {
    let listener = loopback_listener().await;
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    tokio::spawn(async move {
        loop {
            if let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(answer_with_nonsense(stream));
            }
        }
    });
    addr
}

async fn answer_with_nonsense(mut stream: TcpStream) {
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{NONSENSE_BODY}",
        NONSENSE_BODY.len()
    );
    let mut received = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(length) = complete_request_length(&received) {
            received.drain(..length);
            if stream.write_all(response.as_bytes()).await.is_err() {
                return;
            }
            continue;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(read) if received.len() + read <= MAX_REQUEST_BYTES => {
                received.extend_from_slice(&chunk[..read]);
            }
            Ok(_) => return,
        }
    }
}

/// The length of the first request in `buffer` once all of it (head and body) has arrived, so
/// that the answer never comes before the request is read, which a client could see as a reset.
fn complete_request_length(buffer: &[u8]) -> Option<usize> {
    let head_end = buffer.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_ascii_lowercase();
    let header = |name: &str| {
        head.lines()
            .filter_map(|line| line.split_once(':'))
            .find(|(key, _)| key.trim() == name)
            .map(|(_, value)| value.trim().to_owned())
    };
    let body = &buffer[head_end..];
    if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        let end = body.windows(5).position(|w| w == b"0\r\n\r\n")? + 5;
        return Some(head_end + end);
    }
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    (body.len() >= length).then_some(head_end + length)
}

#[cfg(test)]
mod tests {
    use super::complete_request_length;

    #[test]
    fn a_request_is_complete_once_its_body_has_arrived() {
        assert_eq!(
            complete_request_length(b"GET / HTTP/1.1\r\nHost: x\r\n"),
            None
        );
        assert_eq!(complete_request_length(b"GET / HTTP/1.1\r\n\r\n"), Some(18));
        let post = b"POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nab";
        assert_eq!(complete_request_length(post), None);
        let post = b"POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcdGET";
        assert_eq!(complete_request_length(post), Some(post.len() - 3));
        let chunked = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n";
        assert_eq!(complete_request_length(chunked), Some(chunked.len()));
    }
}
