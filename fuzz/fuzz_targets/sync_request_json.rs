//! The protocol's JSON: decoding a SyncRequest never panics, and a decoded one re-encodes and decodes equal.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared_model::wire::SyncRequest;

fuzz_target!(|data: &[u8]| {
    if let Ok(req) = serde_json::from_slice::<SyncRequest>(data) {
        if let Ok(bytes) = serde_json::to_vec(&req) {
            let again = serde_json::from_slice::<SyncRequest>(&bytes).ok();
            assert_eq!(again.as_ref(), Some(&req), "a SyncRequest re-encodes to the same request");
        }
    }
});
