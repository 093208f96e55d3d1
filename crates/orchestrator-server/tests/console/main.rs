//! The operator console in a real Chromium (Debian's, driven by its
//! chromedriver) against the real server binary: sign-in, the live list, a
//! task's detail, cancel and retry, cancel by filter, tenants and roles,
//! CSRF and sign-out, markup in task texts shown as text, keyboard use, the
//! layout at 1280×800 and 390×844, and the screenshots of docs/console.md.
//!
//! `bash scripts/browser.sh` installs Chromium and chromedriver when they are
//! missing; without them each test says "skipped" (CI installs them).

mod support;

use std::process::Command;
use std::time::Duration;

use orchestrator_testkit::{Browser, cli_binary_beside};
use serde_json::json;

use support::*;

/// The first row of the list, and the state its badge shows, for `id`.
async fn row_state(browser: &Browser, id: &str) -> Option<String> {
    let state = browser
        .execute(
            "const row = document.querySelector(`tr[data-id=\"${arguments[0]}\"]`);
             return row ? row.getAttribute('data-state') : null;",
            json!([id]),
        )
        .await;
    state.as_str().map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_submitted_by_the_cli_appears_without_a_reload_and_runs_to_completed_with_its_result_and_timeline()
 {
    if !browser_here("console live list") {
        return;
    }
    let _one = one_at_a_time().await;
    let server = start(new_dir(), &["--work-delay-ms", "4000"]);
    let browser = signed_in(&server, ACME_KEY, 1280, 800).await;
    // A mark on this page: a reload would wipe it.
    browser
        .execute("window.__sameDocument = 'yes';", json!([]))
        .await;
    let loads = browser
        .execute(
            "return document.body.getAttribute('data-list-loaded');",
            json!([]),
        )
        .await;

    let cli = cli_binary_beside(server_bin());
    let submitted = Command::new(&cli)
        .args([
            "submit",
            "bot-live",
            "--document-url",
            "data:text/plain,Markets%20grew%20strongly%20this%20quarter.%20Revenue%20rose.",
            "--label",
            "run=live",
        ])
        .env("ORCHESTRATOR_API_URL", server.url())
        .env("ORCHESTRATOR_API_KEY", ACME_KEY)
        .output()
        .expect("the CLI runs");
    assert!(submitted.status.success(), "{submitted:?}");
    let id = String::from_utf8(submitted.stdout)
        .unwrap()
        .trim()
        .to_owned();
    assert!(id.starts_with("task-"), "{id}");

    // It appears, runs with a moving bar, and completes, all in place.
    browser
        .wait_until(
            &format!("return !!document.querySelector('tr[data-id=\"{id}\"]');"),
            WAIT,
        )
        .await;
    let moved = browser
        .wait_until(
            &format!(
                "const bar = document.querySelector('tr[data-id=\"{id}\"] progress');
                 return bar && Number(bar.value) > 0 && Number(bar.value) < 100 ? Number(bar.value) : null;"
            ),
            WAIT,
        )
        .await;
    assert!(moved.as_f64().unwrap() > 0.0);
    browser
        .wait_until(
            &format!(
                "return document.querySelector('tr[data-id=\"{id}\"]')?.getAttribute('data-state') === 'COMPLETED';"
            ),
            WAIT,
        )
        .await;
    assert_eq!(row_state(&browser, &id).await.as_deref(), Some("COMPLETED"));
    let same = browser
        .execute(
            "return [window.__sameDocument, document.body.getAttribute('data-list-loaded')];",
            json!([]),
        )
        .await;
    assert_eq!(same, json!(["yes", loads]), "the page was reloaded");
    // The tab counts followed.
    browser
        .wait_until(
            "return document.querySelector('#tab-COMPLETED .count')?.textContent === '1';",
            WAIT,
        )
        .await;

    // The detail: the analysis laid out, the raw JSON behind a toggle, the
    // timeline from submitted to completed with the claiming instance.
    let link = browser
        .wait_for(&format!("tr[data-id=\"{id}\"] a"), WAIT)
        .await;
    browser.click(&link).await;
    browser.wait_for("#result-title", WAIT).await;
    let detail = browser.body_text().await;
    assert!(
        detail.contains("Markets grew strongly this quarter."),
        "{detail}"
    );
    assert!(detail.contains("POSITIVE"), "{detail}");
    assert!(detail.contains("run=live"), "{detail}");
    let raw = browser.wait_for("#raw-result", WAIT).await;
    assert_eq!(
        browser.attribute(&raw, "hidden").await.as_deref(),
        Some("true")
    );
    let toggle = browser
        .wait_for("button[aria-controls=\"raw-result\"]", WAIT)
        .await;
    browser.click(&toggle).await;
    assert!(browser.text(&raw).await.contains("\"summary\""));
    let kinds = browser
        .execute(
            "return [...document.querySelectorAll('.timeline .event-kind')].map((e) => e.textContent);",
            json!([]),
        )
        .await;
    let kinds: Vec<&str> = kinds
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|k| k.as_str())
        .collect();
    assert_eq!(kinds.first(), Some(&"submitted"));
    assert!(
        kinds.contains(&"started") && kinds.contains(&"progress"),
        "{kinds:?}"
    );
    assert_eq!(kinds.last(), Some(&"completed"));
    assert!(
        detail.contains("claimed by inst-") && detail.contains("on attempt 1"),
        "{detail}"
    );
    nothing_ran_and_nothing_broke(&browser, &[]).await;
}

