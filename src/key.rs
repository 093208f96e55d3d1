//! Where the API key comes from: the environment, a file, or a command —
//! never argv, never the config file itself.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

/// The variables that may hold the key, strongest first.
const KEY_VARIABLES: [&str; 2] = ["ORCHESTRATOR_API_KEY", "ADMIN_API_KEY"];

/// Which key variable is set (and not blank), if any.
pub(crate) fn env_key_name() -> Option<&'static str> {
    KEY_VARIABLES.into_iter().find(|name| {
        std::env::var(name)
            .map(|v| !v.trim().is_empty())
            .unwrap_or(false)
    })
}

/// The key, if configured: `--api-key-file` (`-` = stdin) wins, then
/// `ORCHESTRATOR_API_KEY`, then the spec's `ADMIN_API_KEY`, then a
/// profile's `api_key_command`. (A profile's `api_key_file` arrives as
/// `file` only when no variable is set: see `profiles::apply`.)
pub(crate) fn load(file: Option<&Path>, command: Option<&str>) -> Result<Option<String>, String> {
    if let Some(path) = file {
        return read_file(path).map(Some);
    }
    if let Some(key) = env_key_name().and_then(|name| std::env::var(name).ok()) {
        return Ok(Some(key.trim().to_owned()));
    }
    command.map(run_command).transpose()
}

fn read_file(path: &Path) -> Result<String, String> {
    let text = if path == Path::new("-") {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read the API key from standard input: {e}"))?;
        s
    } else {
        std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the API key file {}: {e}", path.display()))?
    };
    first_line(&text).ok_or_else(|| format!("the API key file {} is empty", path.display()))
}

/// Runs a profile's `api_key_command` through the shell, as git's
/// credential helpers are run: its standard output (first line) is the
/// key; its standard error passes through so it can prompt or explain.
fn run_command(command: &str) -> Result<String, String> {
    let mut shell = if cfg!(windows) {
        let mut c = Command::new("cmd");
        c.arg("/C");
        c
    } else {
        let mut c = Command::new("sh");
        c.arg("-c");
        c
    };
    let output = shell
        .arg(command)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run the api_key_command `{command}`: {e}"))?;
    // Never echo what it printed: that would be the key.
    if !output.status.success() {
        return Err(format!(
            "the api_key_command `{command}` failed ({})",
            output.status
        ));
    }
    first_line(&String::from_utf8_lossy(&output.stdout))
        .ok_or_else(|| format!("the api_key_command `{command}` printed no key"))
}

fn first_line(text: &str) -> Option<String> {
    let key = text.lines().next().unwrap_or("").trim();
    (!key.is_empty()).then(|| key.to_owned())
}
