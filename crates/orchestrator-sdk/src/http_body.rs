//! Reading an HTTP body without trusting its size: shared by the SDK (status
//! responses) and the reference server (fetched documents).

/// Why a capped read stopped.
#[derive(Debug)]
pub(crate) enum CappedReadError {
    /// The body is larger than the limit; `declared` is its Content-Length if sent.
    TooLarge { limit: u64, declared: Option<u64> },
    /// The connection broke mid-body.
    Broken(reqwest::Error),
}

/// Reads a body, refusing to buffer more than `limit` bytes: a declared
/// length over the limit fails before reading, and a body that grows past it
/// fails as soon as it does.
pub(crate) async fn read_capped(
    response: &mut reqwest::Response,
    limit: u64,
) -> Result<Vec<u8>, CappedReadError> {
    let declared = response.content_length();
    if declared.is_some_and(|len| len > limit) {
        return Err(CappedReadError::TooLarge { limit, declared });
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(0).min(64 * 1024) as usize);
    while let Some(chunk) = response.chunk().await.map_err(CappedReadError::Broken)? {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(CappedReadError::TooLarge { limit, declared });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
