//! The payroll basis of a run (issue 15, item 1) and its CSV export (item 4, `csv`): computed
//! from the locked month when the run locks it, stored with the run and never changed; equal,
//! employee by employee, to the month's timesheet; totals that are the sums of the rows; a
//! re-run after an unlock lists what changed; the CSV's minutes add up to the basis; the PAXml
//! passes the PAXml 2.0 schema (xmllint) and reads back to the basis's hours. On both
//! databases. Rules: B1/B3/B4 (Soll, absences), B5 (flex), D1 (Ist).

use chrono::{DateTime, FixedOffset};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared_model::PunchKind;
use stampclock_tests::admin::assert_error;
use stampclock_tests::{both_databases, AdminClient, Backend, TestDevice, TestServer};
use uuid::Uuid;

both_databases!(b1_b4_b5_d1_the_run_hands_over_a_basis_equal_to_the_timesheets_and_exports_that_add_up,);

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

async fn full_time(manager: &AdminClient, employee: Uuid) {
    let name = format!("Heltid {}", Uuid::now_v7());
    let (status, model) = manager.post("/api/v1/work-models", json!({"name": name, "minutes": [480, 480, 480, 480, 480, 0, 0]})).await;
    assert_eq!(status, StatusCode::CREATED, "{model}");
    let body = json!({"work_model_id": model["id"], "valid_from": "2026-10-01", "flex_model": "accumulating", "flex_opening_min": 0, "vacation_days": "25"});
    let (status, got) = manager.call(Method::PUT, &format!("/api/v1/employees/{employee}/work-model"), Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{got}");
}

/// The export's bytes and headers.
async fn export(client: &AdminClient, server: &TestServer, run: &str, query: &str) -> (StatusCode, String, Vec<u8>) {
    let res = client.http.get(server.url(&format!("/api/v1/payroll-runs/{run}/export?{query}"))).header("Cookie", client.cookie.clone().unwrap()).send().await.unwrap();
    let status = res.status();
    let disposition = res.headers().get("content-disposition").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, disposition, res.bytes().await.unwrap().to_vec())
}

/// The CSV's rows (without the BOM), parsed as Excel would.
fn rows(bytes: &[u8]) -> Vec<Vec<String>> {
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 BOM");
    let text = std::str::from_utf8(&bytes[3..]).expect("UTF-8");
    assert!(text.ends_with("\r\n") && !text.replace("\r\n", "").contains('\n'), "CRLF line ends");
    let mut r = csv::ReaderBuilder::new().delimiter(b';').has_headers(false).from_reader(text.as_bytes());
    r.records().map(|rec| rec.expect("a CSV record").iter().map(str::to_owned).collect()).collect()
}

/// Writes `bytes` to the test's directory as `name` and checks it with xmllint against
/// `testdata/formats/<xsd>`.
fn assert_schema_valid(server: &TestServer, xsd: &str, name: &str, bytes: &[u8]) {
    let file = server.db.dir.path().join(name);
    std::fs::write(&file, bytes).unwrap();
    let xsd = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/formats").join(xsd);
    let lint = std::process::Command::new("xmllint").arg("--noout").arg("--schema").arg(&xsd).arg(&file).output().expect("xmllint (libxml2-utils)");
    assert!(lint.status.success(), "xmllint {name}: {}", String::from_utf8_lossy(&lint.stderr));
}

fn row(basis: &Value, employee: Uuid) -> &Value {
    basis["employees"].as_array().unwrap().iter().find(|e| e["employee_id"] == employee.to_string()).unwrap_or_else(|| panic!("{employee} not in {basis}"))
}

