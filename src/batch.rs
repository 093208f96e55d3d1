//! The items of a `submit`: from `--document-url` (repeated), `--data`, or
//! the lines of `--from`, each with the idempotency key it is sent with.

use std::io::{self, BufRead};
use std::path::Path;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::args::SubmitArgs;

/// One task to submit.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Item {
    /// The request body.
    pub body: Value,
    /// How the user gave it, for messages: the URL, or `FILE line N`.
    pub label: String,
    /// The idempotency key, if one applies (otherwise the SDK makes one).
    pub key: Option<String>,
}

/// Reads all items, or the usage error that makes the batch impossible
/// (before anything is sent).
pub(crate) fn items(args: &SubmitArgs, data: Option<Value>) -> Result<Vec<Item>, String> {
    let mut items: Vec<Item> = args
        .document_url
        .iter()
        .map(|url| Item {
            body: json!({"document_url": url}),
            label: url.clone(),
            key: None,
        })
        .collect();
    if let Some(body) = data {
        items.push(Item {
            label: "--data".to_owned(),
            body,
            key: None,
        });
    }
    let from_file = args.from.is_some();
    if let Some(path) = &args.from {
        items.extend(read_lines(path, args.action.is_some())?);
    }
    if items.is_empty() {
        return Err(match &args.from {
            Some(path) => format!("{} holds no tasks", shown(path)),
            None => "give --document-url, --from, or --action with --data".to_owned(),
        });
    }
    let action = args.action.as_deref().unwrap_or("analyze-document");
    match (&args.idempotency_key, items.len(), from_file) {
        (None, _, _) => {}
        // One task given on the command line: the key is used as it is.
        (Some(key), 1, false) => items[0].key = Some(key.clone()),
        (Some(prefix), _, _) => derive_keys(prefix, action, &mut items),
    }
    Ok(items)
}

fn shown(path: &Path) -> String {
    if path == Path::new("-") {
        "standard input".to_owned()
    } else {
        path.display().to_string()
    }
}

/// One item per line: a JSON object is a request body, anything else a
/// document URL (not allowed with `--action`, whose bodies are JSON).
fn read_lines(path: &Path, action: bool) -> Result<Vec<Item>, String> {
    let name = shown(path);
    let reader: Box<dyn BufRead> = if path == Path::new("-") {
        Box::new(io::BufReader::new(io::stdin()))
    } else {
        let file = std::fs::File::open(path).map_err(|e| format!("cannot read {name}: {e}"))?;
        Box::new(io::BufReader::new(file))
    };
    let mut items = Vec::new();
    for (n, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| format!("cannot read {name}: {e}"))?;
        let text = line.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let label = format!("{name} line {}", n + 1);
        let body = if text.starts_with('{') {
            let body: Value = serde_json::from_str(text)
                .map_err(|e| format!("{label}: not a valid JSON request body: {e}"))?;
            body
        } else if action {
            return Err(format!(
                "{label}: with --action every line must be a JSON request body"
            ));
        } else {
            json!({"document_url": text})
        };
        items.push(Item {
            body,
            label,
            key: None,
        });
    }
    Ok(items)
}

/// `PREFIX-<hash of action and body>-<n>`: the same request gets the same
/// key on every run, whatever its position, and identical requests in one
/// batch stay distinct tasks (n counts them).
fn derive_keys(prefix: &str, action: &str, items: &mut [Item]) {
    let mut seen = std::collections::HashMap::<String, u32>::new();
    for item in items {
        let mut hash = Sha256::new();
        hash.update(action.as_bytes());
        hash.update([0]);
        hash.update(item.body.to_string().as_bytes());
        let digest = hash.finalize();
        let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        let n = seen.entry(hex.clone()).or_default();
        *n += 1;
        item.key = Some(format!("{prefix}-{hex}-{n}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(url: &str) -> Item {
        Item {
            body: json!({"document_url": url}),
            label: url.to_owned(),
            key: None,
        }
    }

    #[test]
    fn derived_keys_follow_the_request_not_its_position() {
        let mut a = vec![item("https://x/1"), item("https://x/2")];
        let mut b = vec![item("https://x/2"), item("https://x/1")];
        derive_keys("nightly", "analyze-document", &mut a);
        derive_keys("nightly", "analyze-document", &mut b);
        assert_eq!(a[0].key, b[1].key);
        assert_eq!(a[1].key, b[0].key);
        assert_ne!(a[0].key, a[1].key);
        assert!(a[0].key.as_deref().unwrap().starts_with("nightly-"));
    }

    #[test]
    fn identical_requests_in_one_batch_get_distinct_keys() {
        let mut items = vec![item("https://x/1"), item("https://x/1")];
        derive_keys("k", "analyze-document", &mut items);
        assert_ne!(items[0].key, items[1].key);
        assert!(items[1].key.as_deref().unwrap().ends_with("-2"));
    }

    #[test]
    fn another_action_or_prefix_is_another_key() {
        let mut a = vec![item("https://x/1")];
        let mut b = vec![item("https://x/1")];
        let mut c = vec![item("https://x/1")];
        derive_keys("k", "analyze-document", &mut a);
        derive_keys("k", "summarize", &mut b);
        derive_keys("j", "analyze-document", &mut c);
        assert_ne!(a[0].key, b[0].key);
        assert_ne!(a[0].key, c[0].key);
    }
}
