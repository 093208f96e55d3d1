//! Tests of the reference server: the router with `oneshot`, and the real
//! server on a loopback socket driven by the SDK and by its own binary.

#[path = "../common/server_process.rs"]
mod server_process;
mod support;

mod documents;
mod end_to_end;
mod restart;
mod router;
