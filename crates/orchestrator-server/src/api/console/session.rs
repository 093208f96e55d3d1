//! Console sessions: an API key is exchanged once for a session cookie
//! (`HttpOnly`, `SameSite=Strict`, `Secure` under TLS, expiring), so the key
//! itself never stays in the browser. The store keeps only hashes — of the
//! session's token and of the key it was opened with — and every request
//! looks the key up again, so a key removed from the keys file ends its
//! sessions and a changed role applies at once.
//!
//! A request that changes something also carries the session's CSRF token
//! in `X-CSRF-Token`: a value derived from the session's token, which a page
//! of this origin learns from the session's JSON and another site cannot
//! read or guess.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::view::SessionView;
use crate::api::AppState;
use crate::api::extract::RequestBody;
use crate::api::problem::ApiError;
use crate::store::{Scope, SessionRecord};
use crate::tenants::Role;
use crate::timestamps::{duration_ms, millis};

/// The session cookie's name.
pub(crate) const COOKIE: &str = "orchestrator_console";
/// The header that carries the CSRF token on every change.
pub(crate) const CSRF_HEADER: &str = "x-csrf-token";
/// The cookie's path: it goes with the console's requests only, never
/// with the API's.
const COOKIE_PATH: &str = "/console";

/// A signed-in caller of the console's API.
pub(crate) struct Caller {
    pub(crate) tenant: String,
    pub(crate) role: Role,
    /// The SHA-256 of the session token, in hexadecimal.
    token_sha256: String,
    csrf_token: String,
    expires_at: i64,
}

impl Caller {
    /// The tasks this caller's request covers: an operator's, every
    /// tenant's or the one it names; anyone else's, its own (naming
    /// another tenant is refused).
    pub(crate) fn scope<'a>(&'a self, asked: Option<&'a str>) -> Result<Scope<'a>, ApiError> {
        match (self.role.is_operator(), asked) {
            (true, None) => Ok(Scope::Every),
            (true, Some(tenant)) => Ok(Scope::Tenant(tenant)),
            (false, None) => Ok(Scope::Tenant(&self.tenant)),
            (false, Some(tenant)) if tenant == self.tenant => Ok(Scope::Tenant(&self.tenant)),
            (false, Some(_)) => Err(ApiError::forbidden(
                "this key sees only its own tenant's tasks",
            )),
        }
    }

    /// Refused with `403` when the caller may only read.
    pub(crate) fn may_change(&self) -> Result<(), ApiError> {
        if self.role.is_read_only() {
            Err(ApiError::read_only())
        } else {
            Ok(())
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex32(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// The CSRF token of a session: a hash of its token under a label of its
/// own, so knowing it tells nothing of the cookie.
fn csrf_of(token: &str) -> String {
    sha256_hex(&format!("orchestrator console csrf\0{token}"))
}

/// A new session token: 244 random bits (two version-4 UUIDs, drawn from
/// the operating system's generator), as hexadecimal.
fn new_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// The session cookie's value, from however many `Cookie` headers came.
fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty() && value.len() <= 128)
}

fn signed_out() -> ApiError {
    ApiError::unauthorized("not signed in to the console (or the session ended): sign in again")
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = session_cookie(&parts.headers).ok_or_else(signed_out)?;
        let token_sha256 = sha256_hex(token);
        let now = millis(&*state.shared.clock);
        let store = state.shared.lifecycle.store();
        let session = store
            .session(&token_sha256, now)
            .await?
            .ok_or_else(signed_out)?;
        let (tenant, role) = unhex32(&session.key_sha256)
            .and_then(|key| state.shared.auth.by_key_hash(&key))
            .ok_or_else(signed_out)?;
        tracing::Span::current().record("tenant", tenant.0.as_str());
        let csrf_token = csrf_of(token);
        if !parts.method.is_safe() {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .map(HeaderValue::as_bytes)
                .unwrap_or_default();
            if !bool::from(sent.ct_eq(csrf_token.as_bytes())) {
                return Err(ApiError::forbidden(
                    "a change from the console needs the session's CSRF token in X-CSRF-Token",
                ));
            }
        }
        Ok(Caller {
            tenant: tenant.0,
            role,
            token_sha256,
            csrf_token,
            expires_at: session.expires_at,
        })
    }
}

/// The sign-in's body.
#[derive(Deserialize)]
struct SignIn {
    key: String,
}

/// `POST /console/api/session`: `{"key": "…"}` for a session cookie. Only
/// JSON is taken, which a form on another site cannot send without asking
/// this origin first.
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: RequestBody,
) -> Result<Response, ApiError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    if !json {
        return Err(ApiError::unsupported_media_type(
            headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("none"),
        ));
    }
    let body = body.bytes()?;
    let SignIn { key } = serde_json::from_slice(&body)
        .map_err(|_| ApiError::bad_request("the body is `{\"key\": \"<your API key>\"}`"))?;
    let key = key.trim();
    let Some((tenant, role)) = state.shared.auth.authenticate(key) else {
        tracing::info!("a console sign-in with an unknown key was refused");
        return Err(ApiError::unauthorized("the API key is not valid"));
    };
    tracing::Span::current().record("tenant", tenant.0.as_str());
    let settings = state.shared.console.as_ref().ok_or_else(no_console)?;
    let now = millis(&*state.shared.clock);
    let token = new_token();
    let session = SessionRecord {
        token_sha256: sha256_hex(&token),
        key_sha256: sha256_hex(key),
        tenant: tenant.0.clone(),
        created_at: now,
        expires_at: now.saturating_add(duration_ms(settings.session_ttl)),
    };
    state
        .shared
        .lifecycle
        .store()
        .create_session(&session)
        .await?;
    tracing::info!(role = %role, "console session opened");
    let view = SessionView::new(
        tenant.0,
        role,
        csrf_of(&token),
        session.expires_at,
        state.shared.auth.tenant_names(),
    );
    let cookie = format!(
        "{COOKIE}={token}; Path={COOKIE_PATH}; HttpOnly; SameSite=Strict; Max-Age={}{}",
        settings.session_ttl.as_secs(),
        if settings.secure_cookie {
            "; Secure"
        } else {
            ""
        }
    );
    let mut response = axum::Json(view).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(response)
}

