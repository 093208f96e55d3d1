//! Shared helpers: a client on a virtual clock, and a scripted responder that
//! records when (in virtual time) each request arrived.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use orchestrator::clock::{Clock, VirtualClock};
use orchestrator::{Client, ClientBuilder};
use serde_json::{Value, json};
use wiremock::{Request, Respond, ResponseTemplate};

pub(crate) const TOKEN: &str = "s3cr3t-t0ken-value";

/// Sun, 09 Sep 2001 01:46:40 GMT: a round number to build HTTP-dates from.
pub(crate) fn epoch() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_000_000_000)
}

pub(crate) fn virtual_clock() -> VirtualClock {
    VirtualClock::new(epoch())
}

/// A builder for `base` with a token and a virtual clock.
pub(crate) fn builder(base: &str, clock: &VirtualClock) -> ClientBuilder {
    Client::builder(base)
        .bearer_token(TOKEN)
        .clock(clock.clone())
}

pub(crate) fn client(base: &str, clock: &VirtualClock) -> Client {
    builder(base, clock).build().expect("valid test client")
}

pub(crate) fn status_json(id: &str, state: &str, progress: Option<u32>) -> Value {
    let mut v = json!({"task_id": id, "status": state});
    if let Some(p) = progress {
        v["progress_percent"] = json!(p);
    }
    v
}

pub(crate) fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

pub(crate) fn accepted(id: &str) -> ResponseTemplate {
    ResponseTemplate::new(202)
        .insert_header("location", format!("/v1/tasks/{id}").as_str())
        .set_body_json(json!({"task_id": id, "status": "PENDING"}))
}

/// Answers with each template in turn, repeating the last one forever, and
/// notes the virtual time of every request it sees.
#[derive(Clone)]
pub(crate) struct Script {
    clock: VirtualClock,
    queue: Arc<Mutex<VecDeque<ResponseTemplate>>>,
    last: Arc<Mutex<Option<ResponseTemplate>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub at: Duration,
    pub headers: Vec<(String, String)>,
}

impl Seen {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl Script {
    pub(crate) fn new(clock: &VirtualClock, responses: Vec<ResponseTemplate>) -> Self {
        Script {
            clock: clock.clone(),
            queue: Arc::new(Mutex::new(responses.into())),
            last: Arc::new(Mutex::new(None)),
            seen: Arc::new(Mutex::new(Vec::new())),
        }
    }

    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Virtual time between consecutive requests.
    pub(crate) fn gaps(&self) -> Vec<Duration> {
        let seen = self.seen();
        seen.windows(2).map(|w| w[1].at - w[0].at).collect()
    }
}

impl Respond for Script {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.seen.lock().unwrap().push(Seen {
            at: self.clock.elapsed(),
            headers: request
                .headers
                .iter()
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
        });
        let next = self.queue.lock().unwrap().pop_front();
        let mut last = self.last.lock().unwrap();
        match next {
            Some(t) => {
                *last = Some(t.clone());
                t
            }
            None => last.clone().unwrap_or_else(|| ResponseTemplate::new(500)),
        }
    }
}

/// Asserts that each pause honoured its `Retry-After` hint: never earlier,
/// and at most the 10 % later the client spreads polls over.
pub(crate) fn assert_honours_hints(pauses: &[Duration], hints: &[Duration]) {
    assert_eq!(pauses.len(), hints.len(), "{pauses:?} vs hints {hints:?}");
    for (pause, hint) in pauses.iter().zip(hints) {
        assert!(
            pause >= hint && *pause <= hint.mul_f64(1.1),
            "a pause of {pause:?} for a Retry-After of {hint:?}"
        );
    }
}
