//! Profiles: settings from a TOML file, under flags and the environment.
//!
//! ```toml
//! [default]                      # applies without --profile
//! output = "json"
//!
//! [profiles.staging]             # --profile staging
//! api_url = "https://tasks.staging.example.com"
//! api_key_command = "pass show orchestrator/staging"
//! timeout = "10m"
//! cacert = "/etc/ssl/corp-root.pem"
//! ```
//!
//! Keys are the long flag names in snake case. Precedence, highest first: a
//! flag, its environment variable, the named profile, `[default]`, the
//! built-in default. The key itself never goes in the file: `api_key_file`
//! or `api_key_command` (whose standard output is the key) say where it is.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::ArgMatches;
use clap::ValueEnum;
use clap::parser::ValueSource;
use serde::{Deserialize, Deserializer};

use crate::args::{Global, Output, ProgressMode};

/// One table of settings: `[default]` or `[profiles.NAME]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    #[serde(default, deserialize_with = "api_url")]
    api_url: Option<String>,
    api_key_file: Option<PathBuf>,
    api_key_command: Option<String>,
    #[serde(default, deserialize_with = "duration")]
    timeout: Option<Duration>,
    #[serde(default, deserialize_with = "duration")]
    min_interval: Option<Duration>,
    #[serde(default, deserialize_with = "duration")]
    max_interval: Option<Duration>,
    #[serde(default, deserialize_with = "duration")]
    max_retry_after: Option<Duration>,
    #[serde(default, deserialize_with = "value_enum")]
    output: Option<Output>,
    #[serde(default, deserialize_with = "value_enum")]
    progress: Option<ProgressMode>,
    no_long_poll: Option<bool>,
    cacert: Option<PathBuf>,
    proxy: Option<String>,
    no_proxy: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    default: Option<Table>,
    #[serde(default)]
    profiles: BTreeMap<String, Table>,
}

/// An `api_url` checked where it is written, so a mistake is reported at
/// its line and column rather than later as a failed request.
fn api_url<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let text = String::deserialize(d)?;
    match url::Url::parse(&text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => Ok(Some(text)),
        Ok(url) => Err(serde::de::Error::custom(format!(
            "api_url `{text}` must be an http:// or https:// URL (it is {}:)",
            url.scheme()
        ))),
        Err(e) => Err(serde::de::Error::custom(format!(
            "api_url `{text}` is not a URL ({e}); expected e.g. https://tasks.example.com"
        ))),
    }
}

fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    let text = String::deserialize(d)?;
    humantime::parse_duration(text.trim())
        .map(Some)
        .map_err(|e| {
            serde::de::Error::custom(format!(
                "`{text}` is not a duration like 90s, 10m or 1h30m: {e}"
            ))
        })
}

fn value_enum<'de, D: Deserializer<'de>, T: ValueEnum>(d: D) -> Result<Option<T>, D::Error> {
    let text = String::deserialize(d)?;
    T::from_str(&text, true).map(Some).map_err(|_| {
        let names: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|v| Some(v.to_possible_value()?.get_name().to_owned()))
            .collect();
        serde::de::Error::custom(format!("`{text}` is not one of {}", names.join(", ")))
    })
}

/// Where each effective setting came from, for `config show`.
#[derive(Debug, Default)]
pub(crate) struct Provenance {
    /// The config file read, if any.
    pub file: Option<PathBuf>,
    /// Where the config file was looked for when none was given and none
    /// was there (`None` when no HOME or XDG_CONFIG_HOME says where).
    pub searched: Option<PathBuf>,
    /// The profile applied, if any.
    pub profile: Option<String>,
    /// Setting name → where its value came from.
    pub sources: BTreeMap<&'static str, String>,
}

/// The config file to read: `--config`/`ORCHESTRATOR_CONFIG` (and
/// `true`: it must exist), else `$XDG_CONFIG_HOME/orchestrator/config.toml`
/// (`~/.config/…`), read if it exists.
fn config_path(global: &Global) -> Option<(PathBuf, bool)> {
    if let Some(path) = &global.config {
        return Some((path.clone(), true));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some((base.join("orchestrator").join("config.toml"), false))
}

/// Reads and checks a config file; errors name the file and line.
fn read(path: &Path) -> Result<File, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the config file {}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| {
        let at = e
            .span()
            .map(|span| {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                format!(":{line}:{column}")
            })
            .unwrap_or_default();
        let mut message = e.message().to_owned();
        if message.contains("unknown field `api_key`") {
            message = "`api_key` does not belong in a config file, where anyone who can read \
                       it can use the key; set `api_key_file` or `api_key_command` instead"
                .to_owned();
        }
        format!("{}{at}: {message}", path.display())
    })
}

/// The strongest source of `id` in the parsed command line, looking into
/// the subcommand too (global flags may be given after it).
fn source(matches: &ArgMatches, id: &str) -> Option<ValueSource> {
    let mut best = matches.value_source(id);
    let mut current = matches;
    while let Some((_, sub)) = current.subcommand() {
        if let Some(s) = sub.value_source(id) {
            best = best.max(Some(s));
        }
        current = sub;
    }
    best
}

