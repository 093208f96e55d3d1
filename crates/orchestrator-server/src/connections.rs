//! Serving connections: the accept loop, a cap on open connections, and a
//! watchdog per connection so slow or idle clients cannot hold the server's
//! memory and descriptors. HTTP/1.1 and HTTP/2 (h2c) on one port.
//!
//! The watchdog closes a connection
//! * whose request headers are not complete `header_read_timeout` after
//!   their first byte (or, on a new connection, after the connect);
//! * that has had no request in flight, and no byte in either direction,
//!   for `idle_timeout`.
//!
//! A request in flight — a held long poll included — is never cut by either:
//! it is the handler's business (and the body-read timeout's, for a slow
//! upload). hyper's own header-read timer is not used: it also runs between
//! keep-alive requests, which would make the idle timeout the header timeout.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::config::ConnectionLimits;

/// The HTTP/2 connection-level flow-control window: how many bytes of
/// request bodies a client may have in flight on one connection. With the
/// usual 1 MiB, a client that opens thousands of submits at once runs out of
/// window and has to split bodies into small DATA frames; h2 counts those as
/// a "small frames" flood once they exceed half the window, and closes the
/// connection with ENHANCE_YOUR_CALM — every request on it fails. 16 MiB
/// carries ~16,000 typical submits before a split, and every request body is
/// still capped by the body limit and read by its handler at once.
const HTTP2_CONNECTION_WINDOW: u32 = 16 * 1024 * 1024;
/// How long a graceful shutdown waits for open connections to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(15);
/// The pause after a failed `accept` (out of descriptors, say), so the loop
/// does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Serves `app` on `listener` until `signal` resolves, then stops accepting
/// and lets open connections finish (up to a grace period).
pub(crate) async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    app: Router,
    limits: ConnectionLimits,
    signal: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http2()
        .max_concurrent_streams(limits.http2_max_streams)
        .initial_connection_window_size(HTTP2_CONNECTION_WINDOW);
    let builder = Arc::new(builder);
    tokio::pin!(signal);
    loop {
        // At the cap, stop accepting: new connections wait in the listen
        // backlog rather than being served at the cost of the open ones.
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut signal => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            () = &mut signal => break,
        };
        let _ = stream.set_nodelay(true);
        let activity = Arc::new(Activity::new());
        let watched = Watched {
            inner: stream,
            activity: activity.clone(),
        };
        let (app, builder, graceful, tls) = (
            app.clone(),
            builder.clone(),
            graceful.watcher(),
            tls.clone(),
        );
        tokio::spawn(async move {
            match tls {
                None => connection(watched, activity, app, &builder, graceful, limits).await,
                Some(tls) => {
                    // The handshake is part of the request's headers, as far
                    // as slow clients go.
                    match tokio::time::timeout(limits.header_read_timeout, tls.accept(watched))
                        .await
                    {
                        Ok(Ok(stream)) => {
                            connection(stream, activity, app, &builder, graceful, limits).await;
                        }
                        Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!("TLS handshake too slow; closing"),
                    }
                }
            }
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the shutdown grace period; closing them");
    }
    Ok(())
}

/// Serves one connection until it ends or the watchdog closes it.
async fn connection<IO>(
    io: IO,
    activity: Arc<Activity>,
    app: Router,
    builder: &auto::Builder<TokioExecutor>,
    graceful: Watcher,
    limits: ConnectionLimits,
) where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = {
        let activity = activity.clone();
        hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let in_flight = InFlight::enter(&activity);
            let response = app.clone().oneshot(request.map(axum::body::Body::new));
            async move {
                let response = response.await;
                drop(in_flight);
                response
            }
        })
    };
    let connection = builder
        .serve_connection_with_upgrades(TokioIo::new(io), service)
        .into_owned();
    let connection = graceful.watch(connection);
    tokio::select! {
        result = connection => {
            if let Err(e) = result {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        }
        why = watchdog(&activity, limits) => {
            tracing::debug!(why, "closing a connection");
        }
    }
}

