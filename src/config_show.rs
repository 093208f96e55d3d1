//! `config show`: the effective settings and where each came from.

use std::io;

use serde_json::{Map, Value, json};

use crate::args::{Global, Output};
use crate::exit::Exit;
use crate::output::Printer;
use crate::profiles::Provenance;

/// Prints every setting a profile can hold: its value (the key only as
/// "set" or "not set") and its source.
pub(crate) fn show(
    global: &Global,
    provenance: &Provenance,
    printer: &Printer,
) -> io::Result<Exit> {
    let duration = |d: std::time::Duration| humantime::format_duration(d).to_string();
    let key_set = provenance
        .sources
        .get("api_key")
        .is_some_and(|s| s != "none");
    let rows: Vec<(&str, String)> = vec![
        ("api_url", global.api_url.clone()),
        (
            "api_key",
            if key_set {
                "(set, redacted)"
            } else {
                "(not set)"
            }
            .to_owned(),
        ),
        (
            "timeout",
            global.timeout.map_or_else(|| "none".to_owned(), duration),
        ),
        ("min_interval", duration(global.min_interval)),
        ("max_interval", duration(global.max_interval)),
        ("max_retry_after", duration(global.max_retry_after)),
        ("no_long_poll", global.no_long_poll.to_string()),
        ("output", format!("{:?}", global.output).to_lowercase()),
        ("progress", format!("{:?}", global.progress).to_lowercase()),
        (
            "cacert",
            global
                .cacert
                .as_ref()
                .map_or_else(|| "none".to_owned(), |p| p.display().to_string()),
        ),
        (
            "proxy",
            global.proxy.clone().unwrap_or_else(|| {
                if global.no_proxy {
                    "none (--no-proxy)".to_owned()
                } else {
                    "from HTTPS_PROXY/HTTP_PROXY/NO_PROXY".to_owned()
                }
            }),
        ),
    ];
    let source = |name: &str| {
        let key = if name == "proxy" && global.proxy.is_none() {
            "no_proxy"
        } else {
            name
        };
        provenance
            .sources
            .get(key)
            .cloned()
            .unwrap_or_else(|| "default".to_owned())
    };
    // A profile's `output` is for the commands that talk to the server;
    // `config show` answers in JSON only when asked on this command line
    // or in the environment, so a profile cannot hide what it sets.
    let asked = printer.jq.is_some()
        || matches!(
            provenance.sources.get("output").map(String::as_str),
            Some(s) if s == "flag" || s.starts_with("environment")
        );
    let format = if asked { printer.format } else { Output::Text };
    match format {
        Output::Text => {
            let file = match (&provenance.file, &provenance.searched) {
                (Some(file), _) => file.display().to_string(),
                (None, Some(searched)) => {
                    format!("none (looked for {})", searched.display())
                }
                (None, None) => "none (no HOME or XDG_CONFIG_HOME to look in)".to_owned(),
            };
            printer.out(&format!("config file  {file}"))?;
            printer.out(&format!(
                "profile      {}",
                provenance.profile.as_deref().unwrap_or("none")
            ))?;
            for (name, value) in &rows {
                printer.out(&format!("{name:<16} {value:<40} ({})", source(name)))?;
            }
        }
        Output::Json | Output::Jsonl => {
            let mut settings = Map::new();
            for (name, value) in &rows {
                settings.insert(
                    (*name).to_owned(),
                    json!({"value": value, "source": source(name)}),
                );
            }
            printer.json(&json!({
                "config_file": provenance.file.as_ref().map(|p| p.display().to_string()),
                "config_file_searched": provenance.searched.as_ref().map(|p| p.display().to_string()),
                "profile": provenance.profile,
                "settings": Value::Object(settings),
            }))?;
        }
    }
    Ok(Exit::Success)
}
