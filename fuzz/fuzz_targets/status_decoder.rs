//! Any bytes a server might send as a task status: decoding must end in a
//! status or a protocol error, never a panic, and never lose the raw body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use orchestrator::TaskStatus;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        match TaskStatus::from_json(value.clone()) {
            Ok(status) => {
                assert_eq!(status.as_json(), &value);
                if let Some(p) = status.progress_percent() {
                    assert!((0.0..=100.0).contains(&p));
                }
                let _ = status.analyze_document_result();
                let _ = status.result_as::<serde_json::Value>();
            }
            Err(e) => assert!(e.is_protocol()),
        }
    }
});
