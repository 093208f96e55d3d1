//! Prometheus metrics (served by [`exposition`] on a listener of their own,
//! `--metrics-listen`, so they are never public by accident). Each server owns its registry (no
//! process-wide recorder), so several servers in one process — tests, an
//! embedding application — keep their numbers apart. Labels carry tenant
//! names, never keys.

mod exposition;

use std::sync::Arc;
use std::time::Duration;

pub(crate) use exposition::router;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::store::Counts;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TenantLabels {
    tenant: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FinishedLabels {
    tenant: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeLabels {
    code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WebhookLabels {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: String,
    /// The [`StoreErrorKind`](crate::store::StoreErrorKind): `unavailable`,
    /// `timeout`, `contention`, `disk_full` or `other`.
    kind: &'static str,
}

/// The server's metrics, or nothing when none are served: with
/// `--metrics-listen` off, recording costs a branch and no more.
#[derive(Clone, Default)]
pub(crate) struct Metrics(Option<Arc<MetricSet>>);

/// Every metric the server records.
struct MetricSet {
    registry: Registry,
    submitted: Family<TenantLabels, Counter>,
    rate_limited: Family<TenantLabels, Counter>,
    finished: Family<FinishedLabels, Counter>,
    task_duration: Family<OutcomeLabels, Histogram>,
    queue_wait: Histogram,
    fetch_failures: Family<CodeLabels, Counter>,
    requests: Family<RequestLabels, Counter>,
    request_duration: Family<RouteLabels, Histogram>,
    long_polls_held: Gauge,
    event_streams_open: Gauge,
    webhook_attempts: Family<WebhookLabels, Counter>,
    webhook_lag: Histogram,
    store_errors: Family<OperationLabels, Counter>,
    queue_depth: Gauge,
    running: Gauge,
    console_csp_violations: Counter,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Metrics").field(&self.0.is_some()).finish()
    }
}

/// Buckets from 1 ms to about 9 min.
fn seconds_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 4.0, 10))
}

impl Metrics {
    /// Metrics that are recorded (to serve them).
    pub(crate) fn enabled() -> Metrics {
        Metrics(Some(Arc::new(MetricSet::new())))
    }

    /// The set, when recording.
    fn set(&self) -> Option<&MetricSet> {
        self.0.as_deref()
    }
}

impl MetricSet {
    fn new() -> MetricSet {
        let mut registry = Registry::with_prefix("orchestrator");
        let m = MetricSet {
            submitted: Family::default(),
            rate_limited: Family::default(),
            finished: Family::default(),
            task_duration: Family::new_with_constructor(seconds_histogram),
            queue_wait: seconds_histogram(),
            fetch_failures: Family::default(),
            requests: Family::default(),
            request_duration: Family::new_with_constructor(seconds_histogram),
            long_polls_held: Gauge::default(),
            event_streams_open: Gauge::default(),
            webhook_attempts: Family::default(),
            webhook_lag: seconds_histogram(),
            store_errors: Family::default(),
            queue_depth: Gauge::default(),
            running: Gauge::default(),
            console_csp_violations: Counter::default(),
            registry: Registry::default(),
        };
        registry.register(
            "console_csp_violations",
            "Content-Security-Policy violations the console's page reported",
            m.console_csp_violations.clone(),
        );
        registry.register(
            "tasks_submitted",
            "Tasks accepted, by tenant",
            m.submitted.clone(),
        );
        registry.register(
            "submits_rate_limited",
            "Submits refused with 429 by the tenant's rate limit",
            m.rate_limited.clone(),
        );
        registry.register(
            "tasks_finished",
            "Tasks that ended, by tenant and outcome (completed, failed, cancelled)",
            m.finished.clone(),
        );
        registry.register(
            "task_duration_seconds",
            "From a worker's claim to the end of the run, by outcome",
            m.task_duration.clone(),
        );
        registry.register(
            "task_queue_wait_seconds",
            "From submit to a worker's claim",
            m.queue_wait.clone(),
        );
        registry.register(
            "document_fetch_failures",
            "Documents that could not be fetched or read, by error code",
            m.fetch_failures.clone(),
        );
        registry.register(
            "http_requests",
            "HTTP requests, by method, route and status",
            m.requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency (a held long poll counts its wait), by method and route",
            m.request_duration.clone(),
        );
        registry.register(
            "long_polls_held",
            "Status requests being held right now",
            m.long_polls_held.clone(),
        );
        registry.register(
            "event_streams_open",
            "Server-Sent Event streams being followed right now",
            m.event_streams_open.clone(),
        );
        registry.register(
            "webhook_deliveries",
            "Webhook tries, by outcome (delivered, retried, failed: given up, stopped: 410)",
            m.webhook_attempts.clone(),
        );
        registry.register(
            "webhook_delivery_lag_seconds",
            "From a task's finish to its webhook's delivery",
            m.webhook_lag.clone(),
        );
        registry.register(
            "store_errors",
            "Failed storage operations, by operation and kind (unavailable, timeout, contention, disk_full, other)",
            m.store_errors.clone(),
        );
        registry.register(
            "queue_depth",
            "PENDING tasks (read from the store at scrape time)",
            m.queue_depth.clone(),
        );
        registry.register(
            "tasks_running",
            "RUNNING tasks (read from the store at scrape time)",
            m.running.clone(),
        );
        MetricSet { registry, ..m }
    }
}

