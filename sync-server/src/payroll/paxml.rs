//! The payroll basis as PAXml 2.0 (Sweden; issue 15, item 4, format `paxml`, profile `strict`):
//! `<paxml>` without a namespace, `<header>` with `<version>2.0</version>`, and one
//! `tidtransaktioner/tidtrans` per employee, time code and day with `anstid` (the employee
//! number), `tidkod`, one `datum` and `timmar` (decimal point, two decimals, always positive).
//! UTF-8, declared as such. Written with quick-xml, which escapes every text and attribute; the
//! output passes `xmllint --schema testdata/formats/paxml-2.0-official.xsd` (the tests check
//! every PAXml they produce). The time codes and the rounding are [`super::codes`]'s: the default
//! mapping covers every built-in time and absence type, a type without a code is refused (422
//! `unmapped_code`), never skipped, and an employee's rows of a code add up to their total.

use std::io::Cursor;

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use super::basis::PayrollBasis;
use super::codes::{decimal, rows_by_code, unmapped};

/// What an export can fail with.
#[derive(Debug, thiserror::Error)]
pub enum PaxmlError {
    /// Time or absence types without a PAXml code, each once.
    #[error("no PAXml time code for: {}", .0.join(", "))]
    Unmapped(Vec<String>),
    #[error("writing XML: {0}")]
    Xml(String),
}

/// One `tidtrans` to write.
struct Trans<'a> {
    anstid: &'a str,
    code: &'static str,
    date: chrono::NaiveDate,
    hundredths: i64,
}

/// The basis as PAXml bytes. `company` is the organisation's name for the header.
pub fn basis_paxml(b: &PayrollBasis, company: &str) -> Result<Vec<u8>, PaxmlError> {
    let employees: Vec<_> = b.employees.iter().filter(|e| e.exported()).collect();
    let unmapped = unmapped(&employees);
    if !unmapped.is_empty() {
        return Err(PaxmlError::Unmapped(unmapped));
    }
    let mut rows: Vec<Trans<'_>> = Vec::new();
    for e in &employees {
        let anstid = e.number.as_deref().unwrap_or_default().trim();
        for (code, days) in rows_by_code(e) {
            rows.extend(days.into_iter().map(|(date, hundredths)| Trans { anstid, code, date, hundredths }));
        }
    }
    write(b, company, &rows).map_err(|e| PaxmlError::Xml(e.to_string()))
}

