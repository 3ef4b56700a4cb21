//! stampclock's kiosk app: the Tauri 2 shell over `clock-core`.
//!
//! The window is a kiosk (fullscreen, undecorated, always on top) that refuses to close unless an
//! admin or manager identified with their PIN exits from the settings screen. Each command calls
//! clock-core once and answers errors as `{code, message}`; the UI translates `code`
//! (`error.<code>` in `ui/i18n/*.json`). The sync engine starts at launch.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use clock_core::enrolment::Uninstalled;
use clock_core::{CoreError, DeviceInfo, EmployeeScreen, Identified, Kiosk, KioskOptions, StampReceipt, SyncHandle, SyncReport, SyncStatus};
use serde::Serialize;
use tauri::{Manager, State, WindowEvent};

/// An error as the UI receives it: a stable code to translate and an English sentence for logs.
#[derive(Debug, Serialize)]
struct UiError {
    code: String,
    message: String,
}

impl From<CoreError> for UiError {
    fn from(e: CoreError) -> UiError {
        UiError { code: e.code().to_owned(), message: e.to_string() }
    }
}

impl UiError {
    fn new(code: &str, message: &str) -> UiError {
        UiError { code: code.to_owned(), message: message.to_owned() }
    }
}

type UiResult<T> = Result<T, UiError>;

/// When `main` began, for the start-up line of [`ui_ready`].
static LAUNCHED: OnceLock<Instant> = OnceLock::new();

/// The app's state: the core, the sync engine, and who is identified at the tablet right now.
struct AppState {
    kiosk: Kiosk,
    sync: SyncHandle,
    session: Mutex<Option<Identified>>,
    exit_allowed: AtomicBool,
}

impl AppState {
    fn who(&self) -> UiResult<Identified> {
        self.session
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(|| UiError::new("not_identified", "nobody is identified at the tablet"))
    }
}

/// Who was identified, as the UI shows it.
#[derive(Debug, Serialize)]
struct Person {
    number: String,
    name: String,
    role: String,
    may_administer: bool,
}

impl From<&Identified> for Person {
    fn from(who: &Identified) -> Person {
        Person {
            number: who.number.clone(),
            name: who.name.clone(),
            role: serde_json::to_value(who.role).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
            may_administer: who.may_administer(),
        }
    }
}

#[tauri::command]
fn device_info(state: State<'_, AppState>) -> UiResult<Option<DeviceInfo>> {
    Ok(state.kiosk.device_info()?)
}

#[tauri::command]
fn sync_status(state: State<'_, AppState>) -> UiResult<SyncStatus> {
    Ok(state.kiosk.sync_status()?)
}

#[tauri::command]
async fn enrol(state: State<'_, AppState>, server_url: String, code: String) -> UiResult<Option<DeviceInfo>> {
    state.kiosk.enrol(&server_url, &code).await?;
    // The roster arrives with the first sync: run it now rather than at the next tick.
    state.sync.reconnected();
    Ok(state.kiosk.device_info()?)
}

#[tauri::command]
fn identify(state: State<'_, AppState>, number: String, pin: String) -> UiResult<Person> {
    let who = state.kiosk.identify(&number, &pin)?;
    let person = Person::from(&who);
    *state.session.lock().unwrap_or_else(|p| p.into_inner()) = Some(who);
    Ok(person)
}

#[tauri::command]
fn sign_out(state: State<'_, AppState>) {
    *state.session.lock().unwrap_or_else(|p| p.into_inner()) = None;
}

#[tauri::command]
fn employee_screen(state: State<'_, AppState>) -> UiResult<EmployeeScreen> {
    let who = state.who()?;
    Ok(state.kiosk.employee_screen(&who)?)
}

#[tauri::command]
fn start_task(state: State<'_, AppState>, link_id: Option<String>, comment: Option<String>) -> UiResult<StampReceipt> {
    let who = state.who()?;
    // No link: "Stämpla in" where the organisation does not require links (the core refuses it
    // with `link_required` where it does).
    let link = link_id.map(|l| uuid::Uuid::parse_str(&l).map_err(|_| UiError::from(CoreError::LinkNotAllowed))).transpose()?;
    let comment = comment.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let receipt = state.kiosk.start(&who, link, comment)?;
    // Durable now; the office sees it after a short debounced sync, not at the next cycle.
    state.sync.stamped();
    Ok(receipt)
}

#[tauri::command]
fn stop_task(state: State<'_, AppState>) -> UiResult<StampReceipt> {
    let who = state.who()?;
    let receipt = state.kiosk.stop(&who)?;
    state.sync.stamped();
    Ok(receipt)
}

