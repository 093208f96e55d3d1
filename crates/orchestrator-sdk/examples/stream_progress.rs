//! Watch a task's progress as it happens: the poller is a `Stream`.
//!
//! ```sh
//! export ORCHESTRATOR_API_URL=http://127.0.0.1:8000 ORCHESTRATOR_API_KEY=secret-key
//! cargo run -p orchestrator-sdk --example stream_progress -- "$(orchestrator-cli submit bot-abc-123 --document-url 'data:text/plain,Hello')"
//! ```

use std::process::ExitCode;

use futures_util::StreamExt;
use orchestrator::{Client, DelaySource};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let Some(task) = std::env::args().nth(1) else {
        eprintln!("usage: stream_progress <TASK_ID | STATUS_URL>");
        return ExitCode::from(2);
    };
    let client = match Client::from_env().build() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };

    let mut updates = client.poll(task.as_str());
    while let Some(update) = updates.next().await {
        let update = match update {
            Ok(update) => update,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        };
        let status = update.status();
        let progress = status
            .progress_percent()
            .map_or_else(|| "   ?".to_owned(), |p| format!("{p:3.0}%"));
        let next = match (update.next_delay(), update.delay_source()) {
            (Some(d), Some(DelaySource::RetryAfter)) => format!("server asks to wait {d:?}"),
            (Some(_), Some(DelaySource::LongPoll)) => "server holds the next request".to_owned(),
            (Some(d), _) => format!("next look in {d:?}"),
            (None, _) => "finished".to_owned(),
        };
        println!("{:<10} {progress}  ({next})", status.state().as_str());
        if status.is_terminal() {
            if let Some(error) = status.error() {
                println!("error: {error}");
            }
            if let Some(result) = status.result() {
                println!("{result:#}");
            }
        }
    }
    ExitCode::SUCCESS
}