/// Clicks the confirmation dialog's confirm button once it is open; the
/// dialog's text.
async fn confirm(browser: &Browser) -> String {
    browser
        .wait_until("return document.getElementById('confirm').open;", WAIT)
        .await;
    let text = browser
        .text(&browser.wait_for("#confirm-text", WAIT).await)
        .await;
    browser
        .click(&browser.wait_for("#confirm-yes", WAIT).await)
        .await;
    text
}

/// Waits until the list shows exactly `ids`.
async fn list_shows(browser: &Browser, ids: &[&str]) {
    browser
        .wait_until(
            &format!(
                "return JSON.stringify([...document.querySelectorAll('#task-rows tr')].map((r) => r.getAttribute('data-id'))) === '{}';",
                serde_json::to_string(ids).unwrap()
            ),
            WAIT,
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_task_is_cancelled_a_failed_one_retried_and_a_filter_cancels_exactly_its_matches()
{
    if !browser_here("console actions") {
        return;
    }
    let _one = one_at_a_time().await;
    let dir = new_dir();
    seed(
        &dir.path().join("tasks.db"),
        &[
            Seed {
                id: "task-failed-1",
                ends: Ends::Failed("DOCUMENT_UNREACHABLE", "the document server answered 503"),
                at: -60_000,
                ..Seed::default()
            },
            Seed {
                id: "task-pend-1",
                at: -50_000,
                ..Seed::default()
            },
            Seed {
                id: "task-a-1",
                labels: &[("batch", "a")],
                at: -40_000,
                ..Seed::default()
            },
            Seed {
                id: "task-a-2",
                labels: &[("batch", "a")],
                at: -39_000,
                ..Seed::default()
            },
            Seed {
                id: "task-a-3",
                labels: &[("batch", "a")],
                at: -38_000,
                ..Seed::default()
            },
            Seed {
                id: "task-b-1",
                labels: &[("batch", "b")],
                at: -37_000,
                ..Seed::default()
            },
            Seed {
                id: "task-b-2",
                labels: &[("batch", "b")],
                at: -36_000,
                ..Seed::default()
            },
        ],
    )
    .await;
    // No workers: what is pending stays so until the page acts on it.
    let server = start(dir, &["--workers", "0"]);
    let browser = signed_in(&server, ACME_KEY, 1280, 800).await;

    // Cancel one pending task from its row.
    let cancel = browser
        .wait_for(
            "tr[data-id=\"task-pend-1\"] button[aria-label^=\"Cancel\"]",
            WAIT,
        )
        .await;
    browser.click(&cancel).await;
    let said = confirm(&browser).await;
    assert!(
        said.contains("task-pend-1") && said.contains("PENDING"),
        "{said}"
    );
    browser
        .wait_until(
            "return document.querySelector('tr[data-id=\"task-pend-1\"]').getAttribute('data-state') === 'CANCELLED';",
            WAIT,
        )
        .await;
    let status = api_status(&server, ACME_KEY, "task-pend-1").await;
    assert_eq!(status["status"], "FAILED");
    assert_eq!(status["error"]["code"], "CANCELLED");

    // Retry the failed one; follow the link to the new task, and from it
    // back to the original.
    let retry = browser
        .wait_for(
            "tr[data-id=\"task-failed-1\"] button[aria-label^=\"Retry\"]",
            WAIT,
        )
        .await;
    browser.click(&retry).await;
    assert!(confirm(&browser).await.contains("task-failed-1"));
    let link = browser.wait_for("#retried-link", WAIT).await;
    let new_id = browser.text(&link).await;
    assert!(
        new_id.starts_with("task-") && new_id != "task-failed-1",
        "{new_id}"
    );
    browser.click(&link).await;
    browser
        .wait_until(
            &format!(
                "return document.getElementById('detail-title').textContent === 'Task {new_id}';"
            ),
            WAIT,
        )
        .await;
    let original = browser.wait_for("#retry-of-link", WAIT).await;
    assert_eq!(browser.text(&original).await, "task-failed-1");
    assert_eq!(
        api_status(&server, ACME_KEY, &new_id).await["retry_of"],
        "task-failed-1"
    );
    browser.click(&original).await;
    browser.wait_for("#error-title", WAIT).await;
    let detail = browser.body_text().await;
    assert!(detail.contains("DOCUMENT_UNREACHABLE"), "{detail}");
    assert!(
        detail.contains("the document server answered 503"),
        "{detail}"
    );

    // Cancel by filter: exactly the three of batch a.
    browser
        .click(&browser.wait_for("#back-to-list", WAIT).await)
        .await;
    let labels = browser.wait_for("#f-labels", WAIT).await;
    browser.type_into(&labels, "batch=a").await;
    browser
        .click(&browser.wait_for("#filters button[type=submit]", WAIT).await)
        .await;
    list_shows(&browser, &["task-a-3", "task-a-2", "task-a-1"]).await;
    browser
        .wait_until(
            "return !document.getElementById('cancel-matching').hidden;",
            WAIT,
        )
        .await;
    browser
        .click(&browser.wait_for("#cancel-matching", WAIT).await)
        .await;
    let said = confirm(&browser).await;
    assert!(
        said.contains(": 3 now") && said.contains("label batch=a"),
        "{said}"
    );
    browser
        .wait_until(
            "return [...document.querySelectorAll('#task-rows tr')].every((r) => r.getAttribute('data-state') === 'CANCELLED');",
            WAIT,
        )
        .await;
    for id in ["task-a-1", "task-a-2", "task-a-3"] {
        assert_eq!(
            api_status(&server, ACME_KEY, id).await["error"]["code"],
            "CANCELLED"
        );
    }
    for id in ["task-b-1", "task-b-2", &new_id] {
        assert_eq!(
            api_status(&server, ACME_KEY, id).await["status"],
            "PENDING",
            "{id}"
        );
    }
    nothing_ran_and_nothing_broke(&browser, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_roles_csrf_and_sign_out_hold_in_the_browser() {
    if !browser_here("console tenants and roles") {
        return;
    }
    let _one = one_at_a_time().await;
    let dir = new_dir();
    seed(
        &dir.path().join("tasks.db"),
        &[
            Seed {
                id: "task-acme-1",
                tenant: "acme",
                at: -3_000,
                ..Seed::default()
            },
            Seed {
                id: "task-globex-1",
                tenant: "globex",
                at: -2_000,
                ..Seed::default()
            },
            Seed {
                id: "task-viewer-1",
                tenant: "acme-viewer",
                at: -1_000,
                ..Seed::default()
            },
            Seed {
                id: "task-viewer-2",
                tenant: "acme-viewer",
                ends: Ends::Failed("X", "it broke"),
                at: -4_000,
                ..Seed::default()
            },
        ],
    )
    .await;
    let server = start(dir, &["--workers", "0"]);

    // A tenant sees its own tasks only, and no tenant column or filter.
    let browser = signed_in(&server, ACME_KEY, 1280, 800).await;
    list_shows(&browser, &["task-acme-1"]).await;
    let text = browser.body_text().await;
    assert!(
        !text.contains("task-globex-1") && !text.contains("Tenant"),
        "{text}"
    );
    assert_eq!(
        page_fetch(&browser, "GET", "/console/api/tasks?tenant=globex", false)
            .await
            .0,
        403
    );
    assert_eq!(
        page_fetch(&browser, "GET", "/console/api/tasks/task-globex-1", false)
            .await
            .0,
        404
    );
    // A change without the CSRF token is refused; the cookie is out of
    // the page's reach.
    let (status, problem) = page_fetch(
        &browser,
        "POST",
        "/console/api/tasks/task-acme-1/cancel",
        false,
    )
    .await;
    assert_eq!(status, 403, "{problem}");
    assert_eq!(
        api_status(&server, ACME_KEY, "task-acme-1").await["status"],
        "PENDING"
    );
    assert_eq!(
        browser.execute("return document.cookie;", json!([])).await,
        ""
    );
    let cookies = browser.cookies().await;
    let session = cookies
        .iter()
        .find(|c| c["name"] == "orchestrator_console")
        .expect("the session cookie");
    assert_eq!(session["httpOnly"], true);
    assert_eq!(session["sameSite"], "Strict");
    let cookie = format!(
        "orchestrator_console={}",
        session["value"].as_str().unwrap()
    );
    // Sign-out ends the session on the server: the old cookie is worthless.
    browser
        .click(&browser.wait_for("#sign-out", WAIT).await)
        .await;
    browser
        .wait_until(
            "return !document.getElementById('sign-in-view').hidden;",
            WAIT,
        )
        .await;
    assert_eq!(
        page_fetch(&browser, "GET", "/console/api/tasks", false)
            .await
            .0,
        401
    );
    let replayed = reqwest::Client::new()
        .get(format!("{}/console/api/tasks", server.url()))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(replayed.status(), 401);
    nothing_ran_and_nothing_broke(
        &browser,
        &[
            "tasks?tenant=globex - ",
            "tasks/task-globex-1 - ",
            "task-acme-1/cancel - ",
            "api/tasks - Failed to load resource: the server responded with a status of 401",
        ],
    )
    .await;
    drop(browser);

    // A read-only key: no buttons anywhere, and a forged change is refused.
    let browser = signed_in(&server, VIEWER_KEY, 1280, 800).await;
    list_shows(&browser, &["task-viewer-1", "task-viewer-2"]).await;
    assert!(browser.find_all("#task-rows button").await.is_empty());
    assert!(
        browser
            .find("#cancel-matching:not([hidden])")
            .await
            .is_none()
    );
    assert!(browser.body_text().await.contains("read-only"));
    browser
        .click(
            &browser
                .wait_for("tr[data-id=\"task-viewer-2\"] a", WAIT)
                .await,
        )
        .await;
    browser.wait_for("#error-title", WAIT).await;
    assert!(
        browser
            .find_all("#detail button.small:not([aria-controls])")
            .await
            .is_empty()
    );
    for path in [
        "/console/api/tasks/task-viewer-1/cancel",
        "/console/api/tasks/task-viewer-2/retry",
        "/console/api/tasks/cancel?status=PENDING",
    ] {
        let (status, problem) = page_fetch(&browser, "POST", path, true).await;
        assert_eq!(status, 403, "{path}: {problem}");
        assert!(
            problem["type"].as_str().unwrap().ends_with("/read-only"),
            "{problem}"
        );
    }
    assert_eq!(
        api_status(&server, VIEWER_KEY, "task-viewer-1").await["status"],
        "PENDING"
    );
    nothing_ran_and_nothing_broke(
        &browser,
        &["/cancel - ", "/retry - ", "cancel?status=PENDING - "],
    )
    .await;
    drop(browser);

    // The operator sees every tenant, as a column and a filter.
    let browser = signed_in(&server, OPS_KEY, 1280, 800).await;
    list_shows(
        &browser,
        &[
            "task-viewer-1",
            "task-globex-1",
            "task-acme-1",
            "task-viewer-2",
        ],
    )
    .await;
    assert!(browser.body_text().await.contains("Tenant"));
    let tenant = browser
        .wait_for("#f-tenant option[value=\"globex\"]", WAIT)
        .await;
    browser.click(&tenant).await;
    browser
        .click(&browser.wait_for("#filters button[type=submit]", WAIT).await)
        .await;
    list_shows(&browser, &["task-globex-1"]).await;
    nothing_ran_and_nothing_broke(&browser, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markup_in_a_bot_id_a_label_and_an_error_shows_as_text_and_never_runs() {
    if !browser_here("console markup as text") {
        return;
    }
    let _one = one_at_a_time().await;
    let dir = new_dir();
    let bot = "<img src=x onerror=alert('bot')>";
    let label = "<script>alert('label')</script>";
    let message = "<img src=x onerror=alert('error')><script>alert('message')</script>";
    seed(
        &dir.path().join("tasks.db"),
        &[Seed {
            id: "task-xss-1",
            bot_id: bot,
            labels: &[("note", label)],
            document_url: "javascript:alert('url')",
            ends: Ends::Failed("<b>CODE</b>", message),
            ..Seed::default()
        }],
    )
    .await;
    let server = start(dir, &["--workers", "0"]);
    let browser = signed_in(&server, OPS_KEY, 1280, 800).await;
    list_shows(&browser, &["task-xss-1"]).await;

    // The policy is live: an inline script the test injects is refused,
    // and the refusal is on the console, where the checks below look.
    browser
        .execute(
            "const s = document.createElement('script'); s.textContent = 'window.__ran = 1'; document.body.append(s); s.remove();",
            json!([]),
        )
        .await;
    assert_eq!(
        browser
            .execute("return window.__ran ?? null;", json!([]))
            .await,
        serde_json::Value::Null
    );
    let refused = browser.console_log().await;
    assert!(
        refused
            .iter()
            .any(|(level, m)| level == "SEVERE" && m.contains("Content Security Policy")),
        "{refused:?}"
    );

    let row = browser.body_text().await;
    assert!(row.contains(bot), "{row}");
    assert!(row.contains(&format!("note={label}")), "{row}");
    let counts = browser
        .execute(
            "return [document.querySelectorAll('img').length, document.querySelectorAll('script').length, document.querySelectorAll('b').length];",
            json!([]),
        )
        .await;
    assert_eq!(counts, json!([0, 1, 0]), "markup became elements");
    browser
        .click(&browser.wait_for("tr[data-id=\"task-xss-1\"] a", WAIT).await)
        .await;
    browser.wait_for("#error-title", WAIT).await;
    let detail = browser.body_text().await;
    assert!(
        detail.contains(message) && detail.contains("<b>CODE</b>"),
        "{detail}"
    );
    assert!(detail.contains("javascript:alert('url')"), "{detail}");
    let counts = browser
        .execute(
            "return [document.querySelectorAll('img').length, document.querySelectorAll('script').length, document.querySelectorAll('a[href^=\"javascript\"]').length];",
            json!([]),
        )
        .await;
    assert_eq!(counts, json!([0, 1, 0]), "markup became elements");
    tokio::time::sleep(Duration::from_millis(300)).await;
    nothing_ran_and_nothing_broke(&browser, &[]).await;
}

/// Every text of the page and its background meet WCAG AA's 4.5:1; what
/// falls short, by selector.
const CONTRAST_CHECK: &str = r#"
  const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (node) => {
    for (let n = node; n; n = n.parentElement) {
      const c = rgb(getComputedStyle(n).backgroundColor);
      if (c.length >= 3 && (c.length < 4 || c[3] > 0)) return c;
    }
    return [255, 255, 255];
  };
  const poor = [];
  for (const node of document.querySelectorAll('body *')) {
    if (!node.offsetParent && node.tagName !== 'BODY') continue;
    const own = [...node.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim());
    if (!own) continue;
    const fg = rgb(getComputedStyle(node).color);
    const [a, b] = [lum(fg), lum(background(node))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) poor.push(`${node.tagName.toLowerCase()}.${node.className} "${node.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
  }
  return poor;
"#;

/// Whether the page fits its viewport's width (no sideways scrolling).
async fn fits_the_width(browser: &Browser) -> bool {
    browser
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth;",
            json!([]),
        )
        .await
        == json!(true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_lays_out_at_1280_and_390_is_usable_by_keyboard_and_keeps_its_contrast() {
    if !browser_here("console layout and screenshots") {
        return;
    }
    let _one = one_at_a_time().await;
    let dir = new_dir();
    let report = "Q3 revenue grew strongly across every region, and margins held.";
    seed(
        &dir.path().join("tasks.db"),
        &[
            Seed {
                id: "task-3f1c9a2e-0b7d-4c61-9e45-1d2a8b6c0f11",
                bot_id: "reports-bot",
                labels: &[("team", "finance"), ("run", "2026-12")],
                ends: Ends::Completed(analysis(report, "POSITIVE", 0.61)),
                at: -50 * 60_000,
                ..Seed::default()
            },
            Seed {
                id: "task-8d0e4b71-5a3c-4f9e-b2d6-7c1a9e3f5b20",
                bot_id: "reports-bot",
                labels: &[("team", "finance")],
                ends: Ends::Failed(
                    "DOCUMENT_UNREACHABLE",
                    "fetching the document failed: the server answered 503",
                ),
                at: -35 * 60_000,
                ..Seed::default()
            },
            Seed {
                id: "task-1b9f7c3d-2e8a-4d50-a6f1-0c4b7e2d9a33",
                bot_id: "contracts-bot",
                labels: &[("team", "legal")],
                ends: Ends::Cancelled,
                at: -20 * 60_000,
                ..Seed::default()
            },
            Seed {
                id: "task-6c2a8e5f-9d1b-4a7c-8e30-5f4d1b9c7e44",
                bot_id: "contracts-bot",
                labels: &[("team", "legal")],
                ends: Ends::Completed(analysis("The contract renews yearly.", "NEUTRAL", 0.0)),
                at: -8 * 60_000,
                ..Seed::default()
            },
            Seed {
                id: "task-0a7d3f9b-6e2c-4b18-9d57-2a8f6c1e0b55",
                bot_id: "reports-bot",
                labels: &[("team", "finance")],
                at: -60_000,
                ..Seed::default()
            },
        ],
    )
    .await;
    // One slow worker: the oldest pending task runs with its bar moving.
    let server = start(dir, &["--workers", "1", "--work-delay-ms", "120000"]);
    for i in 0..2 {
        let accepted = reqwest::Client::new()
            .post(format!(
                "{}/v1/bots/intake-bot/actions/analyze-document",
                server.url()
            ))
            .bearer_auth(ACME_KEY)
            .header("task-labels", format!("team=ops, batch={i}"))
            .json(&json!({"document_url": "data:text/plain,Intake%20form%20received."}))
            .send()
            .await
            .unwrap();
        assert_eq!(accepted.status(), 202);
    }
    // The operator's view: a tenant column, and the instances.
    let mut browser = signed_in(&server, OPS_KEY, 1280, 800).await;
    browser
        .wait_until(
            "return !!document.querySelector('#task-rows tr[data-state=\"RUNNING\"] progress');",
            WAIT,
        )
        .await;

    // By keyboard: the state tabs move with the arrow keys.
    let all = browser.wait_for("#tab-all", WAIT).await;
    browser.type_into(&all, "\u{E014}").await; // ArrowRight
    browser
        .wait_until(
            "return document.activeElement?.id === 'tab-PENDING' \
             && document.querySelector('#tab-PENDING').getAttribute('aria-selected') === 'true' \
             && [...document.querySelectorAll('#task-rows tr')].every((r) => r.getAttribute('data-state') === 'PENDING');",
            WAIT,
        )
        .await;
    browser
        .type_into(&browser.wait_for("#tab-PENDING", WAIT).await, "\u{E012}")
        .await; // ArrowLeft
    browser
        .wait_until("return document.activeElement?.id === 'tab-all' && document.querySelectorAll('#task-rows tr').length === 7;", WAIT)
        .await;
    // Every control has a name a screen reader can say.
    let unnamed = browser
        .execute(
            "return [...document.querySelectorAll('input, select')].filter((i) => i.labels.length === 0).map((i) => i.id)
               .concat([...document.querySelectorAll('button')].filter((b) => !(b.textContent.trim() || b.getAttribute('aria-label'))).map((b) => b.id));",
            json!([]),
        )
        .await;
    assert_eq!(unnamed, json!([]), "controls without a name");

    let detail_id = "task-3f1c9a2e-0b7d-4c61-9e45-1d2a8b6c0f11";
    for (width, height) in [(1280, 800), (390, 844)] {
        browser.set_viewport(width, height).await;
        browser
            .goto(&format!("{}/console/#/tasks", server.url()))
            .await;
        browser
            .wait_until(
                "return document.querySelectorAll('#task-rows tr').length === 7;",
                WAIT,
            )
            .await;
        assert!(
            fits_the_width(&browser).await,
            "the list overflows at {width}"
        );
        let poor = browser.execute(CONTRAST_CHECK, json!([])).await;
        assert_eq!(poor, json!([]), "contrast below 4.5:1 at {width}");
        save_screenshot(
            &format!("list-{width}x{height}.png"),
            &browser.screenshot().await,
        );

        browser
            .goto(&format!("{}/console/#/tasks/{detail_id}", server.url()))
            .await;
        browser.wait_for("#result-title", WAIT).await;
        assert!(
            fits_the_width(&browser).await,
            "the detail overflows at {width}"
        );
        let poor = browser.execute(CONTRAST_CHECK, json!([])).await;
        assert_eq!(poor, json!([]), "contrast below 4.5:1 at {width}");
        save_screenshot(
            &format!("detail-{width}x{height}.png"),
            &browser.full_page_screenshot(width, height).await,
        );

        browser
            .goto(&format!("{}/console/#/overview", server.url()))
            .await;
        browser.wait_for("svg.chart rect", WAIT).await;
        browser.wait_for("#instances-title", WAIT).await;
        assert!(
            fits_the_width(&browser).await,
            "the overview overflows at {width}"
        );
        let poor = browser.execute(CONTRAST_CHECK, json!([])).await;
        assert_eq!(poor, json!([]), "contrast below 4.5:1 at {width}");
        save_screenshot(
            &format!("overview-{width}x{height}.png"),
            &browser.full_page_screenshot(width, height).await,
        );
    }
    let overview = browser.body_text().await;
    assert!(
        overview.contains("Queued (PENDING)") && overview.contains("alive"),
        "{overview}"
    );
    nothing_ran_and_nothing_broke(&browser, &[]).await;
}
