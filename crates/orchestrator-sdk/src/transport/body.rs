//! Reading a response body without trusting its size: a declared length
//! over the cap fails before reading, and a body that grows past it fails
//! as soon as it does (http-body-util's `Limited`).

use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::{Body, Bytes};

use crate::error::{BoxError, Error, ErrorKind};

/// Reads `body` in full, refusing to buffer more than `limit` bytes.
pub(crate) async fn read_capped<B>(body: B, limit: usize) -> Result<Bytes, Error>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    let declared = body.size_hint().exact();
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(too_large(limit, declared));
    }
    match Limited::new(body, limit).collect().await {
        // Trailers carry nothing a status needs.
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<LengthLimitError>() => Err(too_large(limit, declared)),
        Err(e) => Err(Error::new(
            ErrorKind::Transport,
            "the connection broke while reading the response body",
        )
        .with_source(without_url(e))
        .transient(true)),
    }
}

fn too_large(limit: usize, declared: Option<u64>) -> Error {
    let size = declared.map_or_else(|| format!("more than {limit}"), |n| n.to_string());
    Error::protocol(format!(
        "the response body ({size} bytes) exceeds the {limit}-byte limit"
    ))
    .with_advice("raise `max_body_bytes` on the client builder if this is expected")
}

/// `e` without the URL reqwest puts in its errors (a signed status URL
/// carries its signature in the query).
fn without_url(e: BoxError) -> BoxError {
    match e.downcast::<reqwest::Error>() {
        Ok(e) => Box::new(e.without_url()),
        Err(e) => e,
    }
}
