//! The deliverer: leases the deliveries that are due, posts each (signed,
//! 10 s at most, no redirects, through the same address guard as document
//! fetches) and records how it went. An endpoint has at most
//! `per_endpoint` tries in flight; a delivery waits up to 5 s for its
//! endpoint (holding nothing the others need) and is then put back a
//! second later without counting a try, so a receiver that hangs holds up
//! only its own deliveries.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use orchestrator::clock::Clock;
use orchestrator::webhooks::{ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_header};
use reqwest::header::CONTENT_TYPE;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use url::Url;

use super::schedule::pause_after;
use super::secrets::TenantWebhooks;
use crate::api::status_body;
use crate::document::{Guard, PublicOnlyResolver, error_chain};
use crate::lifecycle::Lifecycle;
use crate::metrics::Metrics;
use crate::store::{Delivery, DeliveryClaim, DeliveryReport, DeliveryResult};
use crate::timestamps::{duration_ms, millis, rfc3339_ms};

/// The most tries in flight at once, over all endpoints.
const MAX_IN_FLIGHT: usize = 64;
/// The most deliveries leased by this instance at once (sent, or waiting
/// for their endpoint).
const MAX_LEASED: usize = 1024;
/// How long a delivery waits for its endpoint before it is put back.
const ENDPOINT_WAIT: Duration = Duration::from_secs(5);
/// Deliveries leased at a time.
const BATCH: u32 = 32;
/// How often the deliverer looks for due deliveries without a signal.
const RECHECK: Duration = Duration::from_millis(500);
/// How soon a delivery put back for a busy endpoint is due again.
const BUSY_AGAIN: Duration = Duration::from_secs(1);

/// What the deliverer needs.
pub(crate) struct Deliverer {
    pub(crate) lifecycle: Arc<Lifecycle>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) metrics: Metrics,
    /// This instance, which its leases name.
    pub(crate) instance: String,
    pub(crate) tenants: HashMap<String, TenantWebhooks>,
    pub(crate) retry_delays: Vec<Duration>,
    pub(crate) timeout: Duration,
    pub(crate) per_endpoint: usize,
    pub(crate) guard: Guard,
    http: reqwest::Client,
    endpoints: Mutex<HashMap<String, Arc<Semaphore>>>,
    in_flight: Arc<Semaphore>,
}

impl Deliverer {
    /// A deliverer; its HTTP client follows no redirect and, unless private
    /// networks are allowed, connects only to public addresses.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        lifecycle: Arc<Lifecycle>,
        clock: Arc<dyn Clock>,
        metrics: Metrics,
        instance: String,
        tenants: &[TenantWebhooks],
        retry_delays: Vec<Duration>,
        timeout: Duration,
        per_endpoint: usize,
        guard: Guard,
    ) -> Result<Deliverer, reqwest::Error> {
        let mut http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout)
            .no_proxy()
            .user_agent(concat!("orchestrator-server/", env!("CARGO_PKG_VERSION")));
        if !guard.allow_private {
            http = http.dns_resolver(PublicOnlyResolver::shared());
        }
        Ok(Deliverer {
            lifecycle,
            clock,
            metrics,
            instance,
            tenants: tenants
                .iter()
                .map(|t| (t.tenant.clone(), t.clone()))
                .collect(),
            retry_delays,
            timeout,
            per_endpoint: per_endpoint.max(1),
            guard,
            http: http.build()?,
            endpoints: Mutex::new(HashMap::new()),
            in_flight: Arc::new(Semaphore::new(MAX_IN_FLIGHT)),
        })
    }

    fn endpoint(&self, origin: &str) -> Arc<Semaphore> {
        let mut endpoints = self
            .endpoints
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        endpoints
            .entry(origin.to_owned())
            .or_insert_with(|| Arc::new(Semaphore::new(self.per_endpoint)))
            .clone()
    }
}

/// Delivers until the task is aborted at shutdown (a try cut short is
/// leased and is tried again when its lease runs out).
pub(crate) async fn run(deliverer: Arc<Deliverer>) {
    let mut changes = deliverer.lifecycle.hub().any_change();
    let leased = Arc::new(Semaphore::new(MAX_LEASED));
    loop {
        changes.borrow_and_update();
        let free = leased.available_permits();
        if free > 0 {
            let now = millis(&*deliverer.clock);
            // Longer than a try can take, so a live instance keeps its lease.
            let lease = deliverer.timeout * 3 + Duration::from_secs(5);
            let claim = DeliveryClaim {
                instance: deliverer.instance.clone(),
                now,
                lease_until: now.saturating_add(duration_ms(lease)),
                limit: BATCH.min(u32::try_from(free).unwrap_or(BATCH)),
            };
            match deliverer.lifecycle.store().claim_deliveries(&claim).await {
                Ok(due) => {
                    for delivery in due {
                        let Ok(permit) = leased.clone().try_acquire_owned() else {
                            break;
                        };
                        tokio::spawn(one(deliverer.clone(), delivery, permit));
                    }
                }
                Err(e) => tracing::warn!(error = %e, "could not read the due webhook deliveries"),
            }
        }
        tokio::select! {
            _ = changes.changed() => {}
            () = tokio::time::sleep(RECHECK) => {}
        }
    }
}

