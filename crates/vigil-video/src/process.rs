//! One run of an ffmpeg program: its standard output read by the caller as
//! it comes, its standard error kept (bounded) for the error message, and a
//! wall-clock limit after which a watchdog kills it.

use std::io::Read;
use std::path::Path;
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::FfmpegError;

/// Standard error beyond this is read and dropped, so a program that writes
/// without end cannot fill memory; the first line is what errors quote.
const MAX_STDERR_BYTES: usize = 64 * 1024;

/// A started program. Read [`Running::stdout`], then call [`Running::finish`]
/// (or [`Running::stop`] to end it early).
pub(crate) struct Running {
    pub(crate) stdout: ChildStdout,
    child: Arc<Mutex<Child>>,
    timed_out: Arc<AtomicBool>,
    stop_watchdog: Option<Sender<()>>,
    watchdog: Option<JoinHandle<()>>,
    stderr: Option<JoinHandle<String>>,
    program: &'static str,
    timeout: Duration,
}

/// How a run ended, once its output has been read.
pub(crate) struct Finished {
    pub(crate) status: ExitStatus,
    pub(crate) stderr: String,
}

impl Running {
    /// Start `command` with its stdin closed and stdout and stderr piped;
    /// `program` names it in errors.
    pub(crate) fn start(
        mut command: Command,
        program: &'static str,
        timeout: Duration,
    ) -> Result<Running, FfmpegError> {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| FfmpegError::Start { program, source })?;
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let (Some(stdout), Some(stderr)) = (stdout, stderr) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(FfmpegError::Start {
                program,
                source: std::io::Error::other("no pipe to the child process"),
            });
        };
        let stderr = std::thread::spawn(move || read_bounded(stderr));
        let child = Arc::new(Mutex::new(child));
        let timed_out = Arc::new(AtomicBool::new(false));
        let (stop, stopped) = mpsc::channel::<()>();
        let watchdog = {
            let (child, timed_out) = (Arc::clone(&child), Arc::clone(&timed_out));
            std::thread::spawn(move || {
                // Either the caller says it is done (or drops the sender), or
                // the limit passes and the program is killed; its stdout then
                // ends and the reader sees end of file.
                if let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(timeout) {
                    timed_out.store(true, Ordering::SeqCst);
                    if let Ok(mut child) = child.lock() {
                        let _ = child.kill();
                    }
                }
            })
        };
        Ok(Running {
            stdout,
            child,
            timed_out,
            stop_watchdog: Some(stop),
            watchdog: Some(watchdog),
            stderr: Some(stderr),
            program,
            timeout,
        })
    }

    /// Whether the watchdog has killed the program.
    pub(crate) fn timed_out(&self) -> bool {
        self.timed_out.load(Ordering::SeqCst)
    }

    /// The error for a run the watchdog ended.
    pub(crate) fn timeout_error(&self, path: &Path) -> FfmpegError {
        FfmpegError::TimedOut {
            path: path.to_path_buf(),
            program: self.program,
            limit_s: self.timeout.as_secs_f64(),
        }
    }

    /// Kill the program (its output is no longer wanted) and reap it.
    pub(crate) fn stop(mut self) {
        if let Ok(mut child) = self.child.lock() {
            let _ = child.kill();
        }
        let _ = self.wait_all();
    }

    /// Wait for the program to end; its stdout must have been read to the end
    /// (or it may block writing). A timeout is an error naming `path`.
    pub(crate) fn finish(mut self, path: &Path) -> Result<Finished, FfmpegError> {
        let finished = self.wait_all()?;
        if self.timed_out() {
            return Err(self.timeout_error(path));
        }
        Ok(finished)
    }

    fn wait_all(&mut self) -> Result<Finished, FfmpegError> {
        // Drain what is left of stdout so the program is not blocked on a
        // full pipe while we wait for it.
        let _ = std::io::copy(&mut self.stdout, &mut std::io::sink());
        drop(self.stop_watchdog.take());
        if let Some(watchdog) = self.watchdog.take() {
            let _ = watchdog.join();
        }
        let program = self.program;
        let status = match self.child.lock() {
            Ok(mut child) => child.wait(),
            Err(poisoned) => poisoned.into_inner().wait(),
        }
        .map_err(|source| FfmpegError::Start { program, source })?;
        let stderr = self
            .stderr
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        Ok(Finished { status, stderr })
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // A run abandoned by an early return (an error in the caller) must
        // not leave the program behind.
        if self.watchdog.is_some() {
            if let Ok(mut child) = self.child.lock() {
                let _ = child.kill();
            }
            let _ = self.wait_all();
        }
    }
}

/// Read a stream to its end, keeping the first [`MAX_STDERR_BYTES`].
fn read_bounded(mut stream: impl Read) -> String {
    let mut kept = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = MAX_STDERR_BYTES.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
        }
    }
    String::from_utf8_lossy(&kept).into_owned()
}

/// The first line of a program's standard error, without ffmpeg's
/// `[demuxer @ 0x55d…] ` prefix: the problem in its own words.
pub(crate) fn first_line(stderr: &str) -> String {
    let line = stderr
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let line = match (line.starts_with('['), line.find("] ")) {
        (true, Some(end)) if line[..end].contains(" @ ") => &line[end + 2..],
        _ => line,
    };
    line.chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_line_drops_the_context_prefix() {
        let err = "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55d0c1a2b3c0] moov atom not found\nx.mp4: Invalid data found when processing input\n";
        assert_eq!(first_line(err), "moov atom not found");
        assert_eq!(first_line("\n  plain words \n"), "plain words");
        assert_eq!(first_line(""), "");
        assert_eq!(first_line("[x] not a context"), "[x] not a context");
    }

    #[test]
    fn a_program_past_its_limit_is_killed() {
        let mut command = Command::new("sleep");
        command.arg("30");
        let started = std::time::Instant::now();
        let run = Running::start(command, "sleep", Duration::from_millis(200)).expect("sleep runs");
        let err = run
            .finish(Path::new("x.mp4"))
            .err()
            .expect("killed at the limit");
        assert!(matches!(err, FfmpegError::TimedOut { .. }), "{err}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}
