//! Integration tests of the SDK against wiremock servers on loopback.
//!
//! One test binary with modules: it links once, which keeps `cargo test` fast.

mod support;

mod cancel_and_status;
mod errors;
mod event_stream;
mod h2c;
mod listing;
mod long_polling;
mod origins;
mod polling;
mod quickstart;
mod reaching;
mod resume;
mod retry_after;
mod spans;
mod submit;
