//! Reading an HTTP body without trusting its size.

use http_body_util::BodyExt;
use hyper::body::{Body, Bytes};

/// Why a capped read stopped.
#[derive(Debug)]
pub(crate) enum CappedReadError<E> {
    /// The body is larger than the limit; `declared` is its Content-Length if sent.
    TooLarge { limit: u64, declared: Option<u64> },
    /// The connection broke mid-body.
    Broken(E),
}

/// Reads a body, refusing to buffer more than `limit` bytes: a declared
/// length over the limit fails before reading, and a body that grows past it
/// fails as soon as it does.
pub(crate) async fn read_capped<B>(
    mut body: B,
    limit: u64,
) -> Result<Vec<u8>, CappedReadError<B::Error>>
where
    B: Body<Data = Bytes> + Unpin,
{
    let declared = body.size_hint().exact();
    if declared.is_some_and(|len| len > limit) {
        return Err(CappedReadError::TooLarge { limit, declared });
    }
    let mut read = Vec::with_capacity(declared.unwrap_or(0).min(64 * 1024) as usize);
    while let Some(frame) = body.frame().await {
        // Trailers carry nothing a status needs.
        let Ok(chunk) = frame.map_err(CappedReadError::Broken)?.into_data() else {
            continue;
        };
        if (read.len() + chunk.len()) as u64 > limit {
            return Err(CappedReadError::TooLarge { limit, declared });
        }
        read.extend_from_slice(&chunk);
    }
    Ok(read)
}
