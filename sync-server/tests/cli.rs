//! The real `sync-server` binary: demo, migrate, admin bootstrap with the password on standard
//! input, configuration from environment and TOML, and serve answering over HTTP.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sync-server"));
    c.env_remove("STAMPCLOCK_DATABASE_URL").env_remove("STAMPCLOCK_LISTEN").env("STAMPCLOCK_LOG", "warn");
    c
}

fn run_ok(c: &mut Command) -> String {
    let out = c.output().expect("run sync-server");
    assert!(out.status.success(), "{:?} failed: {}{}", c, String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn demo_bootstrap_and_serve() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // The data directory from the environment; demo is idempotent and issues a new code each time.
    let first = run_ok(bin().arg("demo").env("STAMPCLOCK_DATA_DIR", &data));
    assert!(first.contains("created"), "{first}");
    let second = run_ok(bin().arg("demo").env("STAMPCLOCK_DATA_DIR", &data));
    assert!(second.contains("already present"), "{second}");
    let code = std::fs::read_to_string(data.join("demo-enrolment-code.txt")).unwrap();
    assert!(second.contains(code.trim()));
    assert!(!first.contains(code.trim()), "a fresh code per run");
    // Beside it the restaurant, whose staff stamp without projects, with a code of its own.
    let restaurant = std::fs::read_to_string(data.join("demo-restaurant-enrolment-code.txt")).unwrap();
    assert!(second.contains(restaurant.trim()) && second.contains("Restaurang Smaka"), "{second}");
    assert_ne!(restaurant.trim(), code.trim());
    assert!(data.join("stampclock.db").exists() && data.join("personnummer.key").exists());
    run_ok(bin().arg("migrate").arg("--data-dir").arg(&data));

    // Admin bootstrap: the password comes from standard input.
    run_ok(bin().args(["admin", "create-organisation", "--name", "Acme AB", "--time-zone", "Europe/Berlin", "--data-dir"]).arg(&data));
    let bad_zone = bin().args(["admin", "create-organisation", "--name", "Bad", "--time-zone", "Mars/Base", "--data-dir"]).arg(&data).output().unwrap();
    assert!(!bad_zone.status.success());
    assert!(String::from_utf8_lossy(&bad_zone.stderr).contains("Mars/Base"));
    let mut child = bin()
        .args(["admin", "create-user", "--organisation", "Acme AB", "--username", "boss", "--role", "admin",
               "--personnummer", "19811218-9876", "--employee-number", "9", "--pin", "4242", "--data-dir"])
        .arg(&data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"a long enough password\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Neither the number nor its last four as a word of their own (the printed ids are random
    // hex that may hold "9876" inside a longer word).
    assert!(stdout.contains("boss"), "{stdout}");
    assert!(!stdout.contains("811218") && !stdout.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| w == "9876"), "{stdout}");
    // A short password and an invalid personnummer are refused with a message.
    let mut child = bin()
        .args(["admin", "create-user", "--organisation", "Acme AB", "--username", "x", "--role", "admin", "--data-dir"])
        .arg(&data)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"short\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("at least 10"));

    // Serve, configured by a TOML file, on a free port; health and login answer.
    let config = dir.path().join("server.toml");
    std::fs::write(&config, format!("data_dir = {:?}\nlisten = \"127.0.0.1:0\"\n", data.display().to_string())).unwrap();
    let mut server = bin().arg("--config").arg(&config).arg("serve").stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let stdout = server.stdout.take().unwrap();
    let mut line = String::new();
    let started = Instant::now();
    let mut reader = BufReader::new(stdout);
    while !line.contains("listening on") && started.elapsed() < Duration::from_secs(60) {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
    }
    let url = line.trim().rsplit(' ').next().unwrap_or("").to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let result = rt.block_on(async {
        let client = reqwest::Client::new();
        let health: serde_json::Value = client.get(format!("{url}/api/v1/health")).send().await?.json().await?;
        let login = client
            .post(format!("{url}/api/v1/auth/login"))
            .json(&serde_json::json!({"username": "boss", "password": "a long enough password"}))
            .send()
            .await?;
        // The restaurant's demo code enrols the tablet as "Entré" (what the quick start shows).
        let key = shared_model::device_auth::DeviceKey::generate().expect("key").0;
        let enrol = serde_json::json!({"enrolment_code": restaurant.trim(), "public_key": key.public_key_b64(), "platform": "cli test", "app_version": "0"});
        let enrolled = client.post(format!("{url}/api/v1/device/enrol")).json(&enrol).send().await?.status();
        let owner = client
            .post(format!("{url}/api/v1/auth/login"))
            .json(&serde_json::json!({"username": "smaka", "password": "stampclock-demo"}))
            .send()
            .await?;
        let cookie: Vec<String> = owner.headers().get_all(reqwest::header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).map(|v| v.split(';').next().unwrap_or_default().to_owned()).collect();
        let devices: serde_json::Value = client.get(format!("{url}/api/v1/devices")).header(reqwest::header::COOKIE, cookie.join("; ")).send().await?.json().await?;
        Ok::<_, reqwest::Error>((health, login.status(), enrolled, devices))
    });
    let _ = server.kill();
    let _ = server.wait();
    let (health, login, enrolled, devices) = result.unwrap();
    assert_eq!(health["database"], "ok");
    assert_eq!(login, reqwest::StatusCode::OK);
    assert_eq!(enrolled, reqwest::StatusCode::CREATED);
    assert_eq!(devices["items"][0]["name"], "Entré", "{devices}");
}

/// A database URL naming a PostgreSQL database that was never created gets a plain message
/// saying so and how to create it, not the driver's error; an unreachable server likewise.
#[test]
fn a_missing_postgres_database_is_named_with_how_to_create_it() {
    let admin = std::env::var("STAMPCLOCK_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap_or(admin.clone());
    let name = format!("stampclock_never_created_{}", std::process::id());
    let dir = tempfile::tempdir().unwrap();
    let out = bin().args(["migrate", "--database-url", &format!("{base}/{name}"), "--data-dir"]).arg(dir.path()).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("database \"{name}\" does not exist")) && err.contains("createdb"), "{err}");
    assert!(!err.contains("at line"), "no driver location in the message: {err}");
    // Nobody listening: port 1 on loopback.
    let out = bin().args(["migrate", "--database-url", "postgres://postgres@127.0.0.1:1/stampclock", "--data-dir"]).arg(dir.path()).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot reach PostgreSQL at 127.0.0.1:1"), "{err}");
}
