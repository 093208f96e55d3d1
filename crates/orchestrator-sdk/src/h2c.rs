//! Status `GET`s straight over one h2c connection, for clients that speak
//! HTTP/2 with prior knowledge to a plaintext API they reach directly.
//!
//! Why: a long poll sent through reqwest keeps its pooled-client call, its
//! redirect and retry layers and its copy of the request alive for the whole
//! wait, about 10 KB; sent on hyper's HTTP/2 connection API it keeps only the
//! stream. With ten thousand waits that is most of the client's memory.
//!
//! It is used only where it behaves as reqwest would: a `GET` without a body,
//! to the base URL's origin over `http://`, with no proxy (the same proxy
//! rules reqwest applies, read the same way). A redirect is not followed here:
//! the transport sends the request again through reqwest, which follows it
//! under the client's redirect policy. Everything else (TLS, proxies, other
//! origins, submits) goes through reqwest.

use std::time::Duration;

use http_body_util::Empty;
use hyper::body::{Bytes, Incoming};
use hyper::client::conn::http2::SendRequest;
use hyper::header::{ACCEPT, HeaderMap, HeaderValue};
use hyper::{Request, Response, Uri};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioExecutor;
use tokio::sync::Mutex;
use url::Url;

/// One lazily opened HTTP/2 connection to the API's origin, reopened when
/// the server closes it.
#[derive(Debug)]
pub(crate) struct H2c {
    /// As the URL spells it (`[::1]` for an IPv6 address), to match URLs by.
    host_str: String,
    port: u16,
    /// `http://host:port`, what the connector is asked for.
    origin: Uri,
    /// hyper-util's connector, set up as reqwest sets up its own.
    connector: HttpConnector,
    connect_timeout: Duration,
    connection: Mutex<Option<SendRequest<Empty<Bytes>>>>,
}

/// Why a request sent here got no answer.
#[derive(Debug)]
pub(crate) enum H2cFailure {
    /// No connection could be opened (refused, unreachable, no such host).
    Connect(crate::error::BoxError),
    /// Opening the connection took longer than the connect timeout.
    ConnectTimeout,
    /// The connection opened but the exchange failed: the HTTP/2 handshake,
    /// a reset stream, a connection closed mid-answer.
    Exchange(hyper::Error),
}

impl H2c {
    /// The direct path to `base_url`'s origin, if requests to it may take
    /// one: plaintext, and not sent through a proxy by `proxies` (the rules
    /// reqwest follows for its system proxy, [`Matcher::from_system`], when
    /// the client honours the environment's proxy variables).
    pub(crate) fn direct_to(
        base_url: &Url,
        connect_timeout: Duration,
        proxies: Option<&Matcher>,
    ) -> Option<H2c> {
        if base_url.scheme() != "http" {
            return None;
        }
        let uri: Uri = base_url.as_str().parse().ok()?;
        if proxies.is_some_and(|p| p.intercept(&uri).is_some()) {
            return None;
        }
        let port = base_url.port_or_known_default()?;
        let host_str = base_url.host_str()?.to_owned();
        let origin = format!("http://{host_str}:{port}").parse().ok()?;
        // reqwest's defaults for the connections it opens: no Nagle delay,
        // TCP keepalive after 15 s, then every 15 s, 3 probes; happy
        // eyeballs and the system resolver come with the connector.
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(connect_timeout));
        connector.set_keepalive(Some(Duration::from_secs(15)));
        connector.set_keepalive_interval(Some(Duration::from_secs(15)));
        connector.set_keepalive_retries(Some(3));
        Some(H2c {
            host_str,
            port,
            origin,
            connector,
            connect_timeout,
            connection: Mutex::new(None),
        })
    }

    /// The request target for `url` if this path can send it: a URL on the
    /// origin it connects to (the fragment, which is never sent, left off).
    pub(crate) fn target(&self, url: &Url) -> Option<Uri> {
        let same_origin = url.scheme() == "http"
            && url.host_str() == Some(self.host_str.as_str())
            && url.port_or_known_default() == Some(self.port);
        if !same_origin {
            return None;
        }
        url[..url::Position::AfterQuery].parse().ok()
    }

    /// A `GET` of `target` (from [`target`](Self::target)) with `headers`,
    /// to [`send`](Self::send).
    pub(crate) fn request(target: Uri, headers: HeaderMap) -> Request<Empty<Bytes>> {
        let mut request = Request::new(Empty::new());
        *request.uri_mut() = target;
        *request.headers_mut() = headers;
        // reqwest's default, kept so both paths send the same request.
        request
            .headers_mut()
            .entry(ACCEPT)
            .or_insert(HeaderValue::from_static("*/*"));
        request
    }

    /// Sends `request` (hyper drops its headers once they are written). A
    /// request that never left, because the connection had closed in the
    /// meantime, is sent again once on a new connection, as a pooled
    /// client does.
    pub(crate) async fn send(
        &self,
        mut request: Request<Empty<Bytes>>,
    ) -> Result<Response<Incoming>, H2cFailure> {
        let mut retried = false;
        loop {
            let mut sender = self.sender().await?;
            match sender.try_send_request(request).await {
                Ok(response) => return Ok(response),
                Err(mut unsent) => match unsent.take_message() {
                    Some(again) if !retried => {
                        retried = true;
                        request = again;
                    }
                    _ => return Err(H2cFailure::Exchange(unsent.into_error())),
                },
            }
        }
    }

    /// The open connection, or a new one (opened by one caller while the
    /// others wait for it, so there is never more than one).
    async fn sender(&self) -> Result<SendRequest<Empty<Bytes>>, H2cFailure> {
        let mut slot = self.connection.lock().await;
        if let Some(sender) = slot.as_ref().filter(|s| !s.is_closed()) {
            return Ok(sender.clone());
        }
        *slot = None;
        // Boxed: a connect happens once per connection, and its room would
        // otherwise sit in every request's future for the whole long poll.
        let sender = Box::pin(self.connect()).await?;
        *slot = Some(sender.clone());
        Ok(sender)
    }

    async fn connect(&self) -> Result<SendRequest<Empty<Bytes>>, H2cFailure> {
        use tower_service::Service as _;
        let mut connector = self.connector.clone();
        let connect = async {
            std::future::poll_fn(|cx| connector.poll_ready(cx)).await?;
            connector.call(self.origin.clone()).await
        };
        // The connector's timeout is per address tried; this one, like
        // reqwest's, is for the whole connect.
        let stream = tokio::time::timeout(self.connect_timeout, connect)
            .await
            .map_err(|_| H2cFailure::ConnectTimeout)?
            .map_err(|e| {
                if timed_out(&e) {
                    H2cFailure::ConnectTimeout
                } else {
                    H2cFailure::Connect(Box::new(e))
                }
            })?;
        let (sender, connection) = hyper::client::conn::http2::Builder::new(TokioExecutor::new())
            .handshake(stream)
            .await
            .map_err(H2cFailure::Exchange)?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "HTTP/2 connection closed");
            }
        });
        Ok(sender)
    }
}

