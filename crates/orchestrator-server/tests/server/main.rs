//! Tests of the reference server: the router with `oneshot`, and the real
//! server on a loopback socket driven by the SDK and by its own binary.

mod support;

mod documents;
mod end_to_end;
mod metrics;
mod openapi;
mod restart;
mod retention;
mod router;
mod ssrf;
mod tenants;

/// This package's server binary, which cargo builds for its tests.
pub fn server_bin() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_BIN_EXE_orchestrator-server"))
}
