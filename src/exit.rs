//! The one place outcomes and errors become exit codes.

use std::process::ExitCode;

use orchestrator::{Error, ErrorKind, Outcome};

/// What a run ended with, each with one documented exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: completed (or accepted).
    Success,
    /// 1: the task failed.
    TaskFailed,
    /// 2: usage error.
    Usage,
    /// 3: the task was cancelled.
    TaskCancelled,
    /// 4: authentication failed, no key, or the key may not do that.
    Auth,
    /// 5: the request was rejected (4xx, unknown task).
    Rejected,
    /// 6: the server broke the contract.
    Protocol,
    /// 7: the TLS handshake failed (certificate not trusted, wrong name).
    Tls,
    /// 69: the server is unreachable or kept failing.
    Unavailable,
    /// 124: the wait timed out.
    TimedOut,
    /// 130: interrupted.
    Interrupted,
}

/// Every exit, in the order of its code: what `--help` and the man page list.
pub(crate) const ALL: [Exit; 11] = [
    Exit::Success,
    Exit::TaskFailed,
    Exit::Usage,
    Exit::TaskCancelled,
    Exit::Auth,
    Exit::Rejected,
    Exit::Protocol,
    Exit::Tls,
    Exit::Unavailable,
    Exit::TimedOut,
    Exit::Interrupted,
];

/// How several tasks' exits make one, as `--help` and the man page say it.
pub(crate) const WORST_OF_SEVERAL: &str = "With several tasks, `wait`, `status`, `cancel` and a batch \
`submit` exit with the most severe code: 130 > 4 > 7 > 69 > 6 > 5 > 124 > 1 > 3 > 0.";

impl Exit {
    /// What the code means to a script, in one line.
    pub fn meaning(self) -> &'static str {
        match self {
            Exit::Success => {
                "task COMPLETED (`submit` without --wait: accepted; `status`: read; `cancel`: cancelled)"
            }
            Exit::TaskFailed => "task FAILED (the task's error code and message on stderr)",
            Exit::Usage => "usage error: nothing was sent",
            Exit::TaskCancelled => "task CANCELLED",
            Exit::Auth => {
                "authentication failed, no key configured, or the key may not do that (a read-only key)"
            }
            Exit::Rejected => {
                "request rejected: validation, unknown task or bot, or `cancel` of a finished task"
            }
            Exit::Protocol => "protocol error: the server broke the contract",
            Exit::Tls => "TLS failure: certificate not trusted or not for that name (see --cacert)",
            Exit::Unavailable => "server unreachable, never answered, or failing after retries",
            Exit::TimedOut => "--timeout reached while the task is still running",
            Exit::Interrupted => "interrupted (Ctrl-C)",
        }
    }

    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::TaskFailed => 1,
            Exit::Usage => 2,
            Exit::TaskCancelled => 3,
            Exit::Auth => 4,
            Exit::Rejected => 5,
            Exit::Protocol => 6,
            Exit::Tls => 7,
            Exit::Unavailable => 69,
            Exit::TimedOut => 124,
            Exit::Interrupted => 130,
        }
    }

    /// How bad it is, to pick the worst of several waits:
    /// 130 > 4 > 7 > 69 > 6 > 5 > 124 > 1 > 3 > 0 (usage errors happen before any wait).
    fn severity(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::TaskCancelled => 1,
            Exit::TaskFailed => 2,
            Exit::TimedOut => 3,
            Exit::Rejected => 4,
            Exit::Protocol => 5,
            Exit::Unavailable => 6,
            Exit::Tls => 7,
            Exit::Auth => 8,
            Exit::Usage => 9,
            Exit::Interrupted => 10,
        }
    }

    /// The more severe of two.
    pub fn worst(self, other: Exit) -> Exit {
        if other.severity() > self.severity() {
            other
        } else {
            self
        }
    }

    /// For an outcome.
    pub fn for_outcome(outcome: &Outcome) -> Exit {
        match outcome {
            Outcome::Completed(_) => Exit::Success,
            Outcome::Failed(_) => Exit::TaskFailed,
            Outcome::Cancelled(_) => Exit::TaskCancelled,
            // A way of ending added to the SDK later: it did not complete.
            _ => Exit::TaskFailed,
        }
    }

    /// For an SDK error.
    pub fn for_error(error: &Error) -> Exit {
        match error.kind() {
            ErrorKind::Auth => Exit::Auth,
            // A server without the endpoint refused the request as asked.
            ErrorKind::NotFound | ErrorKind::Rejected | ErrorKind::Unsupported => Exit::Rejected,
            ErrorKind::Protocol | ErrorKind::CrossOrigin => Exit::Protocol,
            ErrorKind::Server | ErrorKind::Transport => Exit::Unavailable,
            ErrorKind::Tls => Exit::Tls,
            ErrorKind::TimedOut => Exit::TimedOut,
            ErrorKind::InvalidInput => Exit::Usage,
            // Asking a finished task for a result it does not have.
            ErrorKind::NoResult => Exit::Protocol,
            // A kind added to the SDK after this was written: treat it as
            // the server failing, the most cautious reading for a script.
            _ => Exit::Unavailable,
        }
    }

    /// A short word for JSON output.
    pub fn outcome_word(self) -> &'static str {
        match self {
            Exit::Success => "completed",
            Exit::TaskFailed => "failed",
            Exit::TaskCancelled => "cancelled",
            Exit::TimedOut => "timed_out",
            Exit::Interrupted => "interrupted",
            _ => "error",
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e.code())
    }
}

#[cfg(test)]
mod tests {
    use crate::*;

    #[test]
    fn the_worst_of_several_follows_the_documented_order() {
        let order = [
            Exit::Success,
            Exit::TaskCancelled,
            Exit::TaskFailed,
            Exit::TimedOut,
            Exit::Rejected,
            Exit::Protocol,
            Exit::Unavailable,
            Exit::Tls,
            Exit::Auth,
            Exit::Interrupted,
        ];
        for pair in order.windows(2) {
            assert_eq!(pair[0].worst(pair[1]), pair[1]);
            assert_eq!(pair[1].worst(pair[0]), pair[1]);
        }
        let codes: Vec<u8> = order.iter().rev().map(|e| e.code()).collect();
        assert_eq!(codes, [130, 4, 7, 69, 6, 5, 124, 1, 3, 0]);
    }
}
