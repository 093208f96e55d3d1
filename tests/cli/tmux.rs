//! A real terminal for the tests that need one: a tmux pane of a given
//! size, on a tmux server of its own (its own socket), killed on drop.
//! tmux is the terminal emulator: what `capture-pane` prints is what a
//! person would see, scrollback included.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// One pane running one program.
pub(crate) struct Pane {
    socket: String,
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// Whether every program in `tools` is on PATH. When one is missing the
/// test says it was skipped, on stdout where the test report shows it;
/// `.ci/run` installs them all (scripts/terminal-tools.sh), so CI never skips.
pub(crate) fn installed(test: &str, tools: &[&str]) -> bool {
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|tool| {
            !Command::new("sh")
                .args(["-c", &format!("command -v {tool}")])
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false)
        })
        .collect();
    if missing.is_empty() {
        return true;
    }
    println!(
        "skipped: {test}, because {} is not installed (bash scripts/terminal-tools.sh installs it)",
        missing.join(" and ")
    );
    false
}

impl Pane {
    /// Starts `program` (a shell command line) in a `width`×`height` pane,
    /// with only `env` (plus a PATH and TERM) in its environment.
    pub(crate) fn start(
        width: u16,
        height: u16,
        cwd: &Path,
        env: &[(&str, &str)],
        program: &str,
    ) -> Pane {
        let socket = format!(
            "orchestrator-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut line = String::from("env -i PATH=/usr/local/bin:/usr/bin:/bin TERM=xterm-256color");
        for (name, value) in env {
            line.push_str(&format!(" {name}={}", shell_quote(value)));
        }
        line.push(' ');
        line.push_str(program);
        let started = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d"])
            .args(["-x", &width.to_string(), "-y", &height.to_string()])
            .arg("-c")
            .arg(cwd)
            .arg(&line)
            .status()
            .unwrap_or_else(|e| {
                panic!("tmux is needed for the terminal tests (.ci/run installs it): {e}")
            });
        assert!(started.success(), "tmux new-session failed");
        let pane = Pane { socket };
        // Keep the pane (and its last screen) when the program exits.
        pane.tmux(&["set-option", "-g", "remain-on-exit", "on"]);
        pane
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Types `keys` (tmux key names: `Tab`, `Enter`, `C-u`, or text).
    pub(crate) fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "0"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// The visible screen, trailing blank lines dropped.
    pub(crate) fn screen(&self) -> String {
        trim(&self.tmux(&["capture-pane", "-p", "-t", "0"]))
    }

    /// The scrollback and the screen, everything the terminal holds, with
    /// lines the terminal wrapped joined again.
    pub(crate) fn everything(&self) -> String {
        trim(&self.tmux(&["capture-pane", "-p", "-J", "-S", "-", "-t", "0"]))
    }

    /// Whether the program has exited.
    pub(crate) fn exited(&self) -> bool {
        self.tmux(&["display-message", "-p", "-t", "0", "#{pane_dead}"])
            .trim()
            == "1"
    }

    /// Waits until the program has exited; panics with the screen after `limit`.
    pub(crate) fn wait_for_exit(&self, limit: Duration) {
        let start = Instant::now();
        while !self.exited() {
            assert!(
                start.elapsed() < limit,
                "still running; the screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until `ready` holds for the screen; panics with the screen
    /// after `limit`.
    pub(crate) fn wait_for(&self, limit: Duration, ready: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            assert!(start.elapsed() < limit, "timed out; the screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

fn trim(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let end = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(0, |i| i + 1);
    lines[..end].join("\n")
}

fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}