async fn b1_b4_b5_d1_the_run_hands_over_a_basis_equal_to_the_timesheets_and_exports_that_add_up(backend: Backend) {
    let server = TestServer::start(backend).await;
    let seed = server.seed("Lön AB").await;
    let other = server.seed("Annan AB").await;
    let admin = AdminClient::login(&server, &seed.admin_username).await;
    let manager = AdminClient::login(&server, &seed.manager_username).await;
    let employee = AdminClient::login(&server, &seed.employee_username).await;
    let (anna, bo) = (seed.staff[0], seed.staff[1]);
    for who in [anna, bo] {
        full_time(&manager, who).await;
    }
    // A name the CSV must quote, not split.
    let renamed = admin.call(Method::PATCH, &format!("/api/v1/employees/{bo}"), Some(json!({"name": "Berg; \"Bo\""}))).await;
    assert_eq!(renamed.0, StatusCode::OK, "{}", renamed.1);
    // October: Anna works Monday 5th 08:00–16:30, Bo Tuesday 6th 09:00–12:00 and is sick on
    // Wednesday 7th.
    let mut tablet = TestDevice::enrol(&server, &admin.enrolment_code().await).await;
    let link = seed.links[0];
    let october = vec![
        tablet.event(anna, PunchKind::Start, Some(link), at("2026-10-05T08:00:00+02:00")),
        tablet.event(anna, PunchKind::Stop, None, at("2026-10-05T16:30:00+02:00")),
        tablet.event(bo, PunchKind::Start, Some(link), at("2026-10-06T09:00:00+02:00")),
        tablet.event(bo, PunchKind::Stop, None, at("2026-10-06T12:00:00+02:00")),
    ];
    let (status, body) = tablet.sync(&october, 0, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = manager.post("/api/v1/absences", json!({"employee_id": bo, "kind": "sick", "from": "2026-10-07", "to": "2026-10-07"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let (status, run) = manager.post("/api/v1/payroll-runs", json!({"period": "2026-10"})).await;
    assert_eq!(status, StatusCode::CREATED, "{run}");
    let run_id = run["id"].as_str().unwrap().to_owned();
    let (status, basis) = manager.get(&format!("/api/v1/payroll-runs/{run_id}/basis")).await;
    assert_eq!(status, StatusCode::OK, "{basis}");
    assert_eq!(basis["run"]["id"], run_id.as_str());
    assert_eq!(basis["run"]["period"], "2026-10");
    assert_eq!(basis["previous_run_id"], Value::Null);
    assert_eq!(basis["changes"], json!([]));

    // Each row is the employee's timesheet month, as the timesheet endpoint shows it.
    for who in [anna, bo] {
        let (_, month) = manager.get(&format!("/api/v1/timesheets/{who}/2026-10")).await;
        let r = row(&basis, who);
        assert_eq!(r["worked_min"], month["totals"]["actual_min"], "{r}");
        assert_eq!(r["target_min"], month["totals"]["target_min"]);
        assert_eq!(r["flex_min"], month["totals"]["flex_min"]);
        assert_eq!(r["flex_balance_min"], month["flex_balance_min"]);
        assert_eq!(r["time_bank_min"], Value::Null, "no Timbank configured");
    }
    let a = row(&basis, anna);
    assert_eq!(a["worked_min"], 510, "D1: 08:00–16:30 without a stamped break");
    assert_eq!(a["target_min"], 22 * 480, "B1: 22 weekdays in October 2026");
    assert_eq!(a["records"], 2);
    assert!(a["warnings"].as_array().unwrap().iter().any(|w| w["code"] == "arbzg_break" && w["date"] == "2026-10-05"), "C1 stays open: {a}");
    let b = row(&basis, bo);
    assert_eq!(b["worked_min"], 180);
    assert_eq!(
        b["absences"],
        json!([{"type": "sick", "dates": ["2026-10-07"], "minutes": 480, "days": [{"date": "2026-10-07", "minutes": 480}]}]),
        "B4: the exact dates, and the model's 8 h the sick day stands in for"
    );
    assert_eq!(a["worked_days"], json!([{"date": "2026-10-05", "minutes": 510}]));
    assert_eq!(b["name"], "Berg; \"Bo\"");
    // Totals are the sums of the rows.
    let employees = basis["employees"].as_array().unwrap();
    for field in ["worked_min", "target_min", "flex_min", "flex_balance_min", "records", "corrections"] {
        let sum: i64 = employees.iter().map(|e| e[field].as_i64().unwrap()).sum();
        assert_eq!(basis["totals"][field], sum, "{field}");
    }
    assert_eq!(basis["totals"]["employees"], employees.len());
    assert_eq!(basis["totals"]["absence_min"], 480);
    // Everyone active is in it, another organisation's people are not.
    assert!(employees.iter().any(|e| e["employee_id"] == seed.manager_id.to_string()));
    assert_eq!(employees.len(), 5, "admin, manager, employee and the two staff");

    // One employee's row; an unknown one is 404, as is another organisation's run.
    let (status, one) = manager.get(&format!("/api/v1/payroll-runs/{run_id}/basis/{anna}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&one, a);
    assert_error(&manager.get(&format!("/api/v1/payroll-runs/{run_id}/basis/{}", other.staff[0])).await, StatusCode::NOT_FOUND, "not_found");
    let other_manager = AdminClient::login(&server, &other.manager_username).await;
    assert_error(&other_manager.get(&format!("/api/v1/payroll-runs/{run_id}/basis")).await, StatusCode::NOT_FOUND, "not_found");
    assert_error(&manager.get("/api/v1/payroll-runs/not-a-run/basis").await, StatusCode::NOT_FOUND, "not_found");
    assert_error(&employee.get(&format!("/api/v1/payroll-runs/{run_id}/basis")).await, StatusCode::FORBIDDEN, "forbidden");

    // The CSV: Swedish headers, one row per employee and pay item, the minutes add up.
    let (status, disposition, bytes) = export(&manager, &server, &run_id, "format=csv&lang=sv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(disposition.contains("payroll-2026-10.csv"), "{disposition}");
    let table = rows(&bytes);
    assert_eq!(table[0], ["Period", "Anställningsnummer", "Namn", "Löneartskod", "Löneart", "Timmar", "Minuter", "Dagar"]);
    let body = &table[1..];
    assert!(body.iter().all(|r| r.len() == 8), "every row has 8 fields: {body:?}");
    let anna_worked = body.iter().find(|r| r[1] == "101" && r[3] == "worked").expect("Anna's worked time");
    assert_eq!((anna_worked[5].as_str(), anna_worked[6].as_str()), ("8,50", "510"), "decimal comma");
    let sick = body.iter().find(|r| r[1] == "102" && r[3] == "sick").expect("Bo's sick day");
    assert_eq!((sick[2].as_str(), sick[4].as_str(), sick[6].as_str(), sick[7].as_str()), ("Berg; \"Bo\"", "sjuk", "480", "1"));
    // Only employees with a number and some time: not the admin or the manager (no number),
    // nor number 7 (no time).
    let numbers: std::collections::BTreeSet<&str> = body.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(numbers.into_iter().collect::<Vec<_>>(), ["101", "102"]);
    let worked: i64 = body.iter().filter(|r| r[3] == "worked").map(|r| r[6].parse::<i64>().unwrap()).sum();
    let exported: i64 = [a, b].iter().map(|e| e["worked_min"].as_i64().unwrap()).sum();
    assert_eq!(worked, exported, "the CSV's worked minutes equal the basis rows it carries");
    assert_eq!(worked, basis["totals"]["worked_min"], "here every minute worked is exported");
    // PAXml 2.0: valid against the official schema, and its hours per employee and code are
    // the basis's, rounded once.
    let (status, disposition, xml) = export(&manager, &server, &run_id, "format=paxml").await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&xml));
    assert!(disposition.contains("payroll-2026-10.xml"), "{disposition}");
    assert_schema_valid(&server, "paxml-2.0-official.xsd", "payroll-2026-10.xml", &xml);
    let trans = sync_server::payroll::paxml::read_tidtrans(&xml).expect("a PAXml reader reads it");
    let hours = |anstid: &str, code: &str| trans.iter().filter(|t| t.0 == anstid && t.1 == code).map(|t| t.3).sum::<i64>();
    assert_eq!(hours("101", "ARB"), 850, "Anna: 8.50 h");
    assert_eq!(hours("102", "ARB"), 300);
    assert_eq!(hours("102", "SJK"), 800, "Bo's sick day: 8.00 h");
    assert!(trans.iter().any(|t| t.0 == "102" && t.1 == "SJK" && t.2 == "2026-10-07"), "by date: {trans:?}");
    // Visma Lön 300/600: ISO-8859-1 bytes, valid against its schema.
    let (status, disposition, tlu) = export(&manager, &server, &run_id, "format=visma-tlu").await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&tlu));
    assert!(disposition.contains("payroll-2026-10.tlu"), "{disposition}");
    assert!(tlu.starts_with(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"));
    assert_schema_valid(&server, "visma-lon-tlu-1.0.xsd", "payroll-2026-10.tlu", &tlu);
    let text: String = tlu.iter().map(|b| char::from(*b)).collect();
    assert!(text.contains(r#"<Time DateOfReport="2026-10-05" TimeCode="ARB" SumOfHours="8.50"/>"#), "{text}");
    assert!(text.contains(r#"<Time DateOfReport="2026-10-07" TimeCode="SJK" SumOfHours="8.00"/>"#), "{text}");
    for (query, what) in [("format=paxml&profile=fortnox", "profile"), ("format=paxml&lang=sv", "lang"), ("format=csv&profile=strict", "profile")] {
        let (status, _, body) = export(&manager, &server, &run_id, query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert!(body["error"]["message"].as_str().unwrap().contains(what), "{query}: {body}");
    }
    let (status, _, bad) = export(&manager, &server, &run_id, "format=paxml-fancy").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let bad: Value = serde_json::from_slice(&bad).unwrap();
    assert_eq!(bad["error"]["code"], "invalid_request");
    assert!(bad["error"]["message"].as_str().unwrap().contains("csv, paxml, visma-tlu"), "the message names the formats: {bad}");

    // Unlocked, corrected and run again: a new run listing what changed; the first run's basis
    // stays as it was.
    assert_eq!(manager.post("/api/v1/periods/2026-10/unlock", json!({})).await.0, StatusCode::NO_CONTENT);
    // A name Visma Lön's ISO-8859-1 cannot carry, for the re-run.
    assert_eq!(admin.call(Method::PATCH, &format!("/api/v1/employees/{anna}"), Some(json!({"name": "Łucja Andersson"}))).await.0, StatusCode::OK);
    let late = vec![
        tablet.event(anna, PunchKind::Start, Some(link), at("2026-10-08T08:00:00+02:00")),
        tablet.event(anna, PunchKind::Stop, None, at("2026-10-08T12:00:00+02:00")),
    ];
    assert_eq!(tablet.sync(&late, 0, None).await.0, StatusCode::OK);
    let (status, rerun) = manager.post("/api/v1/payroll-runs", json!({"period": "2026-10"})).await;
    assert_eq!(status, StatusCode::CREATED, "{rerun}");
    let rerun_id = rerun["id"].as_str().unwrap().to_owned();
    let (_, second) = manager.get(&format!("/api/v1/payroll-runs/{rerun_id}/basis")).await;
    assert_eq!(second["previous_run_id"], run_id.as_str());
    assert!(
        second["changes"].as_array().unwrap().iter().any(|c| c["employee_id"] == anna.to_string() && c["field"] == "worked_min" && c["from"] == 510 && c["to"] == 750),
        "{}",
        second["changes"]
    );
    assert!(second["changes"].as_array().unwrap().iter().all(|c| c["employee_id"] == anna.to_string()), "only Anna moved: {}", second["changes"]);
    let (status, _, refused) = export(&manager, &server, &rerun_id, "format=visma-tlu").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let refused: Value = serde_json::from_slice(&refused).unwrap();
    assert_eq!(refused["error"]["code"], "unmapped_code");
    assert_eq!(refused["error"]["details"]["uncarriable"], json!([{"employee": "101", "reason": "a character outside ISO-8859-1"}]), "{refused}");
    assert_eq!(export(&manager, &server, &rerun_id, "format=paxml").await.0, StatusCode::OK, "UTF-8 carries it");
    assert_eq!(export(&manager, &server, &run_id, "format=visma-tlu").await.0, StatusCode::OK, "the first run's basis keeps the old name");
    let (_, first_again) = manager.get(&format!("/api/v1/payroll-runs/{run_id}/basis")).await;
    assert_eq!(first_again["employees"], basis["employees"], "a stored basis never changes");
    let (status, runs) = manager.get("/api/v1/payroll-runs?period=2026-10").await;
    assert_eq!(status, StatusCode::OK, "{runs}");
    let items = runs["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!((items[0]["id"].as_str(), items[0]["current"].as_bool()), (Some(rerun_id.as_str()), Some(true)));
    assert_eq!((items[1]["id"].as_str(), items[1]["current"].as_bool()), (Some(run_id.as_str()), Some(false)));
    assert!(items.iter().all(|i| i["has_basis"] == true));
    assert_error(&manager.get("/api/v1/payroll-runs?period=10-2026").await, StatusCode::BAD_REQUEST, "invalid_request");
}