/// Whether a connect failed because an address took too long to answer.
fn timed_out(e: &(dyn std::error::Error + 'static)) -> bool {
    crate::error::causes(e).any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn direct(base: &str, proxies: Option<&Matcher>) -> bool {
        let base = Url::parse(base).unwrap();
        H2c::direct_to(&base, Duration::from_secs(1), proxies).is_some()
    }

    #[test]
    fn a_connect_that_timed_out_is_told_apart_from_one_refused() {
        use std::io::{Error, ErrorKind};
        let timed = Error::new(ErrorKind::TimedOut, "HTTP connection timed out");
        assert!(timed_out(&timed));
        let wrapped = Error::other(timed);
        assert!(timed_out(&wrapped));
        assert!(!timed_out(&Error::from(ErrorKind::ConnectionRefused)));
    }

    #[test]
    fn only_plaintext_base_urls_take_the_direct_path() {
        assert!(direct("http://127.0.0.1:8000/", None));
        assert!(!direct("https://api.example.com/", None));
    }

    #[test]
    fn a_proxy_for_the_base_url_keeps_requests_on_reqwest_and_no_proxy_exempts_it() {
        let proxy = "http://127.0.0.1:3128";
        let http = Matcher::builder().http(proxy).build();
        assert!(!direct("http://tasks.internal:8000/", Some(&http)));
        let all = Matcher::builder().all(proxy).build();
        assert!(!direct("http://tasks.internal:8000/", Some(&all)));
        // An HTTPS-only proxy does not apply to a plaintext API.
        let https = Matcher::builder().https(proxy).build();
        assert!(direct("http://tasks.internal:8000/", Some(&https)));
        let exempt = Matcher::builder().http(proxy).no("tasks.internal").build();
        assert!(direct("http://tasks.internal:8000/", Some(&exempt)));
        assert!(!direct("http://other.internal:8000/", Some(&exempt)));
    }

    #[test]
    fn only_urls_on_the_connected_origin_are_sent_and_without_their_fragment() {
        let base = Url::parse("http://127.0.0.1:8000/api/").unwrap();
        let h2c = H2c::direct_to(&base, Duration::from_secs(1), None).unwrap();
        let url = |s: &str| Url::parse(s).unwrap();
        assert_eq!(
            h2c.target(&url("http://127.0.0.1:8000/api/v1/tasks/t-1?sig=x#frag"))
                .map(|u| u.to_string()),
            Some("http://127.0.0.1:8000/api/v1/tasks/t-1?sig=x".to_owned())
        );
        assert!(
            h2c.target(&url("http://127.0.0.1:8001/v1/tasks/t-1"))
                .is_none()
        );
        assert!(
            h2c.target(&url("http://localhost:8000/v1/tasks/t-1"))
                .is_none()
        );
        assert!(
            h2c.target(&url("https://127.0.0.1:8000/v1/tasks/t-1"))
                .is_none()
        );
    }
}
