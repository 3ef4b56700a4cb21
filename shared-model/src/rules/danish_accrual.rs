//! H5: automatic accrual (*Automatisk optjening*) of Danish pay-time accounts: a full period
//! earns its amount, a period started or ended part-way earns by the seed's AFRUND formulas,
//! never more than a full period, released on the first day of the next period.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use num_rational::Ratio;

use super::danish_pay::{afrund2, Quantity};

/// H5: how often an account accrues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccrualFrequency {
    /// Monday–Sunday weeks.
    Weekly,
    Monthly,
    /// Calendar quarters.
    Quarterly,
    /// Twelve months from the chosen first month (1–12).
    Yearly { first_month: u32 },
}

fn month_start(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, 1)
}

/// First day of the month `months` after the month of `d`.
fn add_months(d: NaiveDate, months: u32) -> Option<NaiveDate> {
    let index = d.year() * 12 + d.month0() as i32 + months as i32;
    month_start(index.div_euclid(12), index.rem_euclid(12) as u32 + 1)
}

/// H5: the accrual period containing `date` (first and last day); `None` for a bad first month.
pub fn period_of(freq: AccrualFrequency, date: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let (start, months) = match freq {
        AccrualFrequency::Weekly => {
            let start = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
            return Some((start, start + Duration::days(6)));
        }
        AccrualFrequency::Monthly => (month_start(date.year(), date.month())?, 1),
        AccrualFrequency::Quarterly => (month_start(date.year(), date.month0() / 3 * 3 + 1)?, 3),
        AccrualFrequency::Yearly { first_month } => {
            if !(1..=12).contains(&first_month) {
                return None;
            }
            let year = if date.month() >= first_month { date.year() } else { date.year() - 1 };
            (month_start(year, first_month)?, 12)
        }
    };
    Some((start, add_months(start, months)?.pred_opt()?))
}

/// H5: the period's accrual is released (credited) on the first day of the next period.
pub fn release_date(freq: AccrualFrequency, date: NaiveDate) -> Option<NaiveDate> {
    period_of(freq, date)?.1.succ_opt()
}

/// H5: the formula for a partial period with `d` days employed (and, yearly, `m` further full
/// months), AFRUND to two decimals and capped at the full amount. Yearly uses `O/360` per day
/// (product decision INTERP-35; the seed's literal `O/30` always hits the cap).
pub fn partial_accrual(freq: AccrualFrequency, amount: Quantity, d: i64, m: i64) -> Quantity {
    let per_day = |divisor: i64| afrund2(amount / divisor);
    let a = match freq {
        AccrualFrequency::Weekly => per_day(7) * d,
        AccrualFrequency::Monthly => per_day(30) * d,
        AccrualFrequency::Quarterly => per_day(90) * d,
        AccrualFrequency::Yearly { .. } => per_day(360) * d + afrund2(amount / 12) * m,
    };
    afrund2(a).min(amount)
}

/// H5: what the period containing `date` earns for an employment from `employed_from` to
/// `employed_to` (inclusive): the full amount for a full period (INTERP-37), the formula for a
/// partial one with calendar days inclusive (INTERP-36), nothing outside the employment.
pub fn accrual(
    freq: AccrualFrequency,
    amount: Quantity,
    date: NaiveDate,
    employed_from: NaiveDate,
    employed_to: Option<NaiveDate>,
) -> Option<Quantity> {
    let (start, end) = period_of(freq, date)?;
    let from = start.max(employed_from);
    let to = employed_to.map_or(end, |t| t.min(end));
    if from > to {
        return Some(Ratio::from_integer(0));
    }
    if from == start && to == end {
        return Some(amount);
    }
    let days_between = |a: NaiveDate, b: NaiveDate| (b - a).num_days() + 1;
    let (d, m) = match freq {
        AccrualFrequency::Yearly { .. } => {
            // Whole calendar months count in m, the days of cut months in d.
            let (mut d, mut m) = (0, 0);
            let mut month = month_start(from.year(), from.month())?;
            while month <= to {
                let month_end = add_months(month, 1)?.pred_opt()?;
                let (a, b) = (month.max(from), month_end.min(to));
                if a == month && b == month_end {
                    m += 1;
                } else {
                    d += days_between(a, b);
                }
                month = add_months(month, 1)?;
            }
            (d, m)
        }
        _ => (days_between(from, to), 0),
    };
    Some(partial_accrual(freq, amount, d, m))
}

