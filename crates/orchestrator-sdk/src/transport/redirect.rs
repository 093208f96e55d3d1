//! Which redirects a request follows: at most [`MAX_REDIRECTS`], and only
//! on the API's own origin unless the client allows others — the same rule
//! as for a `202`'s `Location`, so a status URL cannot be moved elsewhere
//! by a redirect where a `Location` could not move it.

use std::fmt;

use url::Url;

/// How many redirects one request follows before it is called a loop.
pub(crate) const MAX_REDIRECTS: usize = 5;

/// Why a redirect was not followed (the error reqwest carries back).
#[derive(Debug)]
pub(crate) enum RedirectStop {
    /// More than [`MAX_REDIRECTS`] in a row: a loop, most likely.
    TooMany,
    /// To another origin than the API's, which the client does not follow.
    CrossOrigin(Url),
}

impl fmt::Display for RedirectStop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedirectStop::TooMany => write!(f, "more than {MAX_REDIRECTS} redirects"),
            RedirectStop::CrossOrigin(to) => write!(f, "a redirect to another origin ({to})"),
        }
    }
}

impl std::error::Error for RedirectStop {}

/// The redirect policy of a client whose API is at `base_url`.
pub(crate) fn redirect_policy(
    base_url: &Url,
    follow_cross_origin: bool,
) -> reqwest::redirect::Policy {
    let origin = base_url.origin();
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.error(RedirectStop::TooMany);
        }
        if !follow_cross_origin && attempt.url().origin() != origin {
            let to = attempt.url().clone();
            return attempt.error(RedirectStop::CrossOrigin(to));
        }
        // Followed: reqwest strips `Authorization` on a redirect to another
        // host, port or scheme, so the token stays on the API's origin.
        attempt.follow()
    })
}
