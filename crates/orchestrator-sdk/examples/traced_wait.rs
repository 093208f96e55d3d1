//! Submit a document and wait, printing the SDK's spans as they close: one
//! `orchestrator.wait` span per wait and one `HTTP request` span per request,
//! with OpenTelemetry's HTTP field names (`http.request.method`, `url.full`,
//! `server.address`, `http.response.status_code`, …).
//!
//! ```sh
//! export ORCHESTRATOR_API_URL=http://127.0.0.1:8000 ORCHESTRATOR_API_KEY=secret-key
//! cargo run -p orchestrator-sdk --example traced_wait -- bot-abc-123 'data:text/plain,Market%20trends%20show%20strong%20growth.%20Acme%20Corp%20reported%20record%20revenue.'
//! ```
//!
//! To export the same spans to an OpenTelemetry collector instead, add a
//! `tracing_opentelemetry::layer()` to the registry: the field names need no
//! mapping, and `otel.name`/`otel.kind` name each request span after its
//! method as a client span.

use std::process::ExitCode;

use orchestrator::{AnalyzeDocument, Client};
use tracing_subscriber::fmt::format::FmtSpan;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_span_events(FmtSpan::CLOSE)
        .with_target(false)
        .with_writer(std::io::stderr)
        .init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), orchestrator::Error> {
    let mut args = std::env::args().skip(1);
    let bot_id = args.next().unwrap_or_else(|| "bot-abc-123".to_owned());
    let document_url = args
        .next()
        .unwrap_or_else(|| "data:text/plain,Market%20trends%20show%20strong%20growth.%20Acme%20Corp%20reported%20record%20revenue.".to_owned());
    let client = Client::from_env().build()?;

    let accepted = client
        .analyze_document(&bot_id, &AnalyzeDocument::new(document_url))
        .await?;
    let outcome = client.poll(&accepted).await?;
    println!("{}", outcome.status().state());
    Ok(())
}
