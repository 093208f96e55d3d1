//! A parser of the Server-Sent Events format (WHATWG HTML, "Server-sent
//! events", the event stream interpretation): bytes in, in chunks cut
//! anywhere; whole messages out. Small enough to own, so that the SDK's
//! tree gains no crate for it.

/// One dispatched message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Message {
    /// `id:`, when the message set one.
    pub(crate) id: Option<String>,
    /// `event:` (empty: the default, `message`).
    pub(crate) event: String,
    /// The `data:` lines, joined with `\n`; `None` for a block that only
    /// set an id (which moves the resume position and dispatches nothing
    /// else, as for a browser's `EventSource`).
    pub(crate) data: Option<String>,
}

/// The parser's state between chunks.
#[derive(Debug, Default)]
pub(crate) struct Parser {
    /// The bytes of a line not yet ended.
    line: Vec<u8>,
    /// A `\r` ended the last line; a `\n` right after it is part of it.
    after_cr: bool,
    id: Option<String>,
    event: String,
    data: Option<String>,
    /// The bytes held so far for the message being read.
    held: usize,
}

/// A message (or a line) longer than the caller allows.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct TooLong;

impl Parser {
    /// Feeds a chunk; returns the messages it completed. `limit` bounds the
    /// bytes one message may hold.
    pub(crate) fn feed(&mut self, chunk: &[u8], limit: usize) -> Result<Vec<Message>, TooLong> {
        let mut out = Vec::new();
        for &byte in chunk {
            if self.after_cr {
                self.after_cr = false;
                if byte == b'\n' {
                    continue;
                }
            }
            match byte {
                b'\n' | b'\r' => {
                    self.after_cr = byte == b'\r';
                    let line = std::mem::take(&mut self.line);
                    if let Some(message) = self.line_ended(&line) {
                        out.push(message);
                    }
                }
                _ => {
                    self.line.push(byte);
                    self.held += 1;
                    if self.held > limit {
                        return Err(TooLong);
                    }
                }
            }
        }
        Ok(out)
    }

    fn line_ended(&mut self, line: &[u8]) -> Option<Message> {
        if line.is_empty() {
            self.held = 0;
            let id = self.id.take();
            let event = std::mem::take(&mut self.event);
            // A message without data is not dispatched (the spec's rule),
            // but an id in it still moves the resume position.
            let data = self.data.take();
            if data.is_none() && id.is_none() {
                return None;
            }
            return Some(Message { id, event, data });
        }
        let line = String::from_utf8_lossy(line);
        if line.starts_with(':') {
            return None; // a comment: a keep-alive
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_ref(), ""),
        };
        match field {
            "event" => self.event = value.to_owned(),
            "data" => match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.data = Some(value.to_owned()),
            },
            "id" if !value.contains('\0') => self.id = Some(value.to_owned()),
            _ => {} // `retry` and unknown fields: the SDK paces its own reconnects
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(chunks: &[&[u8]]) -> Vec<Message> {
        let mut parser = Parser::default();
        chunks
            .iter()
            .flat_map(|c| parser.feed(c, 1 << 20).unwrap())
            .collect()
    }

    #[test]
    fn messages_cut_anywhere_and_any_line_ending_parse_the_same() {
        let whole = b"retry: 2000\nid: 5\n\nretry: 1\n\nid: 7\nevent: completed\ndata: {\"a\":\ndata: 1}\n\n: keep-alive\n\n";
        let expected = vec![
            Message {
                id: Some("5".into()),
                event: String::new(),
                data: None,
            },
            Message {
                id: Some("7".into()),
                event: "completed".into(),
                data: Some("{\"a\":\n1}".into()),
            },
        ];
        assert_eq!(parse(&[whole]), expected);
        let bytes: Vec<&[u8]> = whole.chunks(1).collect();
        assert_eq!(parse(&bytes), expected);
        let crlf = String::from_utf8_lossy(whole).replace('\n', "\r\n");
        let bytes: Vec<&[u8]> = crlf.as_bytes().chunks(3).collect();
        assert_eq!(parse(&bytes), expected);
        let cr = String::from_utf8_lossy(whole).replace('\n', "\r");
        assert_eq!(parse(&[cr.as_bytes()]), expected);
    }

    #[test]
    fn a_message_over_the_limit_is_refused_not_buffered() {
        let mut parser = Parser::default();
        assert_eq!(parser.feed(&[b'x'; 100], 64), Err(TooLong));
    }
}
