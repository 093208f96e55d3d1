//! A deterministic, dependency-free analysis: extractive summary, lexicon
//! sentiment, salient entities, word count. Fed in chunks so a worker can
//! report progress and stop at a checkpoint.

use std::collections::{BTreeMap, HashMap};

use orchestrator::{AnalyzeDocumentResult, Sentiment};

use super::lexicon::{NEGATIONS, NEGATIVE, POSITIVE, STOPWORDS};

/// Accumulates statistics sentence by sentence.
#[derive(Debug, Default)]
pub(crate) struct Analyzer {
    sentences: Vec<String>,
    term_counts: HashMap<String, usize>,
    /// Capitalised phrases not at the start of a sentence; BTreeMap for a
    /// deterministic order among equal counts.
    names: BTreeMap<String, usize>,
    positive: usize,
    negative: usize,
    words: usize,
}

/// How many sentences the summary keeps, at most.
const SUMMARY_SENTENCES: usize = 3;
/// How long a summary may grow, in characters.
const SUMMARY_MAX_CHARS: usize = 600;
/// How many entities are reported.
const MAX_ENTITIES: usize = 8;

impl Analyzer {
    /// Splits text into sentences: at `.`, `!` or `?` followed by whitespace,
    /// and at blank lines (headings and list items rarely end in a period).
    pub(crate) fn split_sentences(text: &str) -> Vec<String> {
        let mut sentences = Vec::new();
        for block in text.split("\n\n") {
            let block = block.split_whitespace().collect::<Vec<_>>().join(" ");
            let mut start = 0;
            let bytes = block.as_bytes();
            for (i, &b) in bytes.iter().enumerate() {
                let ends =
                    matches!(b, b'.' | b'!' | b'?') && bytes.get(i + 1).is_none_or(|n| *n == b' ');
                if ends {
                    push_sentence(&mut sentences, &block[start..=i]);
                    start = i + 1;
                }
            }
            push_sentence(&mut sentences, &block[start..]);
        }
        sentences
    }

    /// Takes in some sentences.
    pub(crate) fn feed(&mut self, sentences: &[String]) {
        for sentence in sentences {
            let tokens = tokenize(sentence);
            self.words += tokens.len();
            self.count_sentiment(&tokens);
            for token in &tokens {
                let lower = token.to_lowercase();
                if is_term(&lower) {
                    *self.term_counts.entry(lower).or_default() += 1;
                }
            }
            self.collect_names(&tokens);
            self.sentences.push(sentence.clone());
        }
    }

    fn count_sentiment(&mut self, tokens: &[&str]) {
        for (i, token) in tokens.iter().enumerate() {
            let lower = token.to_lowercase();
            let polarity = if POSITIVE.contains(&lower.as_str()) {
                1
            } else if NEGATIVE.contains(&lower.as_str()) {
                -1
            } else {
                continue;
            };
            // "not good", "never failed": a negation in the two words before flips it.
            let negated = tokens[i.saturating_sub(2)..i].iter().any(|t| {
                let t = t.to_lowercase();
                NEGATIONS.contains(&t.as_str()) || t.ends_with("n't")
            });
            match (polarity > 0) != negated {
                true => self.positive += 1,
                false => self.negative += 1,
            }
        }
    }

    fn collect_names(&mut self, tokens: &[&str]) {
        let mut phrase: Vec<&str> = Vec::new();
        let flush = |phrase: &mut Vec<&str>, names: &mut BTreeMap<String, usize>| {
            if !phrase.is_empty() {
                *names.entry(phrase.join(" ")).or_default() += 1;
                phrase.clear();
            }
        };
        for (i, token) in tokens.iter().enumerate() {
            let capitalised = token.chars().next().is_some_and(char::is_uppercase)
                && token.chars().count() > 1
                && !STOPWORDS.contains(&token.to_lowercase().as_str());
            // The first word of a sentence is capitalised anyway: it counts
            // only as part of a longer name ("Acme Corp reported…").
            let starts_sentence = i == 0;
            if capitalised
                && (!starts_sentence
                    || tokens
                        .get(1)
                        .is_some_and(|n| n.chars().next().is_some_and(char::is_uppercase)))
            {
                phrase.push(token);
            } else {
                flush(&mut phrase, &mut self.names);
            }
        }
        flush(&mut phrase, &mut self.names);
    }

