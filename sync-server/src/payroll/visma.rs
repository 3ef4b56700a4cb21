//! The payroll basis as a Visma Lön 300/600 time import (`.tlu`; issue 15, item 4, format
//! `visma-tlu`): XML with attributes only, real ISO-8859-1 bytes declared as such.
//! `SalaryData` › `TimeCodes/TimeCode` (every code used is declared) › `SalaryDataEmployee`
//! (`FromDate`, `ToDate` = the run's period) › `Employee` (`EmploymentNo`, `FirstName`, `Name`,
//! `FromDate`, `ToDate`) with all five child lists present: `NormalWorkingTimes` (the schedule
//! per day), `Times/Time` (`DateOfReport`, `TimeCode`, `SumOfHours` per code and day),
//! `TimeAdjustments` (empty), `TimeBalances` (the flex movement and balance) and `RegOutlays`
//! (empty). Decimal point. Passes `testdata/formats/visma-lon-tlu-1.0.xsd` (the tests run
//! xmllint on every file they produce).
//!
//! The time codes and the rounding are [`super::codes`]'s (the Swedish standard abbreviations
//! of the PAXml mapping), declared in `TimeCodes`. Text the format cannot carry — a
//! character outside ISO-8859-1, a name longer than 50 characters, an employee number longer
//! than 20 — is refused naming the employee, never altered.

use std::io::Cursor;

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, Event};
use quick_xml::Writer;

use super::basis::{BasisEmployee, PayrollBasis};
use super::codes::{decimal, round_hundredths, rows_by_code, unmapped};

/// What the Visma export can fail with.
#[derive(Debug, thiserror::Error)]
pub enum VismaError {
    /// Time or absence types without a code, each once.
    #[error("no Visma Lön time code for: {}", .0.join(", "))]
    Unmapped(Vec<String>),
    /// Employees whose text the format cannot carry: (employee number or name, why).
    #[error("the Visma Lön file cannot carry: {}", .0.iter().map(|(who, why)| format!("{who}: {why}")).collect::<Vec<_>>().join("; "))]
    Uncarriable(Vec<(String, String)>),
    #[error("writing XML: {0}")]
    Xml(String),
}

/// The Swedish names of the codes, for `TimeCodeName`, and whether they are absence.
fn code_name(code: &str) -> (&'static str, bool) {
    match code {
        "ARB" => ("Arbetad tid", false),
        "SEM" => ("Semester", true),
        "SJK" => ("Sjukfrånvaro", true),
        "FPE" => ("Föräldraledighet", true),
        "FLX" => ("Flexledighet", true),
        "PEM" => ("Permission", true),
        "HAV" => ("Havandeskap", true),
        "UTB" => ("Utbildning", true),
        _ => ("Tid", false),
    }
}

/// Minutes as hours with two decimals and a decimal point, rounded half away from zero.
fn hours(minutes: i64) -> String {
    decimal(round_hundredths(minutes), '.')
}

/// First name(s) and surname from one name: the last word is the surname.
pub fn split_name(name: &str) -> (String, String) {
    let name = name.trim();
    match name.rsplit_once(char::is_whitespace) {
        Some((first, last)) if !first.trim().is_empty() => (first.trim().to_owned(), last.to_owned()),
        _ => (name.to_owned(), name.to_owned()),
    }
}

fn latin1(s: &str) -> bool {
    s.chars().all(|c| u32::from(c) <= 0xFF && !c.is_control())
}

/// Why an employee cannot be written, if they cannot.
fn uncarriable(e: &BasisEmployee) -> Option<String> {
    let number = e.number.as_deref().unwrap_or_default().trim();
    let (first, last) = split_name(&e.name);
    if !latin1(&e.name) || !latin1(number) {
        return Some("a character outside ISO-8859-1".into());
    }
    if number.chars().count() > 20 {
        return Some("an employee number longer than 20 characters".into());
    }
    if first.chars().count() > 50 || last.chars().count() > 50 {
        return Some("a name longer than 50 characters".into());
    }
    None
}

