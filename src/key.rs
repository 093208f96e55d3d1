//! Where the API key comes from: the environment or a file, never argv.

use std::io::Read;
use std::path::Path;

/// The key, if configured: `--api-key-file` (`-` = stdin) wins, then
/// `ORCHESTRATOR_API_KEY`, then the spec's `ADMIN_API_KEY`.
pub(crate) fn load(file: Option<&Path>) -> Result<Option<String>, String> {
    if let Some(path) = file {
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
        let key = text.lines().next().unwrap_or("").trim().to_owned();
        if key.is_empty() {
            return Err(format!("the API key file {} is empty", path.display()));
        }
        return Ok(Some(key));
    }
    Ok(["ORCHESTRATOR_API_KEY", "ADMIN_API_KEY"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .map(|k| k.trim().to_owned())
        .find(|k| !k.is_empty()))
}
