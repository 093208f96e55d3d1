//! The operator console at `/console/`: a page served from the binary and
//! the JSON routes it reads, on the API's own listener (and its TLS). Its
//! requests are authenticated by a session cookie, not a bearer key (see
//! [`session`]); every answer carries a strict Content-Security-Policy.
//!
//! | route | what |
//! |---|---|
//! | `GET /console/` | the page |
//! | `GET /console/assets/{name}` | its script, stylesheet and icon |
//! | `POST`, `GET`, `DELETE /console/api/session` | sign in, who am I, sign out |
//! | `GET /console/api/tasks`, `…/counts` | a page of the list, its tabs' counts |
//! | `GET /console/api/tasks/{id}` | a task's detail and timeline |
//! | `POST /console/api/tasks/{id}/cancel`, `…/retry` | act on one task |
//! | `POST /console/api/tasks/cancel` | cancel every match of a filter |
//! | `GET /console/api/overview` | queue, running, the last hour, instances |
//! | `GET /console/api/events` | the live feed (Server-Sent Events) |
//! | `POST /console/csp-report` | where browsers report policy violations |

mod assets;
mod headers;
mod live;
mod overview;
mod session;
mod tasks;
mod view;

use axum::Router;
use axum::response::Redirect;
use axum::routing::{get, post};
use tower::ServiceBuilder;

use super::AppState;

/// The console's routes, each with the security headers.
pub(crate) fn routes() -> Router<AppState> {
    let [csp, frames, referrer, sniff, opener] = headers::layers();
    Router::new()
        .route(
            "/console",
            get(|| async { Redirect::permanent("/console/") }),
        )
        .route("/console/", get(assets::page))
        .route("/console/assets/{name}", get(assets::asset))
        .route(
            "/console/api/session",
            post(session::sign_in)
                .get(session::who)
                .delete(session::sign_out),
        )
        .route("/console/api/tasks", get(tasks::list))
        .route("/console/api/counts", get(tasks::counts))
        .route("/console/api/tasks/cancel", post(tasks::cancel_matching))
        .route("/console/api/tasks/{task_id}", get(tasks::detail))
        .route("/console/api/tasks/{task_id}/cancel", post(tasks::cancel))
        .route("/console/api/tasks/{task_id}/retry", post(tasks::retry))
        .route("/console/api/overview", get(overview::overview))
        .route("/console/api/events", get(live::events))
        .route("/console/csp-report", post(headers::csp_report))
        .layer(
            ServiceBuilder::new()
                .layer(csp)
                .layer(frames)
                .layer(referrer)
                .layer(sniff)
                .layer(opener),
        )
}
