//! Proof that it holds: faults, crashes, load and hostile input against the
//! real binaries. Each suite prints its figures (`[figure] …` on stderr).

mod disk_full;
mod faults;
mod hostile;
mod load;
mod logs;
mod operators;
#[cfg(feature = "postgres")]
mod outage;
mod slow_clients;

pub const KEY: &str = "reliability-key-7c1e0b";

pub fn data_url(text: &str) -> String {
    format!("data:text/plain,{}", text.replace(' ', "%20"))
}

pub const REPORT: &str =
    "Market trends in 2025 show strong growth. Acme Corp reported record revenue.";

/// This package's server binary, which cargo builds for its tests.
pub fn server_bin() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_BIN_EXE_orchestrator-server"))
}