/// The basis as `.tlu` bytes (ISO-8859-1). `company` is the organisation's name.
pub fn basis_tlu(b: &PayrollBasis, company: &str) -> Result<Vec<u8>, VismaError> {
    let employees: Vec<&BasisEmployee> = b.employees.iter().filter(|e| e.exported()).collect();
    let unmapped = unmapped(&employees);
    if !unmapped.is_empty() {
        return Err(VismaError::Unmapped(unmapped));
    }
    let mut refused: Vec<(String, String)> =
        employees.iter().filter_map(|e| uncarriable(e).map(|why| (e.number.clone().unwrap_or_else(|| e.name.clone()), why))).collect();
    if !latin1(company) {
        refused.push(("the organisation's name".into(), "a character outside ISO-8859-1".into()));
    }
    if !refused.is_empty() {
        return Err(VismaError::Uncarriable(refused));
    }
    let xml = write(b, company, &employees).map_err(|e| VismaError::Xml(e.to_string()))?;
    // Every character was checked to be ISO-8859-1: one byte each.
    Ok(xml.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect())
}

fn write(b: &PayrollBasis, company: &str, employees: &[&BasisEmployee]) -> Result<String, quick_xml::Error> {
    let (from, to) = period_bounds(&b.run.period);
    let mut codes: Vec<&'static str> = employees.iter().flat_map(|e| rows_by_code(e).into_iter().map(|(c, _)| c)).collect();
    codes.push("FLX");
    codes.sort_unstable();
    codes.dedup();
    let mut w = Writer::new_with_indent(Cursor::new(Vec::new()), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("ISO-8859-1"), None)))?;
    let mut root = BytesStart::new("SalaryData");
    root.push_attribute(("ProgramName", "stampclock"));
    root.push_attribute(("ExportVersion", "1.0"));
    root.push_attribute(("Created", b.run.locked_at.format("%Y-%m-%d").to_string().as_str()));
    root.push_attribute(("CompanyName", company));
    w.write_event(Event::Start(root))?;
    w.write_event(Event::Start(BytesStart::new("TimeCodes")))?;
    for code in &codes {
        let (name, absence) = code_name(code);
        let mut tc = BytesStart::new("TimeCode");
        tc.push_attribute(("Code", *code));
        tc.push_attribute(("TimeCodeName", name));
        tc.push_attribute(("AbsenceType", if absence { "1" } else { "0" }));
        tc.push_attribute(("RegularWorkingTime", if *code == "ARB" { "true" } else { "false" }));
        w.write_event(Event::Empty(tc))?;
    }
    w.write_event(Event::End(BytesEnd::new("TimeCodes")))?;
    let mut sde = BytesStart::new("SalaryDataEmployee");
    sde.push_attribute(("FromDate", from.as_str()));
    sde.push_attribute(("ToDate", to.as_str()));
    w.write_event(Event::Start(sde))?;
    for e in employees {
        let (first, last) = split_name(&e.name);
        let mut emp = BytesStart::new("Employee");
        emp.push_attribute(("EmploymentNo", e.number.as_deref().unwrap_or_default().trim()));
        emp.push_attribute(("FirstName", first.as_str()));
        emp.push_attribute(("Name", last.as_str()));
        emp.push_attribute(("FromDate", from.as_str()));
        emp.push_attribute(("ToDate", to.as_str()));
        w.write_event(Event::Start(emp))?;
        // The schedule; without one, the one empty row the schema requires.
        w.write_event(Event::Start(BytesStart::new("NormalWorkingTimes")))?;
        let schedule: Vec<(String, String)> = if e.scheduled_days.is_empty() {
            vec![(String::new(), String::new())]
        } else {
            e.scheduled_days.iter().map(|d| (d.date.format("%Y-%m-%d").to_string(), hours(d.minutes))).collect()
        };
        for (date, h) in &schedule {
            let mut nwt = BytesStart::new("NormalWorkingTime");
            nwt.push_attribute(("DateOfReport", date.as_str()));
            nwt.push_attribute(("NormalWorkingTimeHours", h.as_str()));
            w.write_event(Event::Empty(nwt))?;
        }
        w.write_event(Event::End(BytesEnd::new("NormalWorkingTimes")))?;
        w.write_event(Event::Start(BytesStart::new("Times")))?;
        for (code, rows) in rows_by_code(e) {
            for (date, h) in rows {
                let mut t = BytesStart::new("Time");
                t.push_attribute(("DateOfReport", date.format("%Y-%m-%d").to_string().as_str()));
                t.push_attribute(("TimeCode", code));
                t.push_attribute(("SumOfHours", decimal(h, '.').as_str()));
                w.write_event(Event::Empty(t))?;
            }
        }
        w.write_event(Event::End(BytesEnd::new("Times")))?;
        w.write_event(Event::Empty(BytesStart::new("TimeAdjustments")))?;
        w.write_event(Event::Start(BytesStart::new("TimeBalances")))?;
        let mut tb = BytesStart::new("TimeBalance");
        tb.push_attribute(("TimeCode", "FLX"));
        tb.push_attribute(("PeriodRegHours", hours(e.flex_min).as_str()));
        tb.push_attribute(("AccRegHours", hours(e.flex_balance_min).as_str()));
        tb.push_attribute(("ConvAccRegHours", hours(e.flex_balance_min).as_str()));
        w.write_event(Event::Empty(tb))?;
        w.write_event(Event::End(BytesEnd::new("TimeBalances")))?;
        w.write_event(Event::Empty(BytesStart::new("RegOutlays")))?;
        w.write_event(Event::End(BytesEnd::new("Employee")))?;
    }
    w.write_event(Event::End(BytesEnd::new("SalaryDataEmployee")))?;
    w.write_event(Event::End(BytesEnd::new("SalaryData")))?;
    let mut text = String::from_utf8(w.into_inner().into_inner()).map_err(|e| quick_xml::Error::Io(std::sync::Arc::new(std::io::Error::other(e))))?;
    text.push('\n');
    Ok(text)
}

