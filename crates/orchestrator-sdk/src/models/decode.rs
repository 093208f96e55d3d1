//! Decoding a JSON value into a wire type with an error that names the JSON
//! path at fault.

use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// Decodes a JSON value into `T`, naming the JSON path that failed
/// (`result.entities[2]: invalid type: …`), so a broken payload is easy to pin down.
pub(crate) fn decode_value<T: DeserializeOwned>(
    value: &serde_json::Value,
    what: &str,
) -> Result<T> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let at = if path == "." {
            String::new()
        } else {
            format!(" at `{path}`")
        };
        Error::protocol(format!("could not decode {what}{at}: {inner}")).with_source(inner)
    })
}
