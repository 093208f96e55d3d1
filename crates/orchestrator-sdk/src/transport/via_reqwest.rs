//! Sending a request through reqwest — every request but the status `GET`s
//! the direct HTTP/2 path takes — and reading reqwest's failures as the
//! SDK's errors (a certificate problem told apart from a dead server).

use std::future::Future;

use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use url::Url;

use super::exchange::{
    Answered, CONNECTION_FAILED, NO_CONNECTION, Sending, TIMED_OUT, Unanswered, no_answer, received,
};
use crate::error::{Error, ErrorKind, causes};

/// Sends the request `sending` describes, with `headers` and an optional
/// JSON body (not an `async fn`: the request is built at once, so the
/// future holds it once, not also as its arguments).
pub(super) fn send<'a>(
    http: &reqwest::Client,
    headers: HeaderMap,
    json_body: Option<Vec<u8>>,
    sending: Sending<'a>,
) -> impl Future<Output = Result<Answered, Unanswered>> + 'a {
    let Sending { method, url, .. } = sending;
    let mut request = http
        .request(method.clone(), url.clone())
        .timeout(sending.timeout)
        .headers(headers);
    if let Some(body) = json_body {
        request = request
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .body(body);
    }
    let sent = request.send();
    async move {
        let mut response = sent.await.map_err(|e| {
            let connect = e.is_connect();
            let error = transport_error(method, url, e);
            // A TLS failure happens while connecting, but retrying
            // cannot fix a certificate.
            let connect = connect && error.kind() == ErrorKind::Transport;
            (error, connect)
        })?;
        let head = (
            response.status(),
            response.version(),
            std::mem::take(response.headers_mut()),
        );
        received(head, reqwest::Body::from(response), sending).await
    }
}

pub(crate) fn transport_error(method: &Method, url: &Url, e: reqwest::Error) -> Error {
    if let Some(why) = tls_failure(&e) {
        let host = url.host_str().unwrap_or("the server");
        // A plaintext server answers a TLS hello with bytes that are no TLS
        // record at all: that is not a certificate to trust.
        if matches!(why, rustls::Error::InvalidMessage(_)) {
            return Error::new(
                ErrorKind::Tls,
                format!(
                    "{host} did not answer in TLS ({method} {url}): {why}; it may serve plain HTTP"
                ),
            )
            .with_advice("if it does, give a base URL that starts with http://")
            .with_source(e.without_url());
        }
        return Error::new(
            ErrorKind::Tls,
            format!("the TLS handshake with {host} failed ({method} {url}): {why}"),
        )
        .with_advice("if the server uses a private CA, trust it with `add_root_certificate`")
        .with_source(e.without_url());
    }
    if let Some(stop) = causes(&e).find_map(|c| c.downcast_ref::<super::RedirectStop>()) {
        return match stop {
            super::RedirectStop::TooMany => Error::protocol(format!(
                "a redirect loop: {method} {url} was redirected more than {} times",
                super::redirect::MAX_REDIRECTS
            )),
            super::RedirectStop::CrossOrigin(to) => Error::new(
                ErrorKind::CrossOrigin,
                format!(
                    "{method} {url} was redirected to {to}, on {}, not on the API's origin; \
                     refusing to follow it",
                    to.origin().ascii_serialization()
                ),
            )
            .with_advice(
                "enable `follow_cross_origin` on the client builder to follow it without credentials",
            ),
        };
    }
    let what = if e.is_timeout() {
        TIMED_OUT
    } else if e.is_connect() {
        NO_CONNECTION
    } else if e.is_builder() {
        return Error::invalid_input(format!("could not build {method} {url}")).with_source(e);
    } else {
        CONNECTION_FAILED
    };
    no_answer(method, url, what).with_source(e.without_url())
}

/// The TLS error somewhere in `e`'s causes, if the failure was one: a
/// certificate that is not trusted, for another name, or expired, or a
/// handshake the server broke off.
fn tls_failure<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    causes(e).find_map(|c| c.downcast_ref::<rustls::Error>())
}
