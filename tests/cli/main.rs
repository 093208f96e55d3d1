//! The real `orchestrator-cli` binary, against the reference server on a
//! loopback socket (and wiremock for staged faults).

mod support;

mod exit_codes;
mod generated_files;
mod output;
mod terminal;
