//! The spans a wait leaves behind, read back through a capturing
//! subscriber: what an OpenTelemetry exporter would receive.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use orchestrator::Outcome;
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

/// One closed-or-open span: its name, its parent's name and every field
/// recorded on it, as text.
#[derive(Debug, Clone, Default)]
struct Captured {
    name: String,
    parent: Option<String>,
    fields: BTreeMap<String, String>,
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<(Id, Captured)>>>);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut span = Captured {
            name: attrs.metadata().name().to_owned(),
            parent: ctx
                .span(id)
                .and_then(|s| s.parent())
                .map(|p| p.name().to_owned()),
            ..Captured::default()
        };
        attrs.record(&mut Fields(&mut span.fields));
        self.0.lock().unwrap().push((id.clone(), span));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _ctx: Context<'_, S>) {
        let mut spans = self.0.lock().unwrap();
        if let Some((_, span)) = spans.iter_mut().rev().find(|(i, _)| i == id) {
            values.record(&mut Fields(&mut span.fields));
        }
    }
}

impl Capture {
    fn spans(&self) -> Vec<Captured> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|(_, s)| s.clone())
            .collect()
    }
}

#[tokio::test]
async fn a_wait_leaves_one_span_and_a_child_per_request_with_opentelemetry_names_and_no_secrets() {
    let server = MockServer::start().await;
    // The first submit is turned away, the second accepted with a signed
    // status URL; then one RUNNING poll and a COMPLETED one.
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(202)
                .insert_header("location", "/v1/tasks/t-1?sig=query-secret")
                .set_body_json(json!({"task_id": "t-1", "status": "PENDING"})),
        )
        .mount(&server)
        .await;
    let clock = virtual_clock();
    let script = Script::new(
        &clock,
        vec![
            ok(status_json("t-1", "RUNNING", Some(50))),
            ok(json!({"task_id": "t-1", "status": "COMPLETED", "result": {"summary": "ok"}})),
        ],
    );
    Mock::given(method("GET"))
        .and(path("/v1/tasks/t-1"))
        .respond_with(script.clone())
        .mount(&server)
        .await;

    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    let _guard = tracing::subscriber::set_default(subscriber);

    let client = client(&server.uri(), &clock);
    let accepted = client
        .submit(
            "bot-1",
            "analyze-document",
            &json!({"document_url": "https://example.com/a"}),
        )
        .await
        .unwrap();
    let outcome = client.poll(&accepted).long_poll_wait(None).await.unwrap();
    assert!(matches!(outcome, Outcome::Completed(_)));

    let spans = capture.spans();
    let requests: Vec<_> = spans.iter().filter(|s| s.name == "HTTP request").collect();
    let waits: Vec<_> = spans
        .iter()
        .filter(|s| s.name == "orchestrator.wait")
        .collect();
    assert_eq!(requests.len(), 4, "{spans:#?}");
    assert_eq!(waits.len(), 1, "{spans:#?}");

    // The wait: which task, how it ended, after how many polls.
    let wait = &waits[0].fields;
    assert_eq!(wait["task.id"], "t-1");
    assert_eq!(wait["orchestrator.outcome"], "COMPLETED");
    assert_eq!(wait["orchestrator.polls"], "2");
    assert!(wait.contains_key("orchestrator.wait_ms"));

    // The two submits: POST, the resend counted, the 503's pause and why.
    let (first, second) = (&requests[0].fields, &requests[1].fields);
    assert_eq!(first["http.request.method"], "POST");
    assert_eq!(first["otel.kind"], "client");
    assert_eq!(first["http.request.resend_count"], "0");
    assert_eq!(first["http.response.status_code"], "503");
    assert_eq!(first["orchestrator.delay_source"], "RetryAfter");
    assert!(first["orchestrator.next_delay_ms"].parse::<u64>().unwrap() >= 1000);
    assert_eq!(second["http.request.resend_count"], "1");
    assert_eq!(second["http.response.status_code"], "202");
    let port = server.address().port().to_string();
    assert_eq!(first["server.address"], "127.0.0.1");
    assert_eq!(first["server.port"], port);
    assert_eq!(first["network.protocol.version"], "1.1");

    // The polls: children of the wait, GET, the URL without its query,
    // the pause chosen after the RUNNING one.
    let (running, done) = (requests[2], requests[3]);
    for poll in [running, done] {
        assert_eq!(poll.parent.as_deref(), Some("orchestrator.wait"));
        assert_eq!(poll.fields["http.request.method"], "GET");
        assert_eq!(poll.fields["otel.name"], "GET");
        assert_eq!(
            poll.fields["url.full"],
            format!("{}/v1/tasks/t-1", server.uri())
        );
        assert_eq!(poll.fields["http.response.status_code"], "200");
    }
    assert!(running.fields.contains_key("orchestrator.next_delay_ms"));
    assert!(running.fields.contains_key("orchestrator.delay_source"));
    assert!(!done.fields.contains_key("orchestrator.next_delay_ms"));

    // No field anywhere carries the token or the status URL's signature.
    for span in &spans {
        for (name, value) in &span.fields {
            assert!(!value.contains(TOKEN), "{name} = {value}");
            assert!(!value.contains("query-secret"), "{name} = {value}");
        }
    }
}

#[tokio::test]
async fn a_wait_that_fails_records_the_error_type() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let capture = Capture::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(capture.clone()));

    let err = client(&server.uri(), &virtual_clock())
        .poll("t-9")
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    let spans = capture.spans();
    let wait = &spans
        .iter()
        .find(|s| s.name == "orchestrator.wait")
        .unwrap()
        .fields;
    assert_eq!(wait["orchestrator.outcome"], "error");
    assert_eq!(wait["error.type"], "NotFound");
    let request = &spans
        .iter()
        .find(|s| s.name == "HTTP request")
        .unwrap()
        .fields;
    assert_eq!(request["error.type"], "404");
}

#[tokio::test]
async fn a_status_get_on_the_direct_h2c_path_records_the_same_fields_as_through_reqwest() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/tasks/t-1"))
        .respond_with(ok(status_json("t-1", "RUNNING", Some(5))))
        .mount(&server)
        .await;
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    let _guard = tracing::subscriber::set_default(subscriber);

    for http2 in [false, true] {
        orchestrator::Client::builder(server.uri())
            .bearer_token(TOKEN)
            .http2_prior_knowledge(http2)
            .build()
            .unwrap()
            .status("t-1")
            .await
            .unwrap();
    }

    let spans = capture.spans();
    let requests: Vec<_> = spans.iter().filter(|s| s.name == "HTTP request").collect();
    assert_eq!(requests.len(), 2, "{spans:#?}");
    let (http1, h2c) = (&requests[0].fields, &requests[1].fields);
    assert_eq!(http1["network.protocol.version"], "1.1");
    assert_eq!(h2c["network.protocol.version"], "2");
    for (name, value) in http1 {
        if name != "network.protocol.version" {
            assert_eq!(h2c.get(name), Some(value), "{name}");
        }
    }
    assert_eq!(h2c["http.response.status_code"], "200");
    assert!(h2c.values().all(|v| !v.contains(TOKEN)));
}