    /// Finishes the analysis: the task's `result`, less the media type,
    /// which only the caller knows.
    pub(crate) fn finish(self) -> AnalyzeDocumentResult {
        let summary = self.summary();
        let entities = self.entities();
        let polar = self.positive + self.negative;
        let score = if polar == 0 {
            0.0
        } else {
            (self.positive as f64 - self.negative as f64) / polar as f64
        };
        // A couple of stray words in a long text do not make it emotional.
        let weight = (polar as f64 / 3.0).min(1.0);
        let weighted = score * weight;
        let sentiment = if weighted >= 0.25 {
            Sentiment::Positive
        } else if weighted <= -0.25 {
            Sentiment::Negative
        } else {
            Sentiment::Neutral
        };
        let mut result = AnalyzeDocumentResult::new(summary, sentiment, entities);
        result.sentiment_score = Some((weighted * 1000.0).round() / 1000.0);
        result.word_count = Some(self.words as u64);
        result.sentence_count = Some(self.sentences.len() as u64);
        result
    }

    fn summary(&self) -> String {
        let max = self.term_counts.values().copied().max().unwrap_or(1) as f64;
        let mut scored: Vec<(usize, f64)> = self
            .sentences
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let terms: Vec<String> = tokenize(s)
                    .iter()
                    .map(|t| t.to_lowercase())
                    .filter(|t| is_term(t))
                    .collect();
                if terms.is_empty() {
                    return (i, 0.0);
                }
                let weight: f64 = terms
                    .iter()
                    .map(|t| self.term_counts.get(t).copied().unwrap_or(0) as f64 / max)
                    .sum();
                // Favour dense sentences without rewarding sheer length.
                (i, weight / (terms.len() as f64).sqrt())
            })
            .collect();
        // Highest score first; the earlier sentence wins a tie.
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut chosen: Vec<usize> = scored
            .iter()
            .take(SUMMARY_SENTENCES)
            .map(|(i, _)| *i)
            .collect();
        chosen.sort_unstable();
        let mut summary = String::new();
        for i in chosen {
            let sentence = &self.sentences[i];
            if !summary.is_empty() && summary.len() + sentence.len() > SUMMARY_MAX_CHARS {
                break;
            }
            if !summary.is_empty() {
                summary.push(' ');
            }
            summary.push_str(sentence);
        }
        if summary.chars().count() > SUMMARY_MAX_CHARS {
            summary = summary
                .chars()
                .take(SUMMARY_MAX_CHARS - 1)
                .collect::<String>()
                + "…";
        }
        summary
    }

    fn entities(&self) -> Vec<String> {
        let mut names: Vec<(&String, &usize)> = self.names.iter().collect();
        names.sort_by(|a, b| b.1.cmp(a.1));
        let mut terms: Vec<(&String, &usize)> = self.term_counts.iter().collect();
        terms.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let mut out: Vec<String> = Vec::new();
        let seen = |candidate: &str, out: &Vec<String>| {
            let lower = candidate.to_lowercase();
            out.iter().any(|e| e.to_lowercase() == lower)
        };
        // Names first (up to half), then the most frequent terms.
        for (name, _) in names.into_iter().take(MAX_ENTITIES / 2) {
            if !seen(name, &out) {
                out.push(name.clone());
            }
        }
        for (term, _) in terms {
            if out.len() >= MAX_ENTITIES {
                break;
            }
            if !seen(term, &out)
                && !out
                    .iter()
                    .any(|e| e.to_lowercase().split(' ').any(|w| w == term))
            {
                out.push(term.clone());
            }
        }
        out
    }
}