/// `YYYY-MM` → its first and last day, `YYYY-MM-DD`.
fn period_bounds(period: &str) -> (String, String) {
    match period.parse::<shared_model::PayPeriod>() {
        Ok(p) => {
            let (first, last) = crate::timesheet::period_days(p);
            (first.format("%Y-%m-%d").to_string(), last.format("%Y-%m-%d").to_string())
        }
        Err(_) => (period.to_owned(), period.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payroll::fixtures::{assert_schema_valid, sample};

    #[test]
    fn names_split_into_first_names_and_surname() {
        assert_eq!(split_name("Anna Maria Andersson"), ("Anna Maria".into(), "Andersson".into()));
        assert_eq!(split_name("Madonna"), ("Madonna".into(), "Madonna".into()));
        assert_eq!(split_name("  Åsa  Öberg "), ("Åsa".into(), "Öberg".into()));
    }

    /// The golden file, byte for byte in ISO-8859-1 (`UPDATE_GOLDEN=1` rewrites it), and
    /// against the Visma Lön schema with xmllint.
    #[test]
    fn the_export_matches_its_golden_file_which_passes_the_schema() {
        let tlu = basis_tlu(&sample(), "Smaka & Söner <AB>").expect("export");
        assert!(tlu.starts_with(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"));
        assert!(tlu.windows(2).any(|w| w == [0xC5, b's']), "Å of Åsa as one ISO-8859-1 byte");
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/payroll/golden/visma.tlu");
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, &tlu).expect("write golden");
        }
        assert_eq!(tlu, std::fs::read(&path).expect("golden file"));
        assert_schema_valid("visma-lon-tlu-1.0.xsd", &path);
    }

    #[test]
    fn text_the_format_cannot_carry_is_refused_by_employee() {
        let mut b = sample();
        b.employees[0].name = "Łukasz Nowak".into();
        b.employees[1].name = format!("Anna {}", "x".repeat(51));
        match basis_tlu(&b, "X") {
            Err(VismaError::Uncarriable(who)) => {
                assert_eq!(who.len(), 2, "{who:?}");
                assert_eq!(who[0], ("101".to_owned(), "a character outside ISO-8859-1".to_owned()));
                assert_eq!(who[1].1, "a name longer than 50 characters");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}
