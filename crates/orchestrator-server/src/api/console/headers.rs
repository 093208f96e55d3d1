//! The headers every console answer carries, and the endpoint browsers
//! report Content-Security-Policy violations to.
//!
//! The policy allows only this origin's own script, stylesheet and images:
//! no inline script or style, no `eval`, no frames, no other origin — so
//! even a task's text that slipped into the page as HTML could not run.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::api::AppState;

/// The console's Content-Security-Policy.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; \
     base-uri 'none'; frame-ancestors 'none'; report-uri /console/csp-report";

/// The layers that set the console's security headers on every answer.
pub(crate) fn layers() -> [SetResponseHeaderLayer<HeaderValue>; 5] {
    let set = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
    };
    [
        set(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        set(header::X_FRAME_OPTIONS, "DENY"),
        set(header::REFERRER_POLICY, "no-referrer"),
        set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        set(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ]
}

/// `POST /console/csp-report`: a browser saw the page break its policy —
/// a bug of the page, or something injected. Counted and logged (the
/// directive and where it was blocked, cut short); the body is the
/// browser's and is not trusted further.
pub(crate) async fn csp_report(State(state): State<AppState>, body: Bytes) -> Response {
    let report: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let field = |name: &str| {
        report["csp-report"][name]
            .as_str()
            .unwrap_or("")
            .chars()
            .take(200)
            .collect::<String>()
    };
    state.shared.metrics.console_csp_violation();
    tracing::warn!(
        directive = %field("violated-directive"),
        blocked = %field("blocked-uri"),
        "the console's page broke its Content-Security-Policy"
    );
    StatusCode::NO_CONTENT.into_response()
}