/// What a connection has been doing, as the watchdog sees it. Times are
/// milliseconds since the connection opened.
struct Activity {
    opened: Instant,
    in_flight: AtomicUsize,
    /// When the last request ended (or the connection opened).
    idle_since: AtomicU64,
    /// Whether a byte has arrived since then: headers are on their way.
    reading_headers: AtomicBool,
    /// When that first byte arrived.
    headers_since: AtomicU64,
    /// The last time a byte went either way.
    last_io: AtomicU64,
    /// Whether a request has been served yet.
    served: AtomicBool,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            opened: Instant::now(),
            in_flight: AtomicUsize::new(0),
            idle_since: AtomicU64::new(0),
            reading_headers: AtomicBool::new(false),
            headers_since: AtomicU64::new(0),
            last_io: AtomicU64::new(0),
            served: AtomicBool::new(false),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn read(&self) {
        let now = self.now();
        self.last_io.store(now, Ordering::Relaxed);
        if self.in_flight.load(Ordering::Relaxed) == 0
            && !self.reading_headers.swap(true, Ordering::Relaxed)
        {
            self.headers_since.store(now, Ordering::Relaxed);
        }
    }

    fn wrote(&self) {
        self.last_io.store(self.now(), Ordering::Relaxed);
    }

    /// When the connection should be closed if nothing changes, and why;
    /// `None` while a request is in flight.
    fn deadline(&self, limits: ConnectionLimits) -> Option<(u64, &'static str)> {
        if self.in_flight.load(Ordering::Relaxed) > 0 {
            return None;
        }
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        if self.reading_headers.load(Ordering::Relaxed) {
            let since = self.headers_since.load(Ordering::Relaxed);
            return Some((
                since.saturating_add(ms(limits.header_read_timeout)),
                "request headers too slow",
            ));
        }
        if !self.served.load(Ordering::Relaxed) {
            // A new connection must start its first request promptly.
            return Some((
                ms(limits.header_read_timeout),
                "no request after connecting",
            ));
        }
        let quiet_since = self
            .idle_since
            .load(Ordering::Relaxed)
            .max(self.last_io.load(Ordering::Relaxed));
        Some((quiet_since.saturating_add(ms(limits.idle_timeout)), "idle"))
    }
}

/// A request in flight on a connection.
struct InFlight(Arc<Activity>);

impl InFlight {
    fn enter(activity: &Arc<Activity>) -> InFlight {
        activity.in_flight.fetch_add(1, Ordering::Relaxed);
        activity.reading_headers.store(false, Ordering::Relaxed);
        activity.served.store(true, Ordering::Relaxed);
        InFlight(activity.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let a = &self.0;
        a.idle_since.store(a.now(), Ordering::Relaxed);
        a.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Resolves when the connection should be closed.
async fn watchdog(activity: &Activity, limits: ConnectionLimits) -> &'static str {
    // Deadlines only move later as the connection does things, so sleeping
    // to the current one and looking again is enough.
    let recheck = limits
        .header_read_timeout
        .min(limits.idle_timeout)
        .max(Duration::from_millis(50));
    loop {
        match activity.deadline(limits) {
            Some((at, why)) => {
                let now = activity.now();
                if now >= at {
                    return why;
                }
                tokio::time::sleep(Duration::from_millis(at - now)).await;
            }
            None => tokio::time::sleep(recheck).await,
        }
    }
}

/// A connection's stream, noting each byte that moves.
struct Watched<S> {
    inner: S,
    activity: Arc<Activity>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.read();
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.wrote();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.wrote();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> ConnectionLimits {
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            ..ConnectionLimits::default()
        }
    }

    #[tokio::test(start_paused = true)]
    async fn each_phase_of_a_connection_has_its_own_deadline() {
        let a = Arc::new(Activity::new());
        // Connected, nothing sent: the header timeout from the connect.
        assert_eq!(
            a.deadline(limits()),
            Some((10_000, "no request after connecting"))
        );
        tokio::time::advance(Duration::from_secs(3)).await;
        a.read();
        assert_eq!(
            a.deadline(limits()),
            Some((13_000, "request headers too slow"))
        );
        // Headers complete: a request in flight is never cut.
        let request = InFlight::enter(&a);
        tokio::time::advance(Duration::from_secs(600)).await;
        assert_eq!(a.deadline(limits()), None);
        drop(request);
        // Between requests: the idle timeout, from the last byte.
        assert_eq!(a.deadline(limits()), Some((663_000, "idle")));
        tokio::time::advance(Duration::from_secs(5)).await;
        a.read();
        assert_eq!(
            a.deadline(limits()),
            Some((618_000, "request headers too slow"))
        );
    }
}
