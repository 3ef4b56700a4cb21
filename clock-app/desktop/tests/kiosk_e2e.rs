//! The real kiosk app end to end: the built `clock-app` binary driven through tauri-driver and
//! WebKitWebDriver (run under Xvfb with a window manager, see scripts/test.sh) against a real
//! `sync-server` with the demo organisation on a free port. Enrols, identifies with a wrong and
//! then the right PIN, starts and stops a task, syncs from settings and checks through the admin
//! API (and the server's database) that the events arrived. Screenshots of every screen go to
//! `test-output/kiosk/`.
//!
//! Needs `tauri-driver` and `WebKitWebDriver` on PATH, a display, and the server binary
//! (`STAMPCLOCK_SERVER_BIN`, default `target/debug/sync-server`).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// A child process killed when the test ends, however it ends. Children are started in a
/// process group of their own (`spawn_group`) and the whole group is killed: tauri-driver starts
/// WebKitWebDriver and the app, which would otherwise outlive it holding the test's stdout.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", self.0.id())]).stderr(Stdio::null()).status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn_group(cmd: &mut Command) -> std::io::Result<Child> {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0).spawn()
}

fn catalogue(lang: &str) -> Value {
    let path = root().join("ui/i18n").join(format!("{lang}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("catalogue")).expect("catalogue JSON")
}

async fn wait_for<F, Fut>(what: &str, timeout: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if check().await {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Evaluates `expr` in the page.
async fn js(c: &Client, expr: &str) -> Value {
    c.execute(&format!("return ({expr});"), vec![]).await.unwrap_or(Value::Null)
}

async fn wait_js(c: &Client, what: &str, expr: &str) {
    wait_for(what, Duration::from_secs(20), || async { js(c, expr).await == Value::Bool(true) }).await;
}

async fn screen(c: &Client) -> String {
    js(c, "document.body.dataset.screen || ''").await.as_str().unwrap_or_default().to_owned()
}

async fn wait_screen(c: &Client, name: &str) {
    wait_js(c, &format!("the {name} screen"), &format!("document.body.dataset.screen === '{name}'")).await;
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
}

async fn type_into(c: &Client, css: &str, text: &str) {
    let el = c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
    el.clear().await.expect("clear");
    el.send_keys(text).await.expect("send keys");
}

async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).text().await.expect("text")
}

async fn keypad(c: &Client, digits: &str) {
    for d in digits.chars() {
        click(c, &format!(".key[data-key='{d}']")).await;
    }
    click(c, ".key[data-key='ok']").await;
}

async fn shot(c: &Client, dir: &Path, name: &str) {
    tokio::time::sleep(Duration::from_millis(300)).await;
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
}

/// A logged-in demo admin session: the client, its session cookie and CSRF token.
async fn admin_session(base: &str) -> (reqwest::Client, String, String) {
    let http = reqwest::Client::new();
    let resp = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "admin", "password": "stampclock-demo"}))
        .send()
        .await
        .expect("login");
    assert!(resp.status().is_success(), "admin login: {}", resp.status());
    let cookie = resp.headers().get("set-cookie").and_then(|v| v.to_str().ok()).and_then(|s| s.split(';').next()).expect("cookie").to_owned();
    let login: Value = resp.json().await.expect("login JSON");
    let csrf = login["csrf_token"].as_str().expect("csrf_token").to_owned();
    (http, cookie, csrf)
}

/// `method path` with `body` as the demo admin; the answer's body.
async fn admin_send(base: &str, method: reqwest::Method, path: &str, body: Value) -> Value {
    let (http, cookie, csrf) = admin_session(base).await;
    let resp = http.request(method.clone(), format!("{base}{path}")).header("cookie", cookie).header("x-csrf-token", csrf).json(&body).send().await.expect("request");
    assert!(resp.status().is_success(), "{method} {path}: {}", resp.status());
    resp.json().await.expect("JSON")
}

