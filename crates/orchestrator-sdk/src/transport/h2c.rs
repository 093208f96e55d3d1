//! Status `GET`s straight over one h2c connection, for clients that speak
//! HTTP/2 with prior knowledge to a plaintext API they reach directly: its
//! one entry point is [`H2c::send`].
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

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use futures_util::FutureExt;
use http_body_util::Empty;
use hyper::body::{Bytes, Incoming};
use hyper::client::conn::http2::SendRequest;
use hyper::header::{ACCEPT, HeaderMap, HeaderValue};
use hyper::{Request, Response, Uri};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioExecutor;
use tokio::sync::Mutex;
use tokio::time::Instant;
use url::Url;

use super::exchange::{
    Answered, CONNECTION_FAILED, NO_CONNECTION, Sending, TIMED_OUT, Unanswered, no_answer, received,
};
use crate::error::{BoxError, causes};

/// How long a connection no request uses is kept open: as long as reqwest's
/// pool keeps an idle connection.
const IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// One lazily opened HTTP/2 connection to the API's origin, reopened when
/// the server closes it.
///
/// Why a connection of its own rather than hyper-util's pooled
/// `legacy::Client` with `http2_only`: measured side by side in one run
/// (`sdk_scale --tasks 10000 --http2`, three rounds each, alternating,
/// 2026-12-02), this path's client peaked at 90.3, 90.5 and 91.6 MiB and
/// the pooled client at 119.8, 120.3 and 119.9 MiB, with the same lag
/// (p50 3.3–4.6 ms either way): the pool's checkout and its boxed response
/// future stay alive for each long poll's whole wait.
#[derive(Debug)]
pub(crate) struct H2c {
    /// The API's origin: the URLs this path may send to.
    api: url::Origin,
    /// `http://host:port`, what the connector is asked for.
    connect_to: Uri,
    /// hyper-util's connector, set up as reqwest sets up its own.
    connector: HttpConnector,
    connect_timeout: Duration,
    idle_timeout: Duration,
    connection: Arc<Mutex<Option<Open>>>,
    activity: Arc<Activity>,
}

/// The open connection, and which one it is (a watcher closes it once it
/// has gone unused for the idle timeout, unless it was replaced).
#[derive(Debug)]
struct Open {
    sender: SendRequest<Empty<Bytes>>,
    id: u64,
}

/// Requests in flight, and when the last one ended.
#[derive(Debug)]
struct Activity {
    in_flight: AtomicUsize,
    last_end: std::sync::Mutex<Instant>,
    connections: AtomicU64,
}

impl Activity {
    /// How long no request has been in flight (zero while one is).
    fn idle_for(&self) -> Duration {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return Duration::ZERO;
        }
        self.last_end
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .elapsed()
    }
}

/// A request in flight, counted until it ends.
struct InFlight<'a>(&'a Activity);

impl<'a> InFlight<'a> {
    fn begin(activity: &'a Activity) -> InFlight<'a> {
        activity.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(activity)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        *self
            .0
            .last_end
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Instant::now();
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Why a request sent here got no answer.
#[derive(Debug)]
enum H2cFailure {
    /// No connection could be opened (refused, unreachable, no such host).
    Connect(BoxError),
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
        let connect_to = base_url.origin().ascii_serialization().parse().ok()?;
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
            api: base_url.origin(),
            connect_to,
            connector,
            connect_timeout,
            idle_timeout: IDLE_TIMEOUT,
            connection: Arc::new(Mutex::new(None)),
            activity: Arc::new(Activity {
                in_flight: AtomicUsize::new(0),
                last_end: std::sync::Mutex::new(Instant::now()),
                connections: AtomicU64::new(0),
            }),
        })
    }

    /// Whether requests to `url` may take this path: it is on the origin
    /// the connection is made to.
    pub(crate) fn serves(&self, url: &Url) -> bool {
        url.origin() == self.api && target(url).is_some()
    }