/// Weeks run Monday to Sunday (H5 [INTERP]).
pub const WEEK_START: Weekday = Weekday::Mon;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::danish_pay::parse_quantity;

    fn q(s: &str) -> Quantity {
        parse_quantity(s).expect("test literal")
    }
    fn d(s: &str) -> NaiveDate {
        s.parse().expect("test literal")
    }

    #[test]
    fn h5_worked_values_of_the_requirements() {
        // (frequency, O, d, m, expected)
        let yearly = AccrualFrequency::Yearly { first_month: 1 };
        let cases = [
            (AccrualFrequency::Weekly, "7.4", 3, 0, "3.18"),    // 1.06 × 3
            (AccrualFrequency::Monthly, "2.08", 15, 0, "1.05"), // 0.07 × 15
            (AccrualFrequency::Monthly, "2.9", 30, 0, "2.90"),  // 0.10 × 30 = 3.00 → cap
            (AccrualFrequency::Quarterly, "4.5", 91, 0, "4.50"), // 0.05 × 91 = 4.55 → cap
            (yearly, "25", 16, 9, "19.84"),                      // INTERP-35: 0.07 × 16 + 2.08 × 9
        ];
        for (freq, o, days, months, expected) in cases {
            assert_eq!(partial_accrual(freq, q(o), days, months), q(expected), "H5 {freq:?} O={o} d={days} m={months}");
        }
    }

    #[test]
    fn h5_periods_full_and_partial() {
        let yearly = AccrualFrequency::Yearly { first_month: 1 };
        // (frequency, O, date in period, employed from, employed to, expected)
        let cases = [
            (AccrualFrequency::Monthly, "2.08", "2026-02-10", "2020-01-01", None, "2.08"), // full Feb: O, not 28 × 0.07 (INTERP-37)
            (AccrualFrequency::Monthly, "2.08", "2026-06-10", "2026-06-16", None, "1.05"), // 16–30 June: 15 days
            (AccrualFrequency::Monthly, "2.08", "2026-06-10", "2020-01-01", Some("2026-06-15"), "1.05"), // stop date
            (AccrualFrequency::Weekly, "7.4", "2026-06-03", "2026-06-05", None, "3.18"),   // Fri–Sun: 3 days
            (yearly, "25", "2026-07-01", "2026-03-16", None, "19.84"),                    // the yearly example
            (yearly, "25", "2026-07-01", "2026-04-01", None, "18.72"),                    // starts on the 1st: 9 full months
            (AccrualFrequency::Monthly, "2.08", "2026-06-10", "2026-07-01", None, "0"),    // not yet employed
        ];
        for (freq, o, date, from, to, expected) in cases {
            let got = accrual(freq, q(o), d(date), d(from), to.map(d));
            assert_eq!(got, Some(q(expected)), "H5 {freq:?} {date} from {from} to {to:?}");
        }
    }

    #[test]
    fn h5_release_on_the_first_day_of_the_next_period() {
        let cases = [
            (AccrualFrequency::Weekly, "2026-06-03", "2026-06-08"),
            (AccrualFrequency::Monthly, "2026-02-10", "2026-03-01"),
            (AccrualFrequency::Quarterly, "2026-05-10", "2026-07-01"),
            (AccrualFrequency::Yearly { first_month: 4 }, "2026-02-10", "2026-04-01"),
            (AccrualFrequency::Yearly { first_month: 4 }, "2026-04-10", "2027-04-01"),
        ];
        for (freq, date, release) in cases {
            assert_eq!(release_date(freq, d(date)), Some(d(release)), "H5 release {freq:?} {date}");
        }
        assert_eq!(period_of(AccrualFrequency::Yearly { first_month: 13 }, d("2026-01-01")), None, "H5 bad first month");
        assert_eq!(WEEK_START, Weekday::Mon, "H5 weeks Mon–Sun");
    }
}
