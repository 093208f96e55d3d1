//! Webhooks: a task may name a URL its finish is posted to (or its tenant
//! may have a default one), signed per Standard Webhooks with the tenant's
//! secrets. Each terminal event of such a task is a delivery row, made by
//! the database in the transaction that logged the event; the deliverer
//! leases due rows, posts them and records each try, retrying on the
//! schedule for more than a day.
//!
//! One file each: the secrets file ([`secrets`]), the retry schedule
//! ([`schedule`]) and the deliverer ([`deliver`]).

mod deliver;
mod schedule;
mod secrets;

pub(crate) use deliver::{Deliverer, run};

/// What a webhook URL must be, wherever one comes from (a submit, the
/// secrets file): absolute `http` or `https` with a host.
pub(crate) fn is_postable(url: &url::Url) -> bool {
    matches!(url.scheme(), "http" | "https") && url.host_str().is_some_and(|h| !h.is_empty())
}
pub use schedule::DEFAULT_RETRY_DELAYS;
pub use secrets::{TenantWebhooks, WebhookSecretsError, parse_webhook_secrets};