    /// Sends the status `GET` that `sending` describes, with `headers`, and
    /// reads its answer (a redirect is answered as it is, for the transport
    /// to follow through reqwest). Not an `async fn`: the request is made
    /// at once, so the future holds it once, not also as its arguments.
    pub(super) fn send<'a>(
        &'a self,
        headers: HeaderMap,
        sending: Sending<'a>,
    ) -> impl Future<Output = Result<Answered, Unanswered>> + 'a {
        let Sending { method, url, .. } = sending;
        let request = target(url).map(|target| request(target, headers));
        let exchange = async move {
            let request = request.ok_or_else(|| {
                let e =
                    crate::error::Error::invalid_input(format!("`{url}` is not a request target"));
                (e, false)
            })?;
            let response = self
                .exchange(request)
                .await
                .map_err(|f| failure(method, url, f))?;
            let (parts, body) = response.into_parts();
            let head = (parts.status, parts.version, parts.headers);
            received(head, body, sending).await
        };
        tokio::time::timeout(sending.timeout, exchange)
            .map(move |r| r.unwrap_or_else(|_| Err((no_answer(method, url, TIMED_OUT), false))))
    }

    /// Sends `request` (hyper drops its headers once they are written). A
    /// request that never left, because the connection had closed in the
    /// meantime, is sent again once on a new connection, as a pooled
    /// client does.
    async fn exchange(
        &self,
        mut request: Request<Empty<Bytes>>,
    ) -> Result<Response<Incoming>, H2cFailure> {
        let _in_flight = InFlight::begin(&self.activity);
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
        if let Some(open) = slot.as_ref().filter(|o| !o.sender.is_closed()) {
            return Ok(open.sender.clone());
        }
        *slot = None;
        // Boxed: a connect happens once per connection, and its room would
        // otherwise sit in every request's future for the whole long poll.
        let sender = Box::pin(self.connect()).await?;
        let id = self.activity.connections.fetch_add(1, Ordering::Relaxed);
        *slot = Some(Open {
            sender: sender.clone(),
            id,
        });
        self.close_when_idle(id);
        Ok(sender)
    }

    /// Closes connection `id` once no request has used it for the idle
    /// timeout (dropping the last handle to it lets hyper close it after
    /// any stream still open). The watcher ends with the connection, or
    /// with the client.
    fn close_when_idle(&self, id: u64) {
        let slot = Arc::downgrade(&self.connection);
        let activity = Arc::downgrade(&self.activity);
        let idle = self.idle_timeout;
        tokio::spawn(async move {
            let mut wait = idle;
            loop {
                tokio::time::sleep(wait).await;
                let (Some(slot), Some(activity)) = (slot.upgrade(), activity.upgrade()) else {
                    return;
                };
                let mut slot = slot.lock().await;
                if !slot
                    .as_ref()
                    .is_some_and(|open| open.id == id && !open.sender.is_closed())
                {
                    return;
                }
                let idle_for = activity.idle_for();
                if idle_for >= idle {
                    tracing::debug!(?idle_for, "closing an unused HTTP/2 connection");
                    *slot = None;
                    return;
                }
                wait = idle - idle_for;
            }
        });
    }

    async fn connect(&self) -> Result<SendRequest<Empty<Bytes>>, H2cFailure> {
        use tower_service::Service as _;
        let mut connector = self.connector.clone();
        let connect = async {
            std::future::poll_fn(|cx| connector.poll_ready(cx)).await?;
            connector.call(self.connect_to.clone()).await
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

/// The request target for `url`: the URL without its fragment, which is
/// never sent.
fn target(url: &Url) -> Option<Uri> {
    url[..url::Position::AfterQuery].parse().ok()
}

/// A `GET` of `target` with `headers`, as reqwest would send it.
fn request(target: Uri, headers: HeaderMap) -> Request<Empty<Bytes>> {
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

/// A failure on this path, as reqwest's would read; `true` when no
/// connection was made.
fn failure(method: &hyper::Method, url: &Url, failure: H2cFailure) -> Unanswered {
    match failure {
        H2cFailure::Connect(e) => (no_answer(method, url, NO_CONNECTION).with_source(e), true),
        H2cFailure::ConnectTimeout => (no_answer(method, url, TIMED_OUT), true),
        H2cFailure::Exchange(e) if e.is_timeout() => {
            (no_answer(method, url, TIMED_OUT).with_source(e), false)
        }
        H2cFailure::Exchange(e) => (
            no_answer(method, url, CONNECTION_FAILED).with_source(e),
            false,
        ),
    }
}

/// Whether a connect failed because an address took too long to answer.
fn timed_out(e: &(dyn std::error::Error + 'static)) -> bool {
    causes(e).any(|c| {
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
        // What the direct path sends a URL as, if it sends it at all.
        let sent = |u: &Url| h2c.serves(u).then(|| target(u)).flatten();
        assert_eq!(
            sent(&url("http://127.0.0.1:8000/api/v1/tasks/t-1?sig=x#frag")).map(|u| u.to_string()),
            Some("http://127.0.0.1:8000/api/v1/tasks/t-1?sig=x".to_owned())
        );
        assert!(sent(&url("http://127.0.0.1:8001/v1/tasks/t-1")).is_none());
        assert!(sent(&url("http://localhost:8000/v1/tasks/t-1")).is_none());
        assert!(sent(&url("https://127.0.0.1:8000/v1/tasks/t-1")).is_none());
    }

    /// A direct path to a mock server whose connections close after
    /// `idle`, and a `GET` on it.
    async fn mock(delay: Duration, idle: Duration) -> (wiremock::MockServer, H2c, Url) {
        use wiremock::{Mock, ResponseTemplate, matchers::any};
        let server = wiremock::MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_delay(delay))
            .mount(&server)
            .await;
        let base = Url::parse(&server.uri()).unwrap();
        let mut h2c = H2c::direct_to(&base, Duration::from_secs(1), None).unwrap();
        h2c.idle_timeout = idle;
        let url = base.join("v1/tasks/t-1").unwrap();
        (server, h2c, url)
    }

    async fn get(h2c: &H2c, url: &Url) -> u16 {
        let request = request(target(url).unwrap(), HeaderMap::new());
        h2c.exchange(request).await.unwrap().status().as_u16()
    }

    #[tokio::test]
    async fn a_connection_left_unused_for_the_idle_timeout_is_closed_and_reopened_on_demand() {
        let (_server, h2c, url) = mock(Duration::ZERO, Duration::from_millis(100)).await;
        assert_eq!(get(&h2c, &url).await, 200);
        assert!(h2c.connection.lock().await.is_some());
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(
            h2c.connection.lock().await.is_none(),
            "kept open while unused"
        );
        assert_eq!(get(&h2c, &url).await, 200);
        assert_eq!(h2c.activity.connections.load(Ordering::Relaxed), 2);
    }

    #[tokio::test]
    async fn a_connection_with_a_request_in_flight_is_not_closed_as_idle() {
        let (_server, h2c, url) =
            mock(Duration::from_millis(500), Duration::from_millis(100)).await;
        // The second request starts well past the idle timeout, while the
        // first is still in flight: it must share the first's connection.
        let (first, second) = tokio::join!(get(&h2c, &url), async {
            tokio::time::sleep(Duration::from_millis(250)).await;
            get(&h2c, &url).await
        });
        assert_eq!((first, second), (200, 200));
        assert_eq!(h2c.activity.connections.load(Ordering::Relaxed), 1);
    }
}