/// `GET path` as the demo admin; the answer's body.
async fn admin_get(base: &str, path: &str) -> Value {
    let (http, cookie, _) = admin_session(base).await;
    let resp = http.get(format!("{base}{path}")).header("cookie", cookie).send().await.expect("GET");
    assert!(resp.status().is_success(), "GET {path}: {}", resp.status());
    resp.json().await.expect("JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kiosk_app_enrols_identifies_stamps_and_syncs_against_a_real_server() {
    let root = root();
    let out = root.join("test-output/kiosk");
    std::fs::create_dir_all(&out).expect("test-output/kiosk");
    let tmp = tempfile::tempdir().expect("tempdir");

    // The server: the demo organisation on an embedded SQLite, on a free port.
    let server_bin = std::env::var_os("STAMPCLOCK_SERVER_BIN").map(PathBuf::from).unwrap_or_else(|| root.join("target/debug/sync-server"));
    assert!(server_bin.exists(), "{} is missing: build it with `cargo build -p sync-server`", server_bin.display());
    let server_dir = tmp.path().join("server");
    let status = Command::new(&server_bin)
        .arg("demo")
        .env("STAMPCLOCK_DATA_DIR", &server_dir)
        .stdout(Stdio::null())
        .status()
        .expect("sync-server demo");
    assert!(status.success(), "sync-server demo failed");
    let code = std::fs::read_to_string(server_dir.join("demo-enrolment-code.txt")).expect("enrolment code").trim().to_owned();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let _server = Guard(
        spawn_group(
            Command::new(&server_bin)
                .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
                .env("STAMPCLOCK_DATA_DIR", &server_dir)
                .stdout(Stdio::null()),
        )
        .expect("sync-server serve"),
    );
    let http = reqwest::Client::new();
    wait_for("the server", Duration::from_secs(30), || async {
        http.get(format!("{base}/api/v1/health")).send().await.is_ok_and(|r| r.status().is_success())
    })
    .await;

    // tauri-driver starts the app (through WebKitWebDriver); the app data dir lives under
    // XDG_DATA_HOME, so every run starts unenrolled.
    let started = Instant::now();
    let (driver, c) = session(&out, tmp.path(), "driver.log", &[]).await;
    let result = run(&c, &out, &base, &code, &server_dir).await;
    let _ = c.close().await;
    drop(driver);
    result.expect("kiosk scenario");

    // The staff screen's layout on a landscape (1280×800) and a portrait 10-inch tablet
    // (800×1280) in each language: the same, now enrolled app again, in a resizable window.
    let (_driver, c) = session(&out, tmp.path(), "driver-layout.log", &[("STAMPCLOCK_KIOSK_WINDOW", "800x1280")]).await;
    let result = layouts(&c, &out).await;
    let _ = c.close().await;
    result.expect("layouts");
    eprintln!("kiosk end to end: {:.1} s, screenshots in {}", started.elapsed().as_secs_f64(), out.display());
}

/// A tauri-driver (its output and the app's logs in `out/log`) and a WebDriver session with the
/// app, whose data lives under `tmp`; `env` reaches the app.
async fn session(out: &Path, tmp: &Path, log: &str, env: &[(&str, &str)]) -> (Guard, Client) {
    let driver_port = free_port();
    let native_port = free_port();
    let driver_log = std::fs::File::create(out.join(log)).expect("driver log");
    let mut cmd = Command::new("tauri-driver");
    cmd.args(["--port", &driver_port.to_string(), "--native-port", &native_port.to_string()])
        .env("XDG_DATA_HOME", tmp.join("xdg-data"))
        .env("XDG_CONFIG_HOME", tmp.join("xdg-config"))
        .env("XDG_CACHE_HOME", tmp.join("xdg-cache"))
        // Under WebKitWebDriver on Xvfb, WebKitGTK's software path (DMA-BUF renderer off,
        // which the app chooses itself when there is no GPU render node) stalls the
        // automation session before the first command answers; the app alone renders
        // fine that way (`first screen shown` in the log, scripts/bench-kiosk.sh). So the
        // driven app keeps WebKit's default renderer: the app leaves a set value alone.
        .env("WEBKIT_DISABLE_DMABUF_RENDERER", "0")
        .envs(env.iter().copied())
        .stdout(driver_log.try_clone().expect("driver log"))
        .stderr(driver_log);
    let driver = Guard(spawn_group(&mut cmd).expect("tauri-driver on PATH (cargo install tauri-driver --locked)"));
    let app = env!("CARGO_BIN_EXE_clock-app");
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("wry"));
    caps.insert("tauri:options".into(), json!({"application": app}));
    let started = Instant::now();
    let c = loop {
        match ClientBuilder::native().capabilities(caps.clone()).connect(&format!("http://127.0.0.1:{driver_port}")).await {
            Ok(c) => break c,
            Err(e) => {
                assert!(started.elapsed() < Duration::from_secs(60), "no WebDriver session: {e}");
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }
    };
    (driver, c)
}

/// Anna's screen with a running task, in sv, de, da and en, at 800×1280 and 1280×800: nothing
/// cut off (the running task's text inside its box, at least two rows of the project list, no
/// sideways scrolling), each a screenshot `layout-<lang>-<w>x<h>.png`.
async fn layouts(c: &Client, out: &Path) -> Result<(), String> {
    wait_js(c, "the app to start", "document.body.dataset.ready === 'true'").await;
    wait_screen(c, "idle").await;
    for (i, lang) in ["sv", "de", "da", "en"].into_iter().enumerate() {
        click(c, "#menu-button").await;
        wait_screen(c, "settings").await;
        click(c, &format!(".lang[data-lang='{lang}']")).await;
        wait_js(c, lang, &format!("document.documentElement.lang === '{lang}'")).await;
        click(c, "#settings-back").await;
        wait_screen(c, "idle").await;
        click(c, "#idle-tap").await;
        wait_screen(c, "identify").await;
        keypad(c, "101").await;
        keypad(c, "1111").await;
        wait_screen(c, "employee").await;
        if i == 0 {
            wait_js(c, "Anna's links", "document.querySelectorAll('#emp-links .link').length > 0").await;
            click(c, "#emp-links .link").await;
            click(c, "#emp-start").await;
            wait_js(c, "a running task", "document.getElementById('emp-running').classList.contains('on')").await;
        }
        for (w, h) in [(800u32, 1280u32), (1280, 800)] {
            c.set_window_rect(0, 0, w, h).await.map_err(|e| e.to_string())?;
            wait_js(c, &format!("a {w}×{h} window"), &format!("window.innerWidth === {w} && window.innerHeight === {h}")).await;
            let fit = js(
                c,
                "(() => { const r = document.getElementById('emp-running'); const l = document.getElementById('emp-links'); \
                  const b = l.querySelector('.link'); const rows = b ? Math.min(l.scrollHeight, 2 * b.offsetHeight) : 0; \
                  return { running: r.scrollHeight - r.clientHeight, list: l.clientHeight - rows + 1, \
                           sideways: document.documentElement.scrollWidth - window.innerWidth }; })()",
            )
            .await;
            assert!(fit["running"].as_i64().unwrap_or(99) <= 1, "{lang} {w}×{h}: the running task's text overflows its box: {fit}");
            assert!(fit["list"].as_i64().unwrap_or(-1) >= 0, "{lang} {w}×{h}: the project list shows less than two rows: {fit}");
            assert!(fit["sideways"].as_i64().unwrap_or(99) <= 0, "{lang} {w}×{h}: the screen scrolls sideways: {fit}");
            shot(c, out, &format!("layout-{lang}-{w}x{h}")).await;
        }
        click(c, "#emp-done").await;
        wait_screen(c, "idle").await;
    }
    Ok(())
}

async fn run(c: &Client, out: &Path, base: &str, code: &str, server_dir: &Path) -> Result<(), String> {
    // Enrolment.
    wait_js(c, "the app to start", "document.body.dataset.ready === 'true'").await;
    assert_eq!(screen(c).await, "enrol", "a fresh tablet asks to be enrolled");
    shot(c, out, "01-enrol").await;
    type_into(c, "#enrol-url", "http://127.0.0.1:1").await;
    type_into(c, "#enrol-code", "NOPE-NOPE").await;
    click(c, "#enrol-submit").await;
    wait_js(c, "an enrolment error", "document.getElementById('enrol-error').textContent.length > 0").await;
    shot(c, out, "02-enrol-error").await;
    type_into(c, "#enrol-url", base).await;
    type_into(c, "#enrol-code", code).await;
    click(c, "#enrol-submit").await;
    wait_screen(c, "idle").await;

    // The roster arrives with the first sync, started by the enrolment.
    wait_js(c, "the first sync", "document.getElementById('badge').classList.contains('online')").await;
    let lang = js(c, "document.documentElement.lang").await.as_str().unwrap_or("en").to_owned();
    assert_eq!(lang, "sv", "the demo organisation is in Europe/Stockholm: Swedish by default");
    let cat = catalogue(&lang);
    shot(c, out, "03-idle").await;

    // A wrong PIN shows the translated error.
    click(c, "#idle-tap").await;
    wait_screen(c, "identify").await;
    keypad(c, "101").await;
    keypad(c, "9999").await;
    wait_js(c, "the wrong-PIN error", "document.getElementById('id-error').textContent.length > 0").await;
    let shown = text(c, "#id-error").await;
    assert_eq!(shown, cat["error.wrong_pin"].as_str().expect("error.wrong_pin"), "the wrong PIN error is translated");
    shot(c, out, "04-identify-wrong-pin").await;

    // The right PIN (the field is on the PIN again after a failure).
    keypad(c, "1111").await;
    wait_screen(c, "employee").await;
    wait_js(c, "the employee's links", "document.querySelectorAll('#emp-links .link, #emp-recent .link').length > 0").await;
    shot(c, out, "05-employee").await;

    // Start a task with a comment.
    click(c, "#emp-links .link").await;
    type_into(c, "#emp-comment", "e2e: wall tablet").await;
    click(c, "#emp-start").await;
    wait_js(c, "a running task", "document.getElementById('emp-running').classList.contains('on')").await;
    assert_eq!(js(c, "document.querySelectorAll('#emp-stamps tr.stamp').length").await, json!(1));
    shot(c, out, "06-running").await;

    // Stop it.
    click(c, "#emp-stop").await;
    wait_js(c, "the task to stop", "!document.getElementById('emp-running').classList.contains('on')").await;
    shot(c, out, "07-stopped").await;

    // Online, the stamps leave by themselves within seconds (a debounced sync after the stamps),
    // not at the next five-minute sync: the server has both and the badge shows none pending.
    let accepted = || -> Result<i64, String> {
        let db = rusqlite::Connection::open(server_dir.join("stampclock.db")).map_err(|e| e.to_string())?;
        db.busy_timeout(Duration::from_secs(10)).map_err(|e| e.to_string())?;
        db.query_row("SELECT COUNT(*) FROM events WHERE status = 'accepted'", [], |r| r.get(0)).map_err(|e| e.to_string())
    };
    let stamped = Instant::now();
    wait_for("the stamps to reach the server by themselves", Duration::from_secs(30), || async { accepted().is_ok_and(|n| n == 2) }).await;
    eprintln!("stamp to server without Sync now: {:.1} s", stamped.elapsed().as_secs_f64());
    click(c, "#emp-done").await;
    wait_screen(c, "idle").await;
    wait_js(c, "no pending stamps on the badge", "document.getElementById('badge').dataset.pending === '0'").await;
    shot(c, out, "08-idle-synced").await;

    // Settings: Sync now finds nothing left to send.
    click(c, "#menu-button").await;
    wait_screen(c, "settings").await;
    shot(c, out, "09-settings").await;
    click(c, "#sync-now").await;
    wait_js(c, "the sync result", "document.getElementById('sync-result').className === 'message'").await;
    let result = text(c, "#sync-result").await;
    let expected = cat["kiosk.settings.sync_full"].as_str().expect("sync_full").replace("{sent}", "0");
    assert_eq!(result, expected, "Sync now had nothing left to send");
    shot(c, out, "10-synced").await;

    // The server has both events: the admin API lists the device as fully synced, nothing pending.
    let devices = admin_get(base, "/api/v1/devices").await;
    let list = devices.as_array().cloned().or_else(|| devices["items"].as_array().cloned()).unwrap_or_default();
    assert_eq!(list.len(), 1, "one installed tablet: {devices}");
    let d = &list[0];
    assert_eq!(d["pending_events"], json!(0), "{d}");
    assert!(d["last_full_sync_at"].is_string(), "a full sync is recorded: {d}");
    assert!(d["platform"].as_str().unwrap_or_default().contains("WebKitGTK"), "platform column: {d}");
    let stored: i64 = {
        let db = rusqlite::Connection::open(server_dir.join("stampclock.db")).map_err(|e| e.to_string())?;
        db.busy_timeout(Duration::from_secs(10)).map_err(|e| e.to_string())?;
        db.query_row("SELECT COUNT(*) FROM events WHERE status = 'accepted'", [], |r| r.get(0)).map_err(|e| e.to_string())?
    };
    assert_eq!(stored, 2, "the start and the stop are in the server's ledger");

    // The language switch translates the screen at once.
    click(c, ".lang[data-lang='de']").await;
    wait_js(c, "German", "document.documentElement.lang === 'de'").await;
    assert_eq!(text(c, "#sync-now").await, catalogue("de")["kiosk.settings.sync_now"].as_str().unwrap_or_default());
    shot(c, out, "11-settings-de").await;

    // Exit is refused for an employee.
    type_into(c, "#exit-number", "101").await;
    type_into(c, "#exit-pin", "1111").await;
    click(c, "#exit-submit").await;
    wait_js(c, "the exit refusal", "document.getElementById('exit-result').textContent.length > 0").await;
    assert_eq!(text(c, "#exit-result").await, catalogue("de")["error.not_authorised"].as_str().unwrap_or_default());
    shot(c, out, "12-exit-refused").await;

    // 15 s without a touch return to the idle screen.
    wait_for("the idle timeout", Duration::from_secs(25), || async { screen(c).await == "idle" }).await;
    shot(c, out, "13-idle-after-timeout").await;

    // The week from the server's timesheet (issue 12, item 7): after identifying, Anna sees her
    // week and the flex balance the server computed at the last sync, in German now.
    click(c, "#idle-tap").await;
    wait_screen(c, "identify").await;
    keypad(c, "101").await;
    keypad(c, "1111").await;
    wait_screen(c, "employee").await;
    wait_js(c, "the week", "!document.getElementById('emp-week').hidden").await;
    assert_eq!(js(c, "document.querySelectorAll('#emp-week-table tbody tr').length").await, json!(7), "Monday to Sunday");
    let people = admin_get(base, "/api/v1/employees?limit=1000").await;
    let anna = people["items"].as_array().and_then(|l| l.iter().find(|p| p["number"] == "101")).map(|p| p["id"].as_str().unwrap_or_default().to_owned()).expect("Anna");
    let month = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Stockholm).format("%Y-%m").to_string();
    let sheet = admin_get(base, &format!("/api/v1/timesheets/{anna}/{month}")).await;
    let balance = sheet["flex_balance_min"].as_i64().expect("flex balance");
    let shown = format!("{}{}:{:02}", if balance < 0 { "-" } else { "" }, balance.abs() / 60, balance.abs() % 60);
    let expected = catalogue("de")["kiosk.week.flex"].as_str().unwrap_or_default().replace("{balance}", &shown);
    assert_eq!(text(c, "#emp-flex").await, expected, "the tablet shows the server's flex balance");
    assert!(!text(c, "#emp-week-asof").await.is_empty(), "labelled with its as-of time");
    shot(c, out, "14-employee-week-de").await;
    click(c, "#emp-done").await;
    wait_screen(c, "idle").await;

    // Stamping without projects (the first-day issue): the owner turns links off and Björn has
    // none; after the next sync the tablet offers him one large button, and his stamps reach the
    // server without a link.
    let bjorn = people["items"].as_array().and_then(|l| l.iter().find(|p| p["number"] == "102")).map(|p| p["id"].as_str().unwrap_or_default().to_owned()).expect("Björn");
    admin_send(base, reqwest::Method::PUT, &format!("/api/v1/employees/{bjorn}/links"), json!({"link_ids": []})).await;
    let org = admin_send(base, reqwest::Method::PATCH, "/api/v1/organisation", json!({"links_required": false})).await;
    assert_eq!(org["links_required"], json!(false));
    click(c, "#menu-button").await;
    wait_screen(c, "settings").await;
    click(c, "#sync-now").await;
    wait_js(c, "the sync result", "document.getElementById('sync-result').className === 'message'").await;
    click(c, "#settings-back").await;
    wait_screen(c, "idle").await;
    click(c, "#idle-tap").await;
    wait_screen(c, "identify").await;
    keypad(c, "102").await;
    keypad(c, "2222").await;
    wait_screen(c, "employee").await;
    wait_js(c, "the clock-in button", "!document.getElementById('emp-punch').hidden").await;
    let de = catalogue("de");
    assert_eq!(text(c, "#emp-punch").await, de["kiosk.employee.clock_in"].as_str().unwrap_or_default());
    assert_eq!(js(c, "document.getElementById('emp-tasks').hidden").await, json!(true), "no project list for staff without projects");
    assert_eq!(js(c, "document.getElementById('emp-stop').hidden").await, json!(true));
    shot(c, out, "15-clock-in-de").await;
    click(c, "#emp-punch").await;
    wait_js(c, "clocked in", "document.getElementById('emp-running').classList.contains('on')").await;
    assert_eq!(text(c, "#emp-punch").await, de["kiosk.employee.clock_out"].as_str().unwrap_or_default());
    assert!(text(c, "#emp-running").await.starts_with(de["kiosk.employee.in_since"].as_str().unwrap_or_default().split('{').next().unwrap_or_default()));
    shot(c, out, "16-clocked-in-de").await;
    click(c, "#emp-punch").await;
    wait_js(c, "clocked out", "!document.getElementById('emp-running').classList.contains('on')").await;
    assert_eq!(js(c, "document.querySelectorAll('#emp-stamps tr.stamp').length").await, json!(1));
    shot(c, out, "17-clocked-out-de").await;
    click(c, "#emp-done").await;
    wait_screen(c, "idle").await;
    click(c, "#menu-button").await;
    wait_screen(c, "settings").await;
    click(c, "#sync-now").await;
    wait_js(c, "the sync result", "document.getElementById('sync-result').className === 'message'").await;
    let without_link: i64 = {
        let db = rusqlite::Connection::open(server_dir.join("stampclock.db")).map_err(|e| e.to_string())?;
        db.busy_timeout(Duration::from_secs(10)).map_err(|e| e.to_string())?;
        db.query_row("SELECT COUNT(*) FROM events WHERE status = 'accepted' AND kind = 'start' AND link_id IS NULL", [], |r| r.get(0)).map_err(|e| e.to_string())?
    };
    assert_eq!(without_link, 1, "Björn's start reached the server without a link");

    Ok(())
}
