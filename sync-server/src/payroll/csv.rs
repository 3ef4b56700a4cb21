//! The payroll basis as CSV (issue 15, item 4, format `csv`): one row per employee and pay
//! item, `;`-separated, UTF-8 with a byte-order mark, CRLF, hours with a decimal comma and two
//! decimals (what Excel in sv/de/da opens as is) beside the exact whole minutes. Employees
//! without an employee number or without any time or absence in the period are in the basis but
//! not in the export. A pure function of the stored basis; a field holding `;` or `"` is quoted
//! by the CSV writer, never split.

use super::basis::{BasisEmployee, PayrollBasis};
use crate::error::ApiError;
use crate::timesheet::csv::Lang;

fn headers(lang: Lang) -> [&'static str; 8] {
    match lang {
        Lang::En => ["Period", "Employee number", "Name", "Item code", "Item", "Hours", "Minutes", "Days"],
        Lang::Sv => ["Period", "Anställningsnummer", "Namn", "Löneartskod", "Löneart", "Timmar", "Minuter", "Dagar"],
        Lang::De => ["Zeitraum", "Personalnummer", "Name", "Lohnart-Code", "Lohnart", "Stunden", "Minuten", "Tage"],
        Lang::Da => ["Periode", "Medarbejdernummer", "Navn", "Lønartskode", "Lønart", "Timer", "Minutter", "Dage"],
    }
}

fn worked_label(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "worked time",
        Lang::Sv => "arbetad tid",
        Lang::De => "Arbeitszeit",
        Lang::Da => "arbejdstid",
    }
}

fn flex_label(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "flex movement",
        Lang::Sv => "flexförändring",
        Lang::De => "Gleitzeitsaldo-Änderung",
        Lang::Da => "flexændring",
    }
}

/// Minutes as hours with two decimals and a decimal comma, rounded half away from zero
/// (`450` → `7,50`, `-90` → `-1,50`, `1` → `0,02`).
pub fn hours(minutes: i64) -> String {
    super::codes::decimal(super::codes::round_hundredths(minutes), ',')
}

/// The pay items of one employee: (code, label, minutes, days).
pub fn items(e: &BasisEmployee, lang: Lang) -> Vec<(String, String, i64, Option<usize>)> {
    let mut out = vec![("worked".to_owned(), worked_label(lang).to_owned(), e.worked_min, None)];
    if e.flex_min != 0 {
        out.push(("flex".to_owned(), flex_label(lang).to_owned(), e.flex_min, None));
    }
    for a in &e.absences {
        // Days that count: not a public holiday or a day the model does not work (0 minutes).
        let days = a.days.iter().filter(|d| d.minutes > 0).count();
        out.push((a.kind.clone(), lang.absence(&a.kind), a.minutes, Some(days)));
    }
    out
}

/// The basis as CSV bytes.
pub fn basis_csv(b: &PayrollBasis, lang: Lang) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::WriterBuilder::new().delimiter(b';').terminator(csv::Terminator::CRLF).from_writer(&mut out);
        let fail = |e: csv::Error| ApiError::Internal(format!("csv: {e}"));
        w.write_record(headers(lang)).map_err(fail)?;
        for e in b.employees.iter().filter(|e| e.exported()) {
            for (code, label, minutes, days) in items(e, lang) {
                w.write_record([
                    b.run.period.clone(),
                    e.number.clone().unwrap_or_default(),
                    e.name.clone(),
                    code,
                    label,
                    hours(minutes),
                    minutes.to_string(),
                    days.map(|d| d.to_string()).unwrap_or_default(),
                ])
                .map_err(fail)?;
            }
        }
        w.flush().map_err(|e| ApiError::Internal(format!("csv: {e}")))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The golden file, byte for byte (`UPDATE_GOLDEN=1` rewrites it; review the diff).
    #[test]
    fn the_export_matches_its_golden_file() {
        let csv = basis_csv(&crate::payroll::fixtures::sample(), Lang::Sv).expect("export");
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/payroll/golden/basis-sv.csv");
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, &csv).expect("write golden");
        }
        assert_eq!(csv, std::fs::read(&path).expect("golden file"));
    }

    #[test]
    fn hours_have_two_decimals_a_comma_and_round_half_away_from_zero() {
        for (m, s) in [(450, "7,50"), (0, "0,00"), (1, "0,02"), (-90, "-1,50"), (2250, "37,50"), (59, "0,98"), (-1, "-0,02"), (20, "0,33"), (30, "0,50")] {
            assert_eq!(hours(m), s, "{m} minutes");
        }
    }
}
