//! The real `orchestrator-cli` binary, against the reference server on a
//! loopback socket (and wiremock for staged faults).

mod support;

mod arguments;
mod batch;
mod cancel;
mod completion;
mod crash_recovery;
mod docs;
mod events;
mod exit_codes;
mod generated_files;
mod hostile_servers;
mod jq;
mod json_shape;
mod listing;
mod network;
mod output;
mod profiles;
mod progress_screen;
mod rate_limit;
mod terminal;
mod tmux;
mod webhooks;

/// The `orchestrator-server` binary (another package's), found or built
/// beside this package's `orchestrator-cli`.
pub(crate) fn server_bin() -> &'static std::path::Path {
    static BIN: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        orchestrator_testkit::server_binary_beside(std::path::Path::new(env!(
            "CARGO_BIN_EXE_orchestrator-cli"
        )))
    })
}