/// Tries one delivery and records the try.
async fn one(deliverer: Arc<Deliverer>, delivery: Delivery, _slot: OwnedSemaphorePermit) {
    // The endpoint's cap and the logs go by origin (logs never show a
    // path or query, which may hold a token).
    let origin = Url::parse(&delivery.url)
        .map_or_else(|_| "?".to_owned(), |u| u.origin().ascii_serialization());
    let endpoint = deliverer.endpoint(&origin);
    let (attempts, result, error) =
        match tokio::time::timeout(ENDPOINT_WAIT, endpoint.acquire_owned()).await {
            Ok(Ok(_endpoint)) => {
                // The semaphore is never closed.
                let _slot = deliverer.in_flight.clone().acquire_owned().await.ok();
                let tried = attempt(&deliverer, &delivery).await;
                let attempts = delivery.attempts.saturating_add(1);
                let (result, error) = match tried {
                    Ok(()) => (DeliveryResult::Delivered, None),
                    Err(Failure::Gone(e)) => (DeliveryResult::Stopped, Some(e)),
                    Err(Failure::Failed(e)) => {
                        match pause_after(&deliverer.retry_delays, attempts, fastrand::f64()) {
                            Some(pause) => (
                                DeliveryResult::Retry {
                                    next_at: millis(&*deliverer.clock)
                                        .saturating_add(duration_ms(pause)),
                                },
                                Some(e),
                            ),
                            None => (DeliveryResult::GaveUp, Some(e)),
                        }
                    }
                };
                (attempts, result, error)
            }
            // The endpoint stayed at its cap: back in the queue, no try counted.
            _ => (
                delivery.attempts,
                DeliveryResult::Retry {
                    next_at: millis(&*deliverer.clock).saturating_add(duration_ms(BUSY_AGAIN)),
                },
                None,
            ),
        };
    if error.is_some() || result == DeliveryResult::Delivered {
        let outcome = match &result {
            DeliveryResult::Delivered => "delivered",
            DeliveryResult::Retry { .. } => "retried",
            DeliveryResult::GaveUp => "failed",
            DeliveryResult::Stopped => "stopped",
        };
        deliverer.metrics.webhook_attempt(outcome);
        match &error {
            None => {
                tracing::info!(event = delivery.event_id, task = %delivery.task.id, endpoint = %origin, attempts, "webhook delivered")
            }
            Some(e) => {
                tracing::info!(event = delivery.event_id, task = %delivery.task.id, endpoint = %origin, attempts, error = %e, outcome, "webhook not delivered")
            }
        }
    }
    if result == DeliveryResult::Delivered {
        let lag = millis(&*deliverer.clock).saturating_sub(delivery.at);
        deliverer
            .metrics
            .webhook_lag(Duration::from_millis(u64::try_from(lag).unwrap_or(0)));
    }
    let report = DeliveryReport {
        event_id: delivery.event_id,
        instance: deliverer.instance.clone(),
        attempts,
        result,
        error,
        now: millis(&*deliverer.clock),
    };
    if let Err(e) = deliverer.lifecycle.store().record_delivery(&report).await {
        // The lease runs out and the delivery is tried again.
        tracing::warn!(error = %e, event = delivery.event_id, "could not record a webhook try");
    }
}

/// Why a try did not deliver.
enum Failure {
    /// `410 Gone`: the receiver wants no more.
    Gone(String),
    /// Anything else: try again later.
    Failed(String),
}

/// One `POST`: `Ok` on a `2xx`.
async fn attempt(deliverer: &Deliverer, delivery: &Delivery) -> Result<(), Failure> {
    let Some(tenant) = deliverer.tenants.get(&delivery.tenant) else {
        return Err(Failure::Failed(format!(
            "the server has no webhook secret for tenant `{}`",
            delivery.tenant
        )));
    };
    let url = Url::parse(&delivery.url)
        .map_err(|e| Failure::Failed(format!("the webhook URL is not valid: {e}")))?;
    deliverer
        .guard
        .destination_allowed(&url)
        .map_err(Failure::Failed)?;
    let body = serde_json::json!({
        "type": format!("task.{}", delivery.kind),
        "timestamp": rfc3339_ms(delivery.at),
        "data": status_body(&delivery.task),
    })
    .to_string();
    let id = delivery.event_id.to_string();
    let timestamp = millis(&*deliverer.clock) / 1000;
    let signature = signature_header(&tenant.secrets, &id, timestamp, body.as_bytes());
    let sent = deliverer
        .http
        .post(url)
        .header(CONTENT_TYPE, "application/json")
        .header(ID_HEADER, &id)
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(SIGNATURE_HEADER, signature)
        .body(body)
        .send()
        .await;
    let response = match sent {
        Ok(response) => response,
        Err(e) if e.is_timeout() => {
            return Err(Failure::Failed(format!(
                "no answer in {} s",
                deliverer.timeout.as_secs_f64()
            )));
        }
        Err(e) if PublicOnlyResolver::refused(&e) => {
            return Err(Failure::Failed(
                "the webhook's host resolves only to private, loopback or link-local addresses"
                    .to_owned(),
            ));
        }
        Err(e) => return Err(Failure::Failed(cause(&e))),
    };
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else if status == reqwest::StatusCode::GONE {
        Err(Failure::Gone(
            "HTTP 410: the receiver asked for no more".to_owned(),
        ))
    } else if status.is_redirection() {
        Err(Failure::Failed(format!(
            "HTTP {}: redirects are not followed",
            status.as_u16()
        )))
    } else {
        Err(Failure::Failed(format!("HTTP {}", status.as_u16())))
    }
}

/// Why a request failed, without its URL (which may carry a token in its
/// query): the causes, as document fetches report them.
fn cause(e: &reqwest::Error) -> String {
    let text = error_chain(e);
    if e.is_connect() {
        format!("could not connect: {text}")
    } else {
        text
    }
}
