//! Profiles in config.toml under flags and environment; `config show`;
//! the key from a command; bad config files.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::support::*;

const CONFIG: &str = r#"
[default]
timeout = "2m"
min_interval = "1s"

[profiles.staging]
api_url = "http://staging.invalid:8000"
timeout = "10m"
output = "json"
"#;

fn write(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn setting<'a>(shown: &'a Value, name: &str) -> (&'a str, &'a str) {
    let s = &shown["settings"][name];
    (s["value"].as_str().unwrap(), s["source"].as_str().unwrap())
}

#[tokio::test]
async fn flags_beat_the_environment_which_beats_the_profile_which_beats_default() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), CONFIG);
    let mut cmd = cli_bare("http://unused.invalid");
    cmd.env_remove("ORCHESTRATOR_API_URL")
        .env("ORCHESTRATOR_CONFIG", &path)
        .env("ORCHESTRATOR_TIMEOUT", "5m")
        .args([
            "--profile",
            "staging",
            "--min-interval",
            "300ms",
            "-o",
            "json",
            "config",
            "show",
        ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let shown: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(shown["profile"], "staging");
    // From the profile.
    let (url, from) = setting(&shown, "api_url");
    assert_eq!(url, "http://staging.invalid:8000");
    assert!(from.starts_with("profile staging in "), "{from}");
    // The environment beats the profile.
    assert_eq!(
        setting(&shown, "timeout"),
        ("5m", "environment ORCHESTRATOR_TIMEOUT")
    );
    // A flag beats [default].
    assert_eq!(setting(&shown, "min_interval"), ("300ms", "flag"));
    // [default] applies under the profile; built-ins under that.
    let (max, from) = setting(&shown, "max_interval");
    assert_eq!((max, from), ("30s", "default"));

    // Without --profile only [default] applies.
    let mut plain = cli_bare("http://from-env.invalid");
    plain
        .env("ORCHESTRATOR_CONFIG", &path)
        .args(["config", "show"]);
    let out = run(plain).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("http://from-env.invalid"), "{text}");
    let timeout = text.lines().find(|l| l.starts_with("timeout")).unwrap();
    assert!(
        timeout.contains("2m") && timeout.contains("[default] in"),
        "{timeout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_can_come_from_a_command_and_is_never_shown() {
    let server = server(Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        &format!(
            "[profiles.team]\napi_url = \"{}\"\napi_key_command = \"printf '%s\\\\n' {KEY}\"\n",
            server.url()
        ),
    );
    let mut cmd = cli("http://unused.invalid");
    cmd.env_remove("ORCHESTRATOR_API_URL")
        .env_remove("ORCHESTRATOR_API_KEY")
        .args(["--config"])
        .arg(&path)
        .args([
            "--profile",
            "team",
            "submit",
            "bot-1",
            "--wait",
            "--progress",
            "none",
        ])
        .args(["--document-url", &data_url(REPORT)]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let mut show = cli_bare("http://unused.invalid");
    show.env_remove("ORCHESTRATOR_API_KEY")
        .arg("--config")
        .arg(&path)
        .args(["--profile", "team", "config", "show"]);
    let out = run(show).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let line = stdout(&out)
        .lines()
        .find(|l| l.starts_with("api_key"))
        .unwrap()
        .to_owned();
    assert!(
        line.contains("(set, redacted)") && line.contains("api_key_command"),
        "{line}"
    );
    assert!(!stdout(&out).contains(KEY) && !stderr(&out).contains(KEY));

    // A failing command is an auth error that does not echo its output.
    // (The key comes from a file, so the command line itself holds no secret.)
    let secret = dir.path().join("secret");
    std::fs::write(&secret, KEY).unwrap();
    let failing = write(
        dir.path(),
        &format!(
            "[default]\napi_url = \"{}\"\napi_key_command = \"cat '{}'; exit 3\"\n",
            server.url(),
            secret.display()
        ),
    );
    let mut cmd = cli("http://unused.invalid");
    cmd.env_remove("ORCHESTRATOR_API_URL")
        .env_remove("ORCHESTRATOR_API_KEY")
        .arg("--config")
        .arg(&failing)
        .args(["status", "task-1"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(stderr(&out).contains("api_key_command"), "{}", stderr(&out));
    assert!(!stderr(&out).contains(KEY));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_bad_config_file_is_a_usage_error_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("[default]\ntimeout = \"soon\"\n", ":2:", "not a duration"),
        (
            "[default]\n\n[profiles.x]\napi_key = \"s3cret\"\n",
            ":4:",
            "does not belong in a config file",
        ),
        (
            "[default]\noutput = \"yaml\"\n",
            ":2:",
            "not one of text, json, jsonl",
        ),
        ("[default\n", ":1:", ""),
        (
            "[default]\n\n[profiles.typo]\napi_url = \"htp//tasks.example.com\"\n",
            ":4:11",
            "is not a URL",
        ),
        (
            "[default]\napi_url = \"ftp://tasks.example.com\"\n",
            ":2:11",
            "must be an http:// or https:// URL",
        ),
        (
            "[default]\ncolour = \"red\"\n",
            ":2:",
            "unknown field `colour`",
        ),
    ];
    for (text, at, says) in cases {
        let path = write(dir.path(), text);
        let mut cmd = cli("http://127.0.0.1:9");
        cmd.arg("--config").arg(&path).args(["status", "task-1"]);
        let out = run(cmd).await;
        assert_eq!(code(&out), 2, "{text}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(&format!("{}{at}", path.display())),
            "{text}: {err}"
        );
        assert!(err.contains(says), "{text}: {err}");
        assert!(!err.contains("s3cret"), "{err}");
    }

    let path = write(dir.path(), CONFIG);
    let mut cmd = cli("http://127.0.0.1:9");
    cmd.arg("--config")
        .arg(&path)
        .args(["--profile", "prod", "status", "task-1"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("has no profile `prod`; it has: staging"),
        "{}",
        stderr(&out)
    );

    let mut cmd = cli("http://127.0.0.1:9");
    cmd.args(["--config", "/nonexistent/config.toml", "status", "task-1"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("does not exist"), "{}", stderr(&out));
}

#[tokio::test]
async fn the_config_file_is_found_under_xdg_config_home() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("orchestrator")).unwrap();
    std::fs::write(
        dir.path().join("orchestrator").join("config.toml"),
        "[default]\nmax_interval = \"7s\"\n",
    )
    .unwrap();
    let mut cmd = cli_bare("http://127.0.0.1:9");
    cmd.env("XDG_CONFIG_HOME", dir.path())
        .args(["-o", "json", "config", "show"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let shown: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(setting(&shown, "max_interval").0, "7s");
    assert!(
        shown["config_file"]
            .as_str()
            .unwrap()
            .ends_with("orchestrator/config.toml")
    );
}

#[tokio::test]
async fn config_show_says_where_it_looked_when_there_is_no_file() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = cli_bare("http://127.0.0.1:9");
    cmd.env("XDG_CONFIG_HOME", home.path())
        .args(["config", "show"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let looked = home.path().join("orchestrator").join("config.toml");
    let first = stdout(&out).lines().next().unwrap_or_default().to_owned();
    assert_eq!(
        first,
        format!("config file  none (looked for {})", looked.display())
    );

    let mut cmd = cli_bare("http://127.0.0.1:9");
    cmd.env("XDG_CONFIG_HOME", home.path())
        .args(["config", "show", "-o", "json"]);
    let shown: Value = serde_json::from_str(&stdout(&run(cmd).await)).unwrap();
    assert_eq!(shown["config_file"], Value::Null);
    assert_eq!(
        shown["config_file_searched"],
        looked.display().to_string().as_str()
    );
}

#[tokio::test]
async fn a_profile_asking_for_json_does_not_turn_config_show_into_json() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "[default]\noutput = \"json\"\n");
    let mut cmd = cli_bare("http://127.0.0.1:9");
    cmd.arg("--config").arg(&path).args(["config", "show"]);
    let out = run(cmd).await;
    let text = stdout(&out);
    assert!(text.starts_with("config file  "), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("output") && l.contains("json") && l.contains("[default] in")),
        "{text}"
    );

    // Asked for on the command line or in the environment, it is JSON.
    for (flag, env) in [(Some("json"), None), (None, Some("json"))] {
        let mut cmd = cli_bare("http://127.0.0.1:9");
        cmd.arg("--config").arg(&path).args(["config", "show"]);
        if let Some(flag) = flag {
            cmd.args(["-o", flag]);
        }
        if let Some(env) = env {
            cmd.env("ORCHESTRATOR_OUTPUT", env);
        }
        let out = run(cmd).await;
        let shown: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(shown["settings"]["output"]["value"], "json");
    }
}