#[tauri::command]
async fn sync_now(state: State<'_, AppState>) -> UiResult<SyncReport> {
    Ok(state.sync.sync_now().await?)
}

#[tauri::command]
async fn uninstall(state: State<'_, AppState>, personnummer: String) -> UiResult<Uninstalled> {
    let done = state.kiosk.uninstall(&personnummer).await?;
    *state.session.lock().unwrap_or_else(|p| p.into_inner()) = None;
    Ok(done)
}

/// Start-up telemetry: the UI calls this once, when its first screen has been painted. The log
/// line "first screen shown" carries its timestamp (`scripts/bench-kiosk.sh` times app start to
/// idle screen by it) and the milliseconds since `main` began.
#[tauri::command]
fn ui_ready(window: tauri::WebviewWindow, screen: String) {
    let since_main_ms = LAUNCHED.get().map(|t| t.elapsed().as_millis()).unwrap_or_default();
    tracing::info!(screen = ?screen, since_main_ms, "first screen shown");
    if let Some((width, height)) = std::env::var("STAMPCLOCK_KIOSK_WINDOW").ok().as_deref().and_then(window_size) {
        // Development and the layout screenshots: an ordinary resizable window of that size
        // instead of the fullscreen kiosk (changed once the window is on screen: before that
        // the configured fullscreen state would win).
        let windowed = window
            .set_fullscreen(false)
            .and_then(|()| window.set_always_on_top(false))
            .and_then(|()| window.set_resizable(true))
            .and_then(|()| window.set_size(tauri::LogicalSize::new(width, height)));
        match windowed {
            Ok(()) => tracing::info!(width, height, "STAMPCLOCK_KIOSK_WINDOW: a resizable window, not fullscreen"),
            Err(e) => tracing::warn!(error = %e, "STAMPCLOCK_KIOSK_WINDOW: the window stays as it is"),
        }
    }
}

/// Leaves kiosk mode: only an active admin or manager of the cached roster, with their PIN.
#[tauri::command]
fn exit_app(app: tauri::AppHandle, state: State<'_, AppState>, number: String, pin: String) -> UiResult<()> {
    let who = state.kiosk.identify(&number, &pin)?;
    if !who.may_administer() {
        return Err(UiError::from(CoreError::NotAuthorised));
    }
    tracing::info!(number = %who.number, "kiosk exit by an admin or manager");
    state.exit_allowed.store(true, Ordering::SeqCst);
    app.exit(0);
    Ok(())
}

/// Unattended enrolment for fleet roll-outs and the demo: when the tablet is not enrolled and
/// both `STAMPCLOCK_KIOSK_SERVER` and `STAMPCLOCK_KIOSK_ENROLMENT_CODE` are set, enrol with them
/// before the first screen. On failure the reason is logged and the enrolment screen shows as
/// usual; an enrolled tablet ignores the variables.
fn provision(kiosk: &Kiosk) {
    let (Ok(server), Ok(code)) = (std::env::var("STAMPCLOCK_KIOSK_SERVER"), std::env::var("STAMPCLOCK_KIOSK_ENROLMENT_CODE")) else {
        return;
    };
    match kiosk.device_info() {
        Ok(Some(_)) => return,
        Ok(None) => {}
        Err(e) => {
            tracing::warn!(code = e.code(), "provisioning skipped: {e}");
            return;
        }
    }
    match tauri::async_runtime::block_on(kiosk.enrol(&server, &code)) {
        Ok(d) => tracing::info!(device = %d.device_id, server = %server, "provisioned from the environment"),
        Err(e) => tracing::warn!(code = e.code(), server = %server, "provisioning failed, showing the enrolment screen: {e}"),
    }
}

/// WebKitGTK's variable that turns off its DMA-BUF renderer.
const DMABUF_VAR: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";

/// What to do about WebKitGTK's DMA-BUF renderer, decided from what the machine has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DmabufDecision {
    /// The variable is already set (by the operator or the session): left as it is.
    AlreadySet,
    /// A GPU render node exists: WebKit renders through it.
    Keep,
    /// No render node (a VM, a tablet without a GPU driver, Xvfb): without the variable WebKit
    /// tries DMA-BUF anyway, and the window stays blank or the web process aborts.
    Disable,
}

fn dmabuf_decision(already_set: bool, has_render_node: bool) -> DmabufDecision {
    match (already_set, has_render_node) {
        (true, _) => DmabufDecision::AlreadySet,
        (false, true) => DmabufDecision::Keep,
        (false, false) => DmabufDecision::Disable,
    }
}

/// Whether `dir` (normally `/dev/dri`) holds a GPU render node (`renderD*`).
fn has_render_node(dir: &std::path::Path) -> bool {
    std::fs::read_dir(dir)
        .map(|entries| entries.flatten().any(|e| e.file_name().to_string_lossy().starts_with("renderD")))
        .unwrap_or(false)
}

