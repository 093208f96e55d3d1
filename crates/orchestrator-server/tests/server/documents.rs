//! Fetching and reading documents: media types, failures with their codes,
//! and the SSRF and path rules.

use std::time::Duration;

use orchestrator::{AnalyzeDocument, Outcome};
use orchestrator_server::ServerConfig;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

/// Runs one analyze-document task to its outcome on a fresh server.
async fn analyze(config: ServerConfig, document_url: &str) -> Outcome {
    let server = start(config).await;
    let client = client(&server);
    let accepted = client
        .analyze_document("bot-1", &AnalyzeDocument::new(document_url))
        .await
        .unwrap();
    let outcome = client.poll(&accepted).await.unwrap();
    server.shutdown().await.unwrap();
    outcome
}

fn private_ok() -> ServerConfig {
    ServerConfig {
        allow_private_networks: true,
        ..config()
    }
}

async fn serve(content_type: &str, body: Vec<u8>) -> MockServer {
    let origin = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/doc"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, content_type))
        .mount(&origin)
        .await;
    origin
}

fn error_code(outcome: &Outcome) -> String {
    outcome
        .error()
        .map(|e| e.code.clone())
        .unwrap_or_else(|| format!("no error in {outcome:?}"))
}

/// A one-page PDF whose text layer says `text` (ASCII), with a correct xref.
fn pdf(text: &str) -> Vec<u8> {
    let content = format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

pub(crate) async fn html_is_fetched_over_http_and_read_without_scripts_or_styles() {
    let html = format!(
        "<!DOCTYPE html><html><head><title>Quarterly report</title><style>p {{ color: red }}</style></head>\
         <body><script>var tracking = 'pixel';</script><p>{REPORT}</p></body></html>"
    );
    let origin = serve("text/html; charset=utf-8", html.into_bytes()).await;
    let outcome = analyze(private_ok(), &format!("{}/doc", origin.uri())).await;
    let result = outcome.status().result().unwrap();
    assert_eq!(result["media_type"], "text/html");
    let summary = result["summary"].as_str().unwrap();
    assert!(
        !summary.contains("tracking") && !summary.contains("color"),
        "{summary}"
    );
    assert!(summary.contains("growth"), "{summary}");
}

pub(crate) async fn a_pdf_text_layer_is_analysed() {
    let origin = serve(
        "application/pdf",
        pdf("Acme Corp reported strong growth and record profit."),
    )
    .await;
    let outcome = analyze(private_ok(), &format!("{}/doc", origin.uri())).await;
    assert!(outcome.is_completed(), "{outcome:?}");
    let result = outcome.status().result().unwrap();
    assert_eq!(result["media_type"], "application/pdf");
    assert!(
        result["summary"].as_str().unwrap().contains("Acme Corp"),
        "{result}"
    );
    assert_eq!(result["sentiment"], "POSITIVE");
}

pub(crate) async fn markdown_from_a_data_url_loses_its_markup() {
    let md =
        "# Results\n\nOur **growth** was *strong* this year. See [the report](http://x.example/r).";
    let url = format!(
        "data:text/markdown,{}",
        md.replace(' ', "%20")
            .replace('#', "%23")
            .replace('\n', "%0A")
    );
    let outcome = analyze(config(), &url).await;
    let result = outcome.status().result().unwrap();
    assert_eq!(result["media_type"], "text/markdown");
    let summary = result["summary"].as_str().unwrap();
    assert!(
        !summary.contains("**") && !summary.contains("x.example"),
        "{summary}"
    );
}

pub(crate) async fn unreadable_documents_fail_with_specific_codes() {
    let origin = MockServer::start().await;
    Mock::given(path("/missing"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&origin)
        .await;
    Mock::given(path("/png"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(b"\x89PNG\r\n".to_vec(), "image/png"))
        .mount(&origin)
        .await;
    Mock::given(path("/broken.pdf"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(b"%PDF-1.7\nnot really".to_vec(), "application/pdf"),
        )
        .mount(&origin)
        .await;
    Mock::given(path("/big"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(vec![b'a'; 4096], "text/plain"))
        .mount(&origin)
        .await;
    Mock::given(path("/empty"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(b"  \n ".to_vec(), "text/plain"))
        .mount(&origin)
        .await;
    let base = origin.uri();
    let small = ServerConfig {
        max_document_bytes: 1024,
        ..private_ok()
    };
    for (url, config, code) in [
        (
            format!("{base}/missing"),
            private_ok(),
            "DOCUMENT_UNREACHABLE",
        ),
        (
            format!("{base}/png"),
            private_ok(),
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            format!("{base}/broken.pdf"),
            private_ok(),
            "DOCUMENT_UNREADABLE",
        ),
        (format!("{base}/big"), small, "DOCUMENT_TOO_LARGE"),
        (format!("{base}/empty"), private_ok(), "DOCUMENT_EMPTY"),
        (
            "http://127.0.0.1:9/closed".to_owned(),
            private_ok(),
            "DOCUMENT_UNREACHABLE",
        ),
    ] {
        let outcome = analyze(config, &url).await;
        assert!(matches!(outcome, Outcome::Failed(_)), "{url}: {outcome:?}");
        assert_eq!(error_code(&outcome), code, "{url}");
        assert!(!outcome.error().unwrap().message.is_empty());
    }
}

pub(crate) async fn names_that_resolve_to_private_addresses_are_refused_unless_allowed() {
    let origin = serve("text/plain", REPORT.as_bytes().to_vec()).await;
    let port = origin.address().port();
    let outcome = analyze(config(), &format!("http://localhost:{port}/doc")).await;
    assert_eq!(error_code(&outcome), "DOCUMENT_FORBIDDEN");
    assert!(
        origin.received_requests().await.unwrap().is_empty(),
        "no request may reach a private address"
    );

    let outcome = analyze(private_ok(), &format!("http://localhost:{port}/doc")).await;
    assert!(outcome.is_completed(), "{outcome:?}");
}

pub(crate) async fn file_urls_are_served_only_from_the_documents_directory() {
    let root = tempfile::tempdir().unwrap();
    let docs = root.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join("report.txt"), REPORT).unwrap();
    std::fs::write(root.path().join("secret.txt"), "the launch codes are 0000").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.path().join("secret.txt"), docs.join("link.txt")).unwrap();
    let config = || ServerConfig {
        documents_dir: Some(docs.clone()),
        ..crate::support::config()
    };
    let file = |p: &std::path::Path| url::Url::from_file_path(p).unwrap().to_string();

    let outcome = analyze(config(), &file(&docs.join("report.txt"))).await;
    assert!(outcome.is_completed(), "{outcome:?}");

    let traversal = format!("{}/../secret.txt", file(&docs));
    let outcome = analyze(config(), &traversal).await;
    // `..` is resolved by URL parsing or by canonicalisation: either way, refused.
    assert_eq!(error_code(&outcome), "DOCUMENT_FORBIDDEN", "{traversal}");
    #[cfg(unix)]
    {
        let outcome = analyze(config(), &file(&docs.join("link.txt"))).await;
        assert_eq!(error_code(&outcome), "DOCUMENT_FORBIDDEN");
    }
    let outcome = analyze(config(), &file(&docs.join("nope.txt"))).await;
    assert_eq!(error_code(&outcome), "DOCUMENT_UNREACHABLE");
}

pub(crate) async fn work_delay_paces_a_task_evenly() {
    let mut config = config();
    config.work_delay = Duration::from_millis(500);
    let started = std::time::Instant::now();
    let outcome = analyze(config, &data_url("One short sentence.")).await;
    assert!(outcome.is_completed());
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(450), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
}

pub(crate) async fn private_literal_addresses_end_the_task_forbidden_and_no_request_leaves() {
    let origin = serve("text/plain", REPORT.as_bytes().to_vec()).await;
    let port = origin.address().port();
    for url in [
        format!("http://127.0.0.1:{port}/doc"),
        format!("http://[::1]:{port}/doc"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://10.0.0.1/internal".to_owned(),
        "http://[::ffff:127.0.0.1]/doc".to_owned(),
    ] {
        let outcome = analyze(config(), &url).await;
        assert_eq!(error_code(&outcome), "DOCUMENT_FORBIDDEN", "{url}");
        assert!(
            outcome.error().unwrap().message.contains("private"),
            "{url}"
        );
    }
    assert!(origin.received_requests().await.unwrap().is_empty());
}
