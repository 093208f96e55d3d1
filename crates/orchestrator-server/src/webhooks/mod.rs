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
pub use schedule::DEFAULT_RETRY_DELAYS;
pub use secrets::{TenantWebhooks, WebhookSecretsError, parse_webhook_secrets};