/// Sets `WEBKIT_DISABLE_DMABUF_RENDERER=1` when the machine has no GPU render node and the
/// variable is not set yet, and logs the decision in one line. Must run before Tauri starts
/// WebKit (its web process inherits the environment) and before any other thread exists.
fn configure_webkit_renderer() {
    let decision = dmabuf_decision(std::env::var_os(DMABUF_VAR).is_some(), has_render_node(std::path::Path::new("/dev/dri")));
    match decision {
        DmabufDecision::AlreadySet => tracing::info!(value = ?std::env::var_os(DMABUF_VAR), "{DMABUF_VAR} already set; left as it is"),
        DmabufDecision::Keep => tracing::info!("GPU render node present (/dev/dri/renderD*): WebKit keeps its DMA-BUF renderer"),
        DmabufDecision::Disable => {
            // Called first thing in main, before Tauri or any runtime has started a thread, so no
            // other thread can read the environment while it changes.
            std::env::set_var(DMABUF_VAR, "1");
            tracing::info!("no GPU render node (/dev/dri/renderD*): {DMABUF_VAR}=1 (software rendering)");
        }
    }
}

/// `WIDTHxHEIGHT` in logical pixels (`800x1280`), each 200–10,000.
fn window_size(text: &str) -> Option<(f64, f64)> {
    let (w, h) = text.trim().split_once(['x', 'X'])?;
    let (w, h): (u32, u32) = (w.trim().parse().ok()?, h.trim().parse().ok()?);
    let ok = |v: u32| (200..=10_000).contains(&v);
    (ok(w) && ok(h)).then_some((f64::from(w), f64::from(h)))
}

fn main() {
    LAUNCHED.get_or_init(Instant::now);
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("STAMPCLOCK_LOG").unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    configure_webkit_renderer();

    let result = tauri::Builder::default()
        .setup(|app| {
            let data_dir = app.path().app_data_dir()?;
            std::fs::create_dir_all(&data_dir)?;
            tracing::info!(dir = %data_dir.display(), "app data directory");
            let mut options = KioskOptions::new(&data_dir);
            options.platform = format!(
                "{} {}; WebKitGTK; stampclock-kiosk {}",
                std::env::consts::OS,
                std::env::consts::ARCH,
                env!("CARGO_PKG_VERSION")
            );
            let kiosk = Kiosk::open(options)?;
            provision(&kiosk);
            // The engine's loop lives on Tauri's tokio runtime; its first sync runs at once.
            let engine = kiosk.clone();
            let sync = tauri::async_runtime::block_on(async move { clock_core::sync::spawn(engine) });
            app.manage(AppState { kiosk, sync, session: Mutex::new(None), exit_allowed: AtomicBool::new(false) });
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { api, .. } = event {
                let allowed = window.state::<AppState>().exit_allowed.load(Ordering::SeqCst);
                if !allowed {
                    tracing::info!("close refused: kiosk mode (an admin or manager exits from settings)");
                    api.prevent_close();
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            device_info,
            sync_status,
            enrol,
            identify,
            sign_out,
            employee_screen,
            start_task,
            stop_task,
            sync_now,
            uninstall,
            exit_app,
            ui_ready
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("stampclock kiosk: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_size_is_width_x_height_within_bounds() {
        assert_eq!(window_size("800x1280"), Some((800.0, 1280.0)));
        assert_eq!(window_size(" 1280 X 800 "), Some((1280.0, 800.0)));
        for bad in ["", "800", "800x", "x800", "100x800", "800x99999", "-800x1280", "axb"] {
            assert_eq!(window_size(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn dmabuf_is_disabled_only_without_a_render_node_and_never_overrides_the_operator() {
        assert_eq!(dmabuf_decision(false, false), DmabufDecision::Disable);
        assert_eq!(dmabuf_decision(false, true), DmabufDecision::Keep);
        assert_eq!(dmabuf_decision(true, false), DmabufDecision::AlreadySet);
        assert_eq!(dmabuf_decision(true, true), DmabufDecision::AlreadySet);
    }

    #[test]
    fn render_nodes_are_found_by_name() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!has_render_node(dir.path()), "empty");
        assert!(!has_render_node(&dir.path().join("missing")), "no such directory");
        std::fs::write(dir.path().join("card0"), b"").unwrap();
        assert!(!has_render_node(dir.path()), "a card node alone is no render node");
        std::fs::write(dir.path().join("renderD128"), b"").unwrap();
        assert!(has_render_node(dir.path()));
    }
}
