use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The request body of the `analyze-document` action.
///
/// ```
/// let body = orchestrator::AnalyzeDocument::new("https://example.com/large-report.pdf");
/// assert_eq!(
///     serde_json::to_string(&body).unwrap(),
///     r#"{"document_url":"https://example.com/large-report.pdf"}"#,
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyzeDocument {
    /// Where the server should fetch the document from.
    pub document_url: String,
}

impl AnalyzeDocument {
    /// A request to analyze the document at `document_url`.
    pub fn new(document_url: impl Into<String>) -> Self {
        AnalyzeDocument {
            document_url: document_url.into(),
        }
    }
}

/// The `result` of a completed `analyze-document` task.
///
/// The raw JSON stays reachable through
/// [`TaskStatus::result`](crate::TaskStatus::result); fields beyond these
/// three are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AnalyzeDocumentResult {
    /// A short summary of the document.
    pub summary: String,
    /// The overall tone.
    pub sentiment: Sentiment,
    /// Notable entities mentioned, most relevant first.
    #[serde(default)]
    pub entities: Vec<String>,
    /// Any other fields the server sent.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The tone of an analyzed document. Case-insensitive on the wire; a value
/// this crate does not know is kept as [`Sentiment::Unknown`].
///
/// ```
/// use orchestrator::Sentiment;
/// let s: Sentiment = serde_json::from_str("\"positive\"").unwrap();
/// assert_eq!(s, Sentiment::Positive);
/// assert_eq!(Sentiment::parse("Sarcastic"), Sentiment::Unknown("Sarcastic".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Sentiment {
    /// Favourable.
    Positive,
    /// Neither favourable nor unfavourable.
    Neutral,
    /// Unfavourable.
    Negative,
    /// Both favourable and unfavourable parts.
    Mixed,
    /// A value this version of the crate does not know, as sent.
    Unknown(String),
}

impl Sentiment {
    /// Parses a wire value (case-insensitive).
    pub fn parse(value: &str) -> Sentiment {
        match value.trim().to_ascii_uppercase().as_str() {
            "POSITIVE" => Sentiment::Positive,
            "NEUTRAL" => Sentiment::Neutral,
            "NEGATIVE" => Sentiment::Negative,
            "MIXED" => Sentiment::Mixed,
            _ => Sentiment::Unknown(value.to_owned()),
        }
    }

    /// The canonical wire spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Sentiment::Positive => "POSITIVE",
            Sentiment::Neutral => "NEUTRAL",
            Sentiment::Negative => "NEGATIVE",
            Sentiment::Mixed => "MIXED",
            Sentiment::Unknown(s) => s,
        }
    }
}

impl fmt::Display for Sentiment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Sentiment {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Sentiment {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Sentiment::parse(&String::deserialize(deserializer)?))
    }
}