fn write(b: &PayrollBasis, company: &str, rows: &[Trans<'_>]) -> Result<Vec<u8>, quick_xml::Error> {
    let mut w = Writer::new_with_indent(Cursor::new(Vec::new()), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.write_event(Event::Start(BytesStart::new("paxml")))?;
    w.write_event(Event::Start(BytesStart::new("header")))?;
    text(&mut w, "version", "2.0")?;
    // The run's instant, so the same run always exports the same bytes.
    text(&mut w, "datum", &b.run.locked_at.format("%Y-%m-%dT%H:%M:%SZ").to_string())?;
    text(&mut w, "foretagnamn", company)?;
    text(&mut w, "programnamn", "stampclock")?;
    text(&mut w, "info", &format!("Löneunderlag {} (körning {})", b.run.period, b.run.id))?;
    w.write_event(Event::End(BytesEnd::new("header")))?;
    if !rows.is_empty() {
        w.write_event(Event::Start(BytesStart::new("tidtransaktioner")))?;
        for r in rows {
            let mut start = BytesStart::new("tidtrans");
            start.push_attribute(("anstid", r.anstid));
            w.write_event(Event::Start(start))?;
            text(&mut w, "tidkod", r.code)?;
            text(&mut w, "datum", &r.date.format("%Y-%m-%d").to_string())?;
            text(&mut w, "timmar", &decimal(r.hundredths, '.'))?;
            w.write_event(Event::End(BytesEnd::new("tidtrans")))?;
        }
        w.write_event(Event::End(BytesEnd::new("tidtransaktioner")))?;
    }
    w.write_event(Event::End(BytesEnd::new("paxml")))?;
    let mut bytes = w.into_inner().into_inner();
    bytes.push(b'\n');
    Ok(bytes)
}

fn text(w: &mut Writer<Cursor<Vec<u8>>>, name: &str, value: &str) -> Result<(), quick_xml::Error> {
    w.write_event(Event::Start(BytesStart::new(name)))?;
    w.write_event(Event::Text(BytesText::new(value)))?;
    w.write_event(Event::End(BytesEnd::new(name)))?;
    Ok(())
}

/// The `tidtrans` rows of a PAXml document: (anstid, tidkod, datum, timmar in hundredths).
/// What a payroll system would read; the tests parse every export with it.
pub fn read_tidtrans(xml: &[u8]) -> Result<Vec<(String, String, String, i64)>, String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    reader.config_mut().trim_text(true);
    let mut out = Vec::new();
    let mut buf = Vec::new();
    let (mut anstid, mut field, mut values) = (String::new(), String::new(), std::collections::BTreeMap::<String, String>::new());
    loop {
        match reader.read_event_into(&mut buf).map_err(|e| e.to_string())? {
            Event::Start(e) if e.name().as_ref() == "tidtrans" => {
                values.clear();
                anstid = e
                    .try_get_attribute("anstid")
                    .map_err(|e| e.to_string())?
                    .map(|a| a.normalized_value(quick_xml::XmlVersion::default()).map(|v| v.into_owned()))
                    .transpose()
                    .map_err(|e| e.to_string())?
                    .unwrap_or_default();
            }
            Event::Start(e) => field = e.name().as_ref().to_owned(),
            Event::Text(t) => {
                // The fields read here (code, date, hours) hold no entity references.
                let v = t.into_inner().into_owned();
                values.insert(field.clone(), v);
            }
            Event::End(e) if e.name().as_ref() == "tidtrans" => {
                let timmar = values.get("timmar").cloned().unwrap_or_default();
                let (h, c) = timmar.split_once('.').ok_or_else(|| format!("timmar {timmar:?} has no decimal point"))?;
                let hundredths = h.parse::<i64>().map_err(|e| e.to_string())? * 100 + c.parse::<i64>().map_err(|e| e.to_string())?;
                out.push((anstid.clone(), values.get("tidkod").cloned().unwrap_or_default(), values.get("datum").cloned().unwrap_or_default(), hundredths));
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payroll::basis::BasisAbsence;
    use crate::payroll::fixtures::{assert_schema_valid, sample};

    /// The golden file, checked byte for byte (`UPDATE_GOLDEN=1` rewrites it after a deliberate
    /// change; review the diff) and against the PAXml 2.0 schema with xmllint.
    #[test]
    fn the_export_matches_its_golden_file_which_passes_the_schema() {
        let xml = String::from_utf8(basis_paxml(&sample(), "Smaka & Söner <AB>").expect("export")).expect("UTF-8");
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/payroll/golden/paxml-strict.xml");
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, &xml).expect("write golden");
        }
        let golden = std::fs::read_to_string(&path).expect("golden file");
        assert_eq!(xml, golden);
        assert_schema_valid("paxml-2.0-official.xsd", &path);
    }

    #[test]
    fn reading_it_back_gives_the_basis_totals_per_employee_and_code() {
        let b = sample();
        let rows = read_tidtrans(&basis_paxml(&b, "X").expect("export")).expect("parse");
        let sum = |anstid: &str, code: &str| rows.iter().filter(|r| r.0 == anstid && r.1 == code).map(|r| r.3).sum::<i64>();
        // 951 minutes = 15.85 h; 60 minutes = 1.00 h; vacation 480 + 240 = 12.00 h.
        assert_eq!(sum("101", "ARB"), 1585);
        assert_eq!(sum("101", "SJK"), 800);
        assert_eq!(sum("102", "ARB"), 100);
        assert_eq!(sum("102", "SEM"), 1200);
        assert!(rows.iter().all(|r| !r.0.is_empty()), "the employee without a number is left out");
        assert!(rows.iter().all(|r| r.3 > 0), "only positive values");
        assert!(!rows.iter().any(|r| r.2 == "2026-10-13"), "the 0-minute vacation day writes nothing");
    }

    #[test]
    fn an_absence_type_without_a_code_is_refused_by_name() {
        let mut b = sample();
        b.employees[0].absences.push(BasisAbsence { kind: "sabbatical".into(), dates: vec![], minutes: 0, days: vec![] });
        match basis_paxml(&b, "X") {
            Err(PaxmlError::Unmapped(kinds)) => assert_eq!(kinds, ["sabbatical"]),
            other => panic!("expected unmapped_code, got {other:?}"),
        }
    }

}