/// Layers the config file under what the command line and environment set,
/// and says where each setting came from.
pub(crate) fn apply(global: &mut Global, matches: &ArgMatches) -> Result<Provenance, String> {
    let mut provenance = Provenance::default();
    let file = match config_path(global) {
        Some((path, _)) if path.exists() => {
            let file = read(&path)?;
            provenance.file = Some(path);
            file
        }
        Some((path, true)) => {
            return Err(format!("the config file {} does not exist", path.display()));
        }
        Some((path, false)) => {
            provenance.searched = Some(path);
            File::default()
        }
        None => File::default(),
    };
    let where_ = provenance
        .file
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let named = match &global.profile {
        Some(name) => {
            let Some(table) = file.profiles.get(name) else {
                let known: Vec<&str> = file.profiles.keys().map(String::as_str).collect();
                return Err(match provenance.file {
                    None => format!("profile `{name}` asked for, but there is no config file"),
                    Some(_) if known.is_empty() => {
                        format!("{where_} has no profile `{name}` (it defines none)")
                    }
                    Some(_) => format!(
                        "{where_} has no profile `{name}`; it has: {}",
                        known.join(", ")
                    ),
                });
            };
            provenance.profile = Some(name.clone());
            Some((format!("profile {name} in {where_}"), table))
        }
        None => None,
    };
    let default = file
        .default
        .as_ref()
        .map(|t| (format!("[default] in {where_}"), t));
    // The named profile first, then [default].
    let layers: Vec<(String, &Table)> = named.into_iter().chain(default).collect();

    macro_rules! layer {
        ($field:ident, $id:literal, $env:expr, |$v:ident| $set:expr) => {{
            match source(matches, $id) {
                Some(ValueSource::CommandLine) => {
                    provenance.sources.insert($id, "flag".to_owned());
                }
                Some(ValueSource::EnvVariable) => {
                    provenance
                        .sources
                        .insert($id, format!("environment {}", $env));
                }
                _ => {
                    let found = layers
                        .iter()
                        .find_map(|(name, t)| t.$field.clone().map(|v| (name, v)));
                    match found {
                        Some((name, $v)) => {
                            $set;
                            provenance.sources.insert($id, name.clone());
                        }
                        None => {
                            provenance.sources.insert($id, "default".to_owned());
                        }
                    }
                }
            }
        }};
    }
    layer!(api_url, "api_url", "ORCHESTRATOR_API_URL", |v| global
        .api_url =
        v);
    layer!(timeout, "timeout", "ORCHESTRATOR_TIMEOUT", |v| global
        .timeout =
        Some(v));
    layer!(min_interval, "min_interval", "-", |v| global.min_interval =
        v);
    layer!(max_interval, "max_interval", "-", |v| global.max_interval =
        v);
    layer!(max_retry_after, "max_retry_after", "-", |v| global
        .max_retry_after =
        v);
    layer!(output, "output", "ORCHESTRATOR_OUTPUT", |v| global.output =
        v);
    layer!(progress, "progress", "ORCHESTRATOR_PROGRESS", |v| global
        .progress =
        v);
    layer!(
        no_long_poll,
        "no_long_poll",
        "ORCHESTRATOR_NO_LONG_POLL",
        |v| global.no_long_poll = v
    );
    layer!(cacert, "cacert", "ORCHESTRATOR_CACERT", |v| global.cacert =
        Some(v));
    layer!(proxy, "proxy", "-", |v| global.proxy = Some(v));
    layer!(no_proxy, "no_proxy", "-", |v| global.no_proxy = v);

    // The key: --api-key-file (or its variable) and ORCHESTRATOR_API_KEY
    // beat the profile's file or command.
    let key_source = match source(matches, "api_key_file") {
        Some(ValueSource::CommandLine) => Some("flag --api-key-file".to_owned()),
        Some(ValueSource::EnvVariable) => Some("environment ORCHESTRATOR_API_KEY_FILE".to_owned()),
        _ => crate::key::env_key_name().map(|name| format!("environment {name}")),
    };
    let key_source = match key_source {
        Some(s) => s,
        None => {
            let file = layers
                .iter()
                .find_map(|(name, t)| t.api_key_file.clone().map(|v| (name, v)));
            let command = layers
                .iter()
                .find_map(|(name, t)| t.api_key_command.clone().map(|v| (name, v)));
            match (file, command) {
                (Some((name, path)), _) => {
                    let s = format!("api_key_file {} ({name})", path.display());
                    global.api_key_file = Some(path);
                    s
                }
                (None, Some((name, command))) => {
                    let s = format!("api_key_command ({name})");
                    global.api_key_command = Some(command);
                    s
                }
                (None, None) => "none".to_owned(),
            }
        }
    };
    provenance.sources.insert("api_key", key_source);
    if global.proxy.is_some() && global.no_proxy {
        return Err("both a proxy and no_proxy are set; choose one".to_owned());
    }
    Ok(provenance)
}