fn push_sentence(out: &mut Vec<String>, s: &str) {
    let s = s.trim();
    if s.chars().any(char::is_alphanumeric) {
        out.push(s.to_owned());
    }
}

/// Words: runs of letters, digits and inner apostrophes or hyphens.
fn tokenize(sentence: &str) -> Vec<&str> {
    sentence
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’' || c == '-'))
        .map(|t| t.trim_matches(|c: char| c == '\'' || c == '’' || c == '-'))
        .filter(|t| !t.is_empty())
        .collect()
}

fn is_term(lower: &str) -> bool {
    lower.chars().count() >= 3
        && lower.chars().any(char::is_alphabetic)
        && !STOPWORDS.contains(&lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyze(text: &str) -> AnalyzeDocumentResult {
        let mut a = Analyzer::default();
        a.feed(&Analyzer::split_sentences(text));
        a.finish()
    }

    const REPORT: &str = "Market trends in 2025 show strong growth. Acme Corp reported record revenue \
        and higher margins. Analysts at Globex expect market growth to continue. The weather was mild. \
        Revenue from the market grew in every region, and growth beat forecasts.";

    #[test]
    fn the_summary_picks_the_densest_sentences_in_document_order() {
        let a = analyze(REPORT);
        assert_eq!(a.sentence_count, Some(5));
        assert!(!a.summary.contains("weather"), "{}", a.summary);
        assert!(a.summary.starts_with("Market trends"), "{}", a.summary);
    }

    #[test]
    fn sentiment_follows_the_lexicon_and_negation() {
        assert_eq!(analyze(REPORT).sentiment, Sentiment::Positive);
        let bad = analyze(
            "Sales fell sharply. The company reported a loss and layoffs. Debt is a concern.",
        );
        assert_eq!(bad.sentiment, Sentiment::Negative);
        assert!(bad.sentiment_score.is_some_and(|s| s < 0.0));
        let negated = analyze(
            "The results were not good. This was not a success. Nobody was happy, not at all.",
        );
        assert_ne!(negated.sentiment, Sentiment::Positive);
        assert_eq!(
            analyze("The meeting is at noon in room four.").sentiment,
            Sentiment::Neutral
        );
    }

    #[test]
    fn entities_are_names_then_frequent_terms() {
        let a = analyze(REPORT);
        assert!(
            a.entities.contains(&"Acme Corp".to_owned()),
            "{:?}",
            a.entities
        );
        assert!(
            a.entities.contains(&"Globex".to_owned()),
            "{:?}",
            a.entities
        );
        assert!(
            a.entities.contains(&"market".to_owned()),
            "{:?}",
            a.entities
        );
        assert!(
            a.entities.contains(&"growth".to_owned()),
            "{:?}",
            a.entities
        );
        assert!(a.entities.len() <= MAX_ENTITIES);
    }

    #[test]
    fn the_analysis_is_deterministic_and_counts_words() {
        assert_eq!(analyze(REPORT), analyze(REPORT));
        assert_eq!(analyze("One two three. Four five!").word_count, Some(5));
    }

    #[test]
    fn sentences_split_at_punctuation_and_blank_lines_not_inside_numbers() {
        let s = Analyzer::split_sentences("Heading\n\nPrice rose 3.5 percent. Really? Yes!");
        assert_eq!(s, ["Heading", "Price rose 3.5 percent.", "Really?", "Yes!"]);
    }

    #[test]
    fn empty_and_symbol_only_text_is_handled() {
        let a = analyze("  \n\n ... !!! ");
        assert_eq!(
            (a.word_count, a.sentence_count, a.summary.as_str()),
            (Some(0), Some(0), "")
        );
        assert!(a.entities.is_empty());
    }
}