impl Metrics {
    pub(crate) fn task_submitted(&self, tenant: &str) {
        let Some(m) = self.set() else { return };
        m.submitted
            .get_or_create(&TenantLabels {
                tenant: tenant.to_owned(),
            })
            .inc();
    }

    pub(crate) fn submit_rate_limited(&self, tenant: &str) {
        let Some(m) = self.set() else { return };
        m.rate_limited
            .get_or_create(&TenantLabels {
                tenant: tenant.to_owned(),
            })
            .inc();
    }

    pub(crate) fn task_started(&self, queued_for: Duration) {
        let Some(m) = self.set() else { return };
        m.queue_wait.observe(queued_for.as_secs_f64());
    }

    pub(crate) fn task_finished(&self, tenant: &str, outcome: &str, ran_for: Duration) {
        let Some(m) = self.set() else { return };
        m.finished
            .get_or_create(&FinishedLabels {
                tenant: tenant.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
        m.task_duration
            .get_or_create(&OutcomeLabels {
                outcome: outcome.to_owned(),
            })
            .observe(ran_for.as_secs_f64());
    }

    pub(crate) fn fetch_failed(&self, code: &str) {
        let Some(m) = self.set() else { return };
        m.fetch_failures
            .get_or_create(&CodeLabels {
                code: code.to_owned(),
            })
            .inc();
    }

    pub(crate) fn request(&self, method: &str, route: &str, status: u16, took: Duration) {
        let Some(m) = self.set() else { return };
        m.requests
            .get_or_create(&RequestLabels {
                method: method.to_owned(),
                route: route.to_owned(),
                status,
            })
            .inc();
        m.request_duration
            .get_or_create(&RouteLabels {
                method: method.to_owned(),
                route: route.to_owned(),
            })
            .observe(took.as_secs_f64());
    }

    /// Counts a held long poll until the guard drops.
    pub(crate) fn long_poll_held(&self) -> HeldLongPoll {
        if let Some(m) = self.set() {
            m.long_polls_held.inc();
        }
        HeldLongPoll(self.clone())
    }

    /// Counts a webhook try by how it ended.
    pub(crate) fn webhook_attempt(&self, outcome: &'static str) {
        let Some(m) = self.set() else { return };
        m.webhook_attempts
            .get_or_create(&WebhookLabels { outcome })
            .inc();
    }

    /// Records how long after its task finished a webhook was delivered.
    pub(crate) fn webhook_lag(&self, lag: std::time::Duration) {
        if let Some(m) = self.set() {
            m.webhook_lag.observe(lag.as_secs_f64());
        }
    }

    /// A violation of the console's Content-Security-Policy, reported by a
    /// browser.
    pub(crate) fn console_csp_violation(&self) {
        if let Some(m) = self.set() {
            m.console_csp_violations.inc();
        }
    }

    /// Counts an open event stream until the guard drops.
    pub(crate) fn event_stream_open(&self) -> OpenEventStream {
        if let Some(m) = self.set() {
            m.event_streams_open.inc();
        }
        OpenEventStream(self.clone())
    }

    pub(crate) fn store_error(&self, operation: &str, kind: crate::store::StoreErrorKind) {
        let Some(m) = self.set() else { return };
        m.store_errors
            .get_or_create(&OperationLabels {
                operation: operation.to_owned(),
                kind: kind.as_str(),
            })
            .inc();
    }

    /// The exposition, with the queue's depth as `counts` says (`None`:
    /// it could not be read, and the gauges keep their last value).
    pub(crate) fn render(&self, counts: Option<Counts>) -> String {
        let Some(m) = self.set() else {
            return String::new();
        };
        if let Some(counts) = counts {
            m.queue_depth
                .set(i64::try_from(counts.pending).unwrap_or(i64::MAX));
            m.running
                .set(i64::try_from(counts.running).unwrap_or(i64::MAX));
        }
        let mut text = String::new();
        if prometheus_client::encoding::prometheus_text::encode(&mut text, &m.registry).is_err() {
            text.clear();
        }
        text
    }
}

/// A held long poll, counted while it lives.
pub(crate) struct HeldLongPoll(Metrics);

impl Drop for HeldLongPoll {
    fn drop(&mut self) {
        if let Some(m) = self.0.set() {
            m.long_polls_held.dec();
        }
    }
}

/// An event stream being followed, counted while it lives.
pub(crate) struct OpenEventStream(Metrics);

impl Drop for OpenEventStream {
    fn drop(&mut self) {
        if let Some(m) = self.0.set() {
            m.event_streams_open.dec();
        }
    }
}
