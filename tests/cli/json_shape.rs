//! The shape of `-o json` follows the command form, never how many tasks
//! came in: one id argument prints an object; `-`, several ids or a batch
//! print an array, even of one. A failing `--jq` shows the filter's error,
//! not the document.

use std::time::Duration;

use serde_json::Value;

use crate::support::*;

async fn json_of(server_url: &str, args: &[&str], stdin: &str) -> Value {
    let mut cmd = cli(server_url);
    cmd.args(args)
        .args(["-o", "json"])
        .write_stdin(stdin.to_owned());
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_id_argument_is_an_object_and_dash_or_several_ids_an_array_even_of_one() {
    let server = server(Duration::ZERO).await;
    let a = submit(&server, REPORT).await;
    let b = submit(&server, REPORT).await;
    let url = server.url();
    for command in ["wait", "status"] {
        let one = json_of(&url, &[command, &a], "").await;
        assert!(one.is_object(), "{command} {a}: {one}");
        let dash_one = json_of(&url, &[command, "-"], &format!("{a}\n")).await;
        assert_eq!(
            dash_one.as_array().map(Vec::len),
            Some(1),
            "{command} -: {dash_one}"
        );
        let dash_two = json_of(&url, &[command, "-"], &format!("{a}\n{b}\n")).await;
        assert_eq!(
            dash_two.as_array().map(Vec::len),
            Some(2),
            "{command} -: {dash_two}"
        );
        let two = json_of(&url, &[command, &a, &b], "").await;
        assert_eq!(
            two.as_array().map(Vec::len),
            Some(2),
            "{command} a b: {two}"
        );
    }
    // A batch of one is a batch.
    let batch = json_of(
        &url,
        &["submit", "bot-1", "--from", "-", "--wait"],
        &data_url(REPORT),
    )
    .await;
    assert_eq!(batch.as_array().map(Vec::len), Some(1), "{batch}");
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_jq_filter_shows_its_error_and_not_the_document() {
    let server = server(Duration::ZERO).await;
    let id = submit(&server, REPORT).await;
    let mut cmd = cli(&server.url());
    cmd.args(["wait", &id, "--jq", ".status | tonumber"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    let line = err
        .lines()
        .find(|l| l.starts_with("error: --jq"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(line.contains("COMPLETED"), "{line}");
    assert!(
        !err.contains("Market trends"),
        "the document was shown: {err}"
    );
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    server.shutdown().await.unwrap();
}
