//! Submit a document for analysis and wait for the outcome.
//!
//! ```sh
//! export ORCHESTRATOR_API_URL=http://127.0.0.1:8000 ORCHESTRATOR_API_KEY=secret-key
//! cargo run -p orchestrator-sdk --example submit_and_wait -- bot-abc-123 'data:text/plain,Market%20trends%20show%20strong%20growth.%20Acme%20Corp%20reported%20record%20revenue.'
//! ```

use std::process::ExitCode;
use std::time::Duration;

use orchestrator::{AnalyzeDocument, Client, Outcome};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<ExitCode, orchestrator::Error> {
    let mut args = std::env::args().skip(1);
    let bot_id = args.next().unwrap_or_else(|| "bot-abc-123".to_owned());
    let document_url = args
        .next()
        .unwrap_or_else(|| "data:text/plain,Market%20trends%20show%20strong%20growth.%20Acme%20Corp%20reported%20record%20revenue.".to_owned());

    let client = Client::from_env().build()?;

    let accepted = client
        .analyze_document(&bot_id, &AnalyzeDocument::new(document_url))
        .await?;
    eprintln!("accepted {}; waiting…", accepted.status_url());

    match client
        .poll(&accepted)
        .timeout(Duration::from_secs(600))
        .await
    {
        Ok(Outcome::Completed(status)) => {
            let analysis = status.analyze_document_result()?;
            println!("summary:   {}", analysis.summary);
            println!("sentiment: {}", analysis.sentiment);
            println!("entities:  {}", analysis.entities.join(", "));
            Ok(ExitCode::SUCCESS)
        }
        Ok(Outcome::Failed(status)) => {
            match status.error() {
                Some(error) => eprintln!("task failed: {error}"),
                None => eprintln!("task failed without details"),
            }
            Ok(ExitCode::FAILURE)
        }
        Ok(other) => {
            eprintln!("task ended as {}", other.status().state());
            Ok(ExitCode::FAILURE)
        }
        Err(e) if e.is_timeout() => {
            let task = e.task().map(ToString::to_string).unwrap_or_default();
            eprintln!("still running after 10 minutes; task {task} keeps going on the server");
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e),
    }
}
