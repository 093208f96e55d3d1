//! `GET /openapi.json`: the API as this server implements it.
//!
//! The document is a file beside this one (`openapi.json`), not code: its
//! schemas describe the SDK's wire types, and a test holds the two together
//! (`tests/server/openapi.rs`: every schema lists exactly the fields the
//! types send, and every body the server sends validates against it).

use std::sync::LazyLock;

use axum::Json;
use serde_json::Value;

static DOCUMENT: LazyLock<Value> = LazyLock::new(|| {
    let mut document: Value =
        serde_json::from_str(include_str!("openapi.json")).unwrap_or(Value::Null);
    document["info"]["version"] = Value::from(env!("CARGO_PKG_VERSION"));
    document
});

pub(crate) async fn serve() -> Json<Value> {
    Json(DOCUMENT.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_document_parses_and_names_this_version() {
        assert_eq!(DOCUMENT["openapi"], "3.1.0");
        assert_eq!(DOCUMENT["info"]["version"], env!("CARGO_PKG_VERSION"));
    }
}