fn no_console() -> ApiError {
    ApiError::not_found("the console is not enabled on this server (--console)")
}

/// `GET /console/api/session`: who is signed in, for a page (re)loaded
/// with its cookie; `{"signed_in": false}` when nobody is (an answer, not
/// an error: a page opened for the first time is not failing).
pub(crate) async fn who(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
) -> Result<Response, ApiError> {
    let caller = match caller {
        Ok(caller) => caller,
        Err(e) if e.is_unauthorized() => {
            return Ok(axum::Json(serde_json::json!({ "signed_in": false })).into_response());
        }
        Err(e) => return Err(e),
    };
    Ok(axum::Json(SessionView::new(
        caller.tenant,
        caller.role,
        caller.csrf_token,
        caller.expires_at,
        state.shared.auth.tenant_names(),
    ))
    .into_response())
}

/// `DELETE /console/api/session`: signs out — the session is deleted on the
/// server, so its cookie is worthless even if it was kept — and the cookie
/// is cleared.
pub(crate) async fn sign_out(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, ApiError> {
    state
        .shared
        .lifecycle
        .store()
        .end_session(&caller.token_sha256)
        .await?;
    tracing::info!("console session ended");
    let mut response = StatusCode::NO_CONTENT.into_response();
    let cleared = format!("{COOKIE}=; Path={COOKIE_PATH}; HttpOnly; SameSite=Strict; Max-Age=0");
    if let Ok(v) = HeaderValue::from_str(&cleared) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_found_among_others_and_nothing_else_is_taken_for_it() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("a=1; theme=dark"));
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("x=2; orchestrator_console=abc123 ; y=3"),
        );
        assert_eq!(session_cookie(&headers), Some("abc123"));
        let mut other = HeaderMap::new();
        other.insert(
            header::COOKIE,
            HeaderValue::from_static("orchestrator_console_x=1; orchestrator_console="),
        );
        assert_eq!(session_cookie(&other), None);
    }

    #[test]
    fn a_csrf_token_differs_from_its_session_token_and_from_other_sessions() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_ne!(csrf_of(&a), csrf_of(&b));
        assert!(!csrf_of(&a).contains(&a));
        assert_eq!(
            unhex32(&sha256_hex(&a)).map(|h| hex(&h)),
            Some(sha256_hex(&a))
        );
        assert_eq!(unhex32("zz"), None);
    }
}
