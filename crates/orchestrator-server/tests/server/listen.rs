//! The listener: connections beyond those being served wait in the kernel's
//! accept queue, and that queue holds a burst of a few thousand.

use std::time::Duration;

use orchestrator_server::{ConnectionLimits, ServerConfig};

use crate::support::*;

/// Connects in the burst: more than tokio's default backlog of 1,024.
const BURST: usize = 1500;

/// Why this machine cannot stage the burst, if it cannot.
fn cannot_stage() -> Option<String> {
    let soft_files = std::fs::read_to_string("/proc/self/limits")
        .ok()?
        .lines()
        .find(|l| l.starts_with("Max open files"))?
        .split_whitespace()
        .nth(3)?
        .parse::<usize>()
        .ok()?;
    let somaxconn = std::fs::read_to_string("/proc/sys/net/core/somaxconn")
        .ok()?
        .trim()
        .parse::<usize>()
        .ok()?;
    if soft_files < BURST + 200 {
        return Some(format!("the open-file limit is {soft_files}"));
    }
    if somaxconn <= BURST {
        return Some(format!("net.core.somaxconn is {somaxconn}"));
    }
    None
}

pub(crate) async fn a_burst_of_connects_waits_in_the_backlog_instead_of_being_dropped() {
    if !cfg!(target_os = "linux") {
        println!("skipped: the accept queue is measured on Linux only");
        return;
    }
    if let Some(why) = cannot_stage() {
        println!("skipped: {why}, too low for a burst of {BURST} connects");
        return;
    }
    // One connection at a time: the rest of the burst can only wait in the
    // kernel's queue.
    let server = start(ServerConfig {
        connections: ConnectionLimits {
            max_connections: 1,
            ..ConnectionLimits::default()
        },
        ..config()
    })
    .await;
    let addr = server.local_addr();
    let _served = tokio::net::TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    // A connect the kernel dropped is retried by the client after 1 s.
    let connects = (0..BURST).map(|_| {
        tokio::time::timeout(
            Duration::from_millis(900),
            tokio::net::TcpStream::connect(addr),
        )
    });
    let results = futures_util::future::join_all(connects).await;
    let dropped = results.iter().filter(|r| !matches!(r, Ok(Ok(_)))).count();
    assert_eq!(
        dropped, 0,
        "{dropped} of {BURST} connects did not complete within 900 ms: the listen backlog overflowed"
    );
    drop(results);
    server.shutdown().await.unwrap();
}
