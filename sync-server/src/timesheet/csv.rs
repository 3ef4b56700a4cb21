//! The month as CSV for Excel in sv/de/da/en: UTF-8 with a byte-order mark (so Excel reads the
//! å ä ö æ ø ü ß right), `;` as separator (the list separator of those locales, where `,` is
//! the decimal comma), CRLF line ends, one row per day and a totals row; times `HH:MM` in the
//! organisation's zone, durations `HH:MM` (G-FMT).

use chrono_tz::Tz;
use shared_model::rules::duration::Minutes;

use super::MonthView;
use crate::error::ApiError;

/// The languages of the product (`?lang=` of the CSV).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Sv,
    De,
    Da,
    #[default]
    En,
}

impl Lang {
    fn headers(self) -> [&'static str; 12] {
        match self {
            Lang::En => ["Date", "Weekday", "Source", "Start", "End", "Break", "Target", "Actual", "Flex", "Absence", "Public holiday", "Warnings"],
            Lang::Sv => ["Datum", "Veckodag", "Källa", "Start", "Slut", "Rast", "Schematid", "Arbetad tid", "Flex", "Frånvaro", "Helgdag", "Varningar"],
            Lang::De => ["Datum", "Wochentag", "Quelle", "Beginn", "Ende", "Pause", "Soll", "Ist", "Gleitzeit", "Abwesenheit", "Feiertag", "Hinweise"],
            Lang::Da => ["Dato", "Ugedag", "Kilde", "Start", "Slut", "Pause", "Normtid", "Arbejdstid", "Flex", "Fravær", "Helligdag", "Advarsler"],
        }
    }

    fn weekday(self, n: u32) -> &'static str {
        let names: [&str; 7] = match self {
            Lang::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
            Lang::Sv => ["mån", "tis", "ons", "tor", "fre", "lör", "sön"],
            Lang::De => ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"],
            Lang::Da => ["man", "tir", "ons", "tor", "fre", "lør", "søn"],
        };
        names[(n as usize) % 7]
    }

    fn source(self, s: &str) -> &'static str {
        match (self, s) {
            (Lang::En, "stamps") => "punch clock",
            (Lang::Sv, "stamps") => "stämpelklocka",
            (Lang::De, "stamps") => "Stempeluhr",
            (Lang::Da, "stamps") => "stempelur",
            (Lang::En, _) => "time sheet",
            (Lang::Sv, _) => "tidrapport",
            (Lang::De, _) => "Stundenzettel",
            (Lang::Da, _) => "timeseddel",
        }
    }

    pub(crate) fn absence(self, kind: &str) -> String {
        let t = match (self, kind) {
            (Lang::En, "vacation") => "vacation",
            (Lang::En, "half_vacation") => "half vacation day",
            (Lang::En, "flex_leave") => "flex leave",
            (Lang::En, "maternity") => "maternity protection",
            (Lang::En, "parental") => "parental leave",
            (Lang::En, "special_leave") => "special leave",
            (Lang::En, "half_special_leave") => "half-day special leave",
            (Lang::En, "vocational_school") => "vocational school",
            (Lang::En, "sick") => "sick",
            (Lang::Sv, "vacation") => "semester",
            (Lang::Sv, "half_vacation") => "halv semesterdag",
            (Lang::Sv, "flex_leave") => "flexledighet",
            (Lang::Sv, "maternity") => "graviditetsledighet",
            (Lang::Sv, "parental") => "föräldraledighet",
            (Lang::Sv, "special_leave") => "särskild ledighet",
            (Lang::Sv, "half_special_leave") => "särskild ledighet, halv dag",
            (Lang::Sv, "vocational_school") => "yrkesskola",
            (Lang::Sv, "sick") => "sjuk",
            (Lang::De, "vacation") => "Urlaub",
            (Lang::De, "half_vacation") => "halber Urlaubstag",
            (Lang::De, "flex_leave") => "Gleitzeit-Urlaub",
            (Lang::De, "maternity") => "Mutterschutz",
            (Lang::De, "parental") => "Elternzeit",
            (Lang::De, "special_leave") => "Sonderurlaub",
            (Lang::De, "half_special_leave") => "Sonderurlaub halbtags",
            (Lang::De, "vocational_school") => "Berufsschule",
            (Lang::De, "sick") => "Krankheitstag",
            (Lang::Da, "vacation") => "ferie",
            (Lang::Da, "half_vacation") => "halv feriedag",
            (Lang::Da, "flex_leave") => "flexfri",
            (Lang::Da, "maternity") => "graviditetsorlov",
            (Lang::Da, "parental") => "forældreorlov",
            (Lang::Da, "special_leave") => "særlig orlov",
            (Lang::Da, "half_special_leave") => "særlig orlov, halv dag",
            (Lang::Da, "vocational_school") => "erhvervsskole",
            (Lang::Da, "sick") => "syg",
            (_, other) => other,
        };
        t.to_owned()
    }

    fn total(self) -> &'static str {
        match self {
            Lang::En => "Total",
            Lang::Sv => "Summa",
            Lang::De => "Summe",
            Lang::Da => "I alt",
        }
    }
}

fn hhmm(min: i64) -> String {
    Minutes::whole(min).to_hhmm()
}

/// The month as CSV bytes.
pub fn month_csv(m: &MonthView, tz: Tz, lang: Lang) -> Result<Vec<u8>, ApiError> {
    use chrono::Datelike;
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::WriterBuilder::new().delimiter(b';').terminator(csv::Terminator::CRLF).from_writer(&mut out);
        let fail = |e: csv::Error| ApiError::Internal(format!("csv: {e}"));
        w.write_record(lang.headers()).map_err(fail)?;
        for d in &m.days {
            let local = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| t.with_timezone(&tz).format("%H:%M").to_string()).unwrap_or_default();
            let recorded = d.source.is_some();
            w.write_record([
                d.date.format("%Y-%m-%d").to_string(),
                lang.weekday(d.date.weekday().num_days_from_monday()).to_owned(),
                d.source.map(|s| lang.source(s).to_owned()).unwrap_or_default(),
                local(d.start),
                local(d.end),
                if recorded { hhmm(d.break_min) } else { String::new() },
                hhmm(d.target_min),
                hhmm(d.actual_min),
                hhmm(d.flex_min),
                d.absence.as_ref().map(|a| lang.absence(&a.kind)).unwrap_or_default(),
                d.holiday.unwrap_or_default().to_owned(),
                d.warnings.join(" "),
            ])
            .map_err(fail)?;
        }
        w.write_record([
            lang.total().to_owned(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            hhmm(m.totals.target_min),
            hhmm(m.totals.actual_min),
            hhmm(m.totals.flex_min),
            String::new(),
            String::new(),
            m.warnings.join(" "),
        ])
        .map_err(fail)?;
        w.flush().map_err(|e| ApiError::Internal(format!("csv: {e}")))?;
    }
    Ok(out)
}
