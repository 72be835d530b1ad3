//! The process's open-file limit, which bounds how many connections it can hold. Some file
//! descriptors must stay free for the ERP's connections, logs and files.

/// Descriptors kept free for everything but buyers' connections.
const RESERVED: u64 = 128;

/// `wanted`, or fewer if the open-file limit would be reached first.
pub fn connections_within_limit(wanted: usize) -> usize {
    let Some(limit) = soft_limit() else {
        return wanted;
    };
    let allowed = usize::try_from(limit.saturating_sub(RESERVED).max(16)).unwrap_or(usize::MAX);
    if allowed < wanted {
        tracing::warn!(
            server.max_connections = wanted,
            open_file_limit = limit,
            "server.max_connections lowered to {allowed} to stay within the open-file limit"
        );
    }
    wanted.min(allowed)
}

/// Whether an `accept` error code means the process or system ran out of descriptors.
pub fn is_out_of_files(code: i32) -> bool {
    code == libc::EMFILE || code == libc::ENFILE
}

#[cfg(unix)]
fn soft_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes the struct it is given, which lives for the call.
    let read = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &raw mut limit) };
    (read == 0 && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur)
}

#[cfg(not(unix))]
fn soft_limit() -> Option<u64> {
    None
}
