//! The `analyze-document` action's wire types: its request, its result and
//! the result's sentiment.

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
/// `summary`, `sentiment` and `entities` are the contract's. The reference
/// server adds a sentiment score, word and sentence counts and the
/// document's media type; other servers may not send them (`None`), and a
/// value of the wrong type is dropped rather than failing the decode. Any
/// other field is kept in `extra`; the raw JSON stays reachable through
/// [`TaskStatus::result`](crate::TaskStatus::result).
///
/// ```
/// use orchestrator::{AnalyzeDocumentResult, Sentiment};
///
/// let mut result = AnalyzeDocumentResult::new("Markets grow.", Sentiment::Positive, vec!["market".into()]);
/// result.word_count = Some(2);
/// let json = serde_json::to_value(&result).unwrap();
/// assert_eq!(json, serde_json::json!({
///     "summary": "Markets grow.", "sentiment": "POSITIVE", "entities": ["market"], "word_count": 2
/// }));
/// assert_eq!(serde_json::from_value::<AnalyzeDocumentResult>(json).unwrap(), result);
/// ```
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
    /// The tone as a number from -1 (negative) to 1 (positive).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::number"
    )]
    pub sentiment_score: Option<f64>,
    /// How many words the document has.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::count"
    )]
    pub word_count: Option<u64>,
    /// How many sentences the document has.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::count"
    )]
    pub sentence_count: Option<u64>,
    /// The media type the document was read as, e.g. `application/pdf`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub media_type: Option<String>,
    /// Any other fields the server sent.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl AnalyzeDocumentResult {
    /// A result with the contract's three fields; set the optional ones on
    /// the returned value.
    pub fn new(
        summary: impl Into<String>,
        sentiment: Sentiment,
        entities: Vec<String>,
    ) -> AnalyzeDocumentResult {
        AnalyzeDocumentResult {
            summary: summary.into(),
            sentiment,
            entities,
            sentiment_score: None,
            word_count: None,
            sentence_count: None,
            media_type: None,
            extra: serde_json::Map::new(),
        }
    }
}

/// Optional fields outside the contract: a value of the wrong type becomes
/// `None` instead of failing the whole result.
mod lenient {
    use serde::{Deserialize, Deserializer};
    use serde_json::Value;

    pub(super) fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        Ok(Option::<Value>::deserialize(d)?
            .and_then(|v| v.as_f64())
            .filter(|f| f.is_finite()))
    }

    pub(super) fn count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        Ok(Option::<Value>::deserialize(d)?.and_then(|v| v.as_u64()))
    }

    pub(super) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(match Option::<Value>::deserialize(d)? {
            Some(Value::String(s)) => Some(s),
            _ => None,
        })
    }
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
    /// Every sentiment this version of the crate knows.
    pub const KNOWN: [Sentiment; 4] = [
        Sentiment::Positive,
        Sentiment::Neutral,
        Sentiment::Negative,
        Sentiment::Mixed,
    ];

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn optional_fields_of_the_wrong_type_are_dropped_not_fatal() {
        let r: AnalyzeDocumentResult = serde_json::from_value(json!({
            "summary": "s", "sentiment": "mixed", "word_count": "many",
            "sentiment_score": "high", "media_type": 7, "pages": 3
        }))
        .unwrap();
        assert_eq!(r.sentiment, Sentiment::Mixed);
        assert_eq!(
            (r.word_count, r.sentiment_score, r.media_type),
            (None, None, None)
        );
        assert_eq!(r.extra["pages"], 3);
    }
}
