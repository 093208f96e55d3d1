//! The `analyze-document` run, step by step: fetch, extract text, analyse.
//! Between steps it reports progress to its caller's [`Checkpoints`], which
//! decide whether the run goes on (a cancelled task or a shutdown stops it).

use std::future::Future;

use orchestrator::{AnalyzeDocument, AnalyzeDocumentResult};
use url::Url;

use super::{
    Analyzer, DOCUMENT_EMPTY, DOCUMENT_UNREADABLE, DocumentError, Fetcher, MediaType, extract_text,
};

/// How many progress checkpoints the analysis itself is split into.
const ANALYSIS_STEPS: usize = 40;
/// Progress once the document is fetched, and once its text is extracted.
const FETCHED: u8 = 10;
const EXTRACTED: u8 = 20;
/// How many times a run reports progress: once at the start, after the
/// fetch, after extraction, and after each analysis step. Every run reports
/// this many, so pacing spread over them treats every task alike.
pub(crate) const CHECKPOINTS: u32 = ANALYSIS_STEPS as u32 + 3;

/// Where a run reports progress.
pub(crate) trait Checkpoints {
    /// Why a run stops early: the caller's own reasons, or a document that
    /// cannot be analysed.
    type Halt: From<DocumentError>;

    /// The run reached `percent` and is now `doing` what the words say
    /// ("extracting the text"); an `Err` stops it there.
    fn reached(
        &mut self,
        percent: u8,
        doing: &str,
    ) -> impl Future<Output = Result<(), Self::Halt>> + Send;
}

/// Analyses the document `request` names.
pub(crate) async fn analyze_document<C: Checkpoints + Send>(
    fetcher: &Fetcher,
    request: &AnalyzeDocument,
    checkpoints: &mut C,
) -> Result<AnalyzeDocumentResult, C::Halt> {
    let url = Url::parse(request.document_url.trim()).map_err(|e| {
        DocumentError::new("INVALID_INPUT", format!("document_url is not a URL: {e}"))
    })?;
    checkpoints.reached(1, "fetching the document").await?;

    let document = fetcher.fetch(&url).await?;
    checkpoints.reached(FETCHED, "extracting the text").await?;

    let media = MediaType::resolve(document.declared_type.as_deref(), &document.bytes)?;
    let bytes = document.bytes;
    // Parsing is CPU work on untrusted bytes: off the async threads, and a
    // panic in a parser fails this document only.
    let text = tokio::task::spawn_blocking(move || extract_text(media, &bytes))
        .await
        .map_err(|_| {
            DocumentError::new(
                DOCUMENT_UNREADABLE,
                "reading the document's text failed (the parser crashed on it)",
            )
        })??;
    let sentences = Analyzer::split_sentences(&text);
    if sentences.is_empty() {
        return Err(
            DocumentError::new(DOCUMENT_EMPTY, "the document contains no text to analyse").into(),
        );
    }
    checkpoints
        .reached(EXTRACTED, &format!("analysing, step 1 of {ANALYSIS_STEPS}"))
        .await?;

    // Always the same number of checkpoints (some may be empty for a short
    // document).
    let mut analyzer = Analyzer::default();
    let n = sentences.len();
    for step in 0..ANALYSIS_STEPS {
        analyzer.feed(&sentences[step * n / ANALYSIS_STEPS..(step + 1) * n / ANALYSIS_STEPS]);
        let done = (step + 1) as f64 / ANALYSIS_STEPS as f64;
        let percent = EXTRACTED + (f64::from(99 - EXTRACTED) * done) as u8;
        let doing = if step + 1 < ANALYSIS_STEPS {
            format!("analysing, step {} of {ANALYSIS_STEPS}", step + 2)
        } else {
            "writing the result".to_owned()
        };
        checkpoints.reached(percent, &doing).await?;
    }
    let mut result = analyzer.finish();
    result.media_type = Some(media.essence().to_owned());
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::FetcherConfig;

    /// Records every checkpoint; stops at `stop_at` if set.
    #[derive(Default)]
    struct Recorder {
        seen: Vec<u8>,
        said: Vec<String>,
        stop_at: Option<u8>,
    }

    #[derive(Debug, PartialEq)]
    enum Halt {
        Stopped,
        Failed(&'static str),
    }

    impl From<DocumentError> for Halt {
        fn from(e: DocumentError) -> Self {
            Halt::Failed(e.code)
        }
    }

    impl Checkpoints for Recorder {
        type Halt = Halt;
        async fn reached(&mut self, percent: u8, doing: &str) -> Result<(), Halt> {
            self.seen.push(percent);
            self.said.push(doing.to_owned());
            if self.stop_at.is_some_and(|s| percent >= s) {
                return Err(Halt::Stopped);
            }
            Ok(())
        }
    }

    fn fetcher() -> Fetcher {
        Fetcher::new(FetcherConfig {
            max_bytes: 1 << 20,
            timeout: std::time::Duration::from_secs(5),
            documents_dir: None,
            allow_private_networks: false,
            allow_private_origins: Vec::new(),
            proxy: None,
        })
        .unwrap()
    }

    fn request(text: &str) -> AnalyzeDocument {
        AnalyzeDocument::new(format!("data:text/plain,{}", text.replace(' ', "%20")))
    }

    #[tokio::test]
    async fn a_run_reports_every_checkpoint_in_rising_order_and_names_the_media_type() {
        let mut rec = Recorder::default();
        let result = analyze_document(
            &fetcher(),
            &request("Growth is strong. Revenue rose."),
            &mut rec,
        )
        .await
        .unwrap();
        assert_eq!(rec.seen.len() as u32, CHECKPOINTS);
        assert!(rec.seen.windows(2).all(|w| w[0] <= w[1]), "{:?}", rec.seen);
        assert_eq!(result.media_type.as_deref(), Some("text/plain"));
        // Each checkpoint says what comes next, in words for a person.
        assert_eq!(rec.said[0], "fetching the document");
        assert_eq!(rec.said[1], "extracting the text");
        assert_eq!(
            rec.said[2],
            format!("analysing, step 1 of {ANALYSIS_STEPS}")
        );
        assert_eq!(
            rec.said.last().map(String::as_str),
            Some("writing the result")
        );
    }

    #[tokio::test]
    async fn a_checkpoint_that_says_stop_ends_the_run_there() {
        let mut rec = Recorder {
            stop_at: Some(EXTRACTED),
            ..Recorder::default()
        };
        let halt = analyze_document(&fetcher(), &request("One sentence here."), &mut rec)
            .await
            .unwrap_err();
        assert_eq!(halt, Halt::Stopped);
        assert_eq!(rec.seen.last(), Some(&EXTRACTED));
    }

    #[tokio::test]
    async fn an_empty_document_fails_with_its_code() {
        let mut rec = Recorder::default();
        let halt = analyze_document(&fetcher(), &request("   "), &mut rec)
            .await
            .unwrap_err();
        assert_eq!(halt, Halt::Failed(DOCUMENT_EMPTY));
    }
}
