//! `GET /metrics` on the metrics listener: the exposition, with the queue's
//! depth read from the store at scrape time (so it is right across several
//! instances).

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::Metrics;
use crate::lifecycle::Lifecycle;

#[derive(Clone)]
struct Exposition {
    metrics: Metrics,
    tasks: Arc<Lifecycle>,
}

/// `GET /metrics` on the metrics listener.
pub(crate) fn router(metrics: Metrics, tasks: Arc<Lifecycle>) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(Exposition { metrics, tasks })
}

async fn scrape(State(exposition): State<Exposition>) -> Response {
    let counts = match exposition.tasks.counts().await {
        Ok(counts) => Some(counts),
        Err(e) => {
            tracing::warn!(error = %e, "metrics: could not count tasks");
            None
        }
    };
    let text = exposition.metrics.render(counts);
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(prometheus_client::encoding::prometheus_text::CONTENT_TYPE),
    );
    response
}
