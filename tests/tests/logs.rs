//! Proves that no personnummer reaches the log, in any spelling, at the most verbose level,
//! through every path that handles one.

use std::io::Write;
use std::sync::{Arc, Mutex};

use reqwest::StatusCode;
use serde_json::json;
use stampclock_tests::{AdminClient, Backend, TestServer};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_personnummer_is_ever_logged() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_env_filter("trace")
        // Timestamps are random digits that sooner or later contain "3234" (CI saw
        // "…02.323538Z"); without them, and without colour codes, every digit in the log
        // belongs to a field.
        .without_time()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();
    let server = TestServer::start(Backend::Sqlite).await;
    let seed = server.seed("Logs AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let numbers = ["19640823-3234", "640823-3234", "6408233234", "196408233234"];
    let (status, _) = admin.post("/api/v1/employees", json!({"number": "9", "name": "P", "personnummer": numbers[1]})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = admin.post("/api/v1/employees", json!({"number": "10", "name": "Q", "personnummer": "640823-3235"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = admin
        .call(reqwest::Method::PATCH, &format!("/api/v1/employees/{}", seed.staff[0]), Some(json!({"personnummer": numbers[2]})))
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut failing = AdminClient::anonymous(&server);
    let _ = failing.try_login(numbers[0], numbers[3]).await;
    let _ = admin.get("/api/v1/employees").await;
    drop(server);
    let text = String::from_utf8_lossy(&captured.0.lock().unwrap()).to_string();
    assert!(text.len() > 1000, "the capture works: {} bytes", text.len());
    // The log as words (runs of ASCII letters and digits): a personnummer in any spelling leaves
    // a word holding its date and number ("19640823", "6408233234") or its last four on their own
    // ("…-3234"), while a duration ("1.3234ms" → "3234ms") or a port is a different word.
    for word in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        for digits in ["640823", "8233234"] {
            assert!(!word.contains(digits), "log contains {digits} in {word:?}: {}", around(&text, word));
        }
        for digits in ["3234", "3235"] {
            assert!(word != digits, "log contains the last four {digits}: {}", around(&text, word));
        }
    }
}

/// The log line holding `word`, for a failure message.
fn around<'a>(text: &'a str, word: &str) -> &'a str {
    text.lines().find(|l| l.contains(word)).unwrap_or("")
}
