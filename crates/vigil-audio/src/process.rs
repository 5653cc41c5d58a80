//! Running an outside program with a deadline and a cap on what it prints.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What a finished program printed.
pub(crate) struct Finished {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Why a program gave no usable answer.
pub(crate) enum RunError {
    /// It could not be started.
    Spawn(std::io::Error),
    /// It ran past the deadline and was killed.
    Timeout(Duration),
    /// Waiting for it failed.
    Wait(std::io::Error),
}

/// Runs `program args…` with stdin closed, reading at most `max_output_bytes`
/// of each of stdout and stderr (the rest is drained and dropped, so the
/// program never blocks on a full pipe), killing it after `timeout`.
pub(crate) fn run(
    program: &Path,
    args: &[&str],
    timeout: Duration,
    max_output_bytes: usize,
) -> Result<Finished, RunError> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(RunError::Spawn)?;
    let stdout = child
        .stdout
        .take()
        .map(|s| read_bounded(s, max_output_bytes));
    let stderr = child
        .stderr
        .take()
        .map(|s| read_bounded(s, max_output_bytes));
    let status = wait_until(&mut child, Instant::now() + timeout);
    let stdout = stdout.and_then(|h| h.join().ok()).unwrap_or_default();
    let stderr = stderr.and_then(|h| h.join().ok()).unwrap_or_default();
    match status {
        Ok(Some(success)) => Ok(Finished {
            success,
            stdout,
            stderr,
        }),
        Ok(None) => Err(RunError::Timeout(timeout)),
        Err(e) => Err(RunError::Wait(e)),
    }
}

/// Waits for the child; `Ok(None)` if the deadline passed (it is killed).
fn wait_until(child: &mut Child, deadline: Instant) -> std::io::Result<Option<bool>> {
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status.success()));
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Reads a pipe to its end on a thread, keeping the first `limit` bytes.
fn read_bounded(mut pipe: impl Read + Send + 'static, limit: usize) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            match pipe.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let room = limit.saturating_sub(kept.len());
                    kept.extend_from_slice(&chunk[..n.min(room)]);
                }
            }
        }
        String::from_utf8_lossy(&kept).into_owned()
    })
}
