//! B1 and B2: the work-time model (hours per weekday) and whether it is regular, which decides
//! whether remaining leave is shown in days or in hours.

use chrono::Weekday;
use num_rational::Ratio;

use super::duration::Minutes;

/// A named work-time model: hours for Monday…Sunday, a blank day meaning 0 h (B1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkTimeModel {
    name: String,
    hours: [Minutes; 7],
}

/// Why a work-time model or a leave conversion was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkModelError {
    /// The name is mandatory (B1).
    #[error("a work-time model needs a name")]
    MissingName,
    /// A day's hours below zero or above 24.
    #[error("hours of a day must lie between 0 and 24")]
    HoursOutOfRange,
    /// Days cannot be derived from hours when the model has no daily hours (B2, INTERP-28).
    #[error("the model has no daily hours to convert with")]
    NoDailyHours,
}

impl WorkTimeModel {
    /// B1: builds a model; the name is mandatory, blank days are 0 h.
    pub fn new(name: &str, hours: [Option<Minutes>; 7]) -> Result<WorkTimeModel, WorkModelError> {
        if name.trim().is_empty() {
            return Err(WorkModelError::MissingName);
        }
        let hours = hours.map(|h| h.unwrap_or(Minutes::ZERO));
        if hours.iter().any(|h| h.is_negative() || *h > Minutes::hours(24)) {
            return Err(WorkModelError::HoursOutOfRange);
        }
        Ok(WorkTimeModel { name: name.trim().to_string(), hours })
    }

    /// No model: 0 h every day (an employee who has none has no Soll).
    pub fn empty() -> WorkTimeModel {
        WorkTimeModel { name: String::new(), hours: [Minutes::ZERO; 7] }
    }

    /// The model's name as the user typed it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The model's hours for a weekday: the base of the day's target (B3).
    pub fn hours_on(&self, day: Weekday) -> Minutes {
        self.hours[day.num_days_from_monday() as usize]
    }

    /// B1: regular when all days that are not zero have the same hours (all-zero is regular, INTERP-27).
    pub fn is_regular(&self) -> bool {
        let mut positive = self.hours.iter().filter(|h| !h.is_zero());
        match positive.next() {
            None => true,
            Some(first) => positive.all(|h| h == first),
        }
    }

    /// The hours of each working day of a regular model; `None` if irregular or all zero.
    pub fn regular_daily_hours(&self) -> Option<Minutes> {
        if !self.is_regular() {
            return None;
        }
        self.hours.iter().copied().find(|h| !h.is_zero())
    }
}

/// B2: remaining leave as shown: days under a regular model, hours under an irregular one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemainingLeave {
    /// Exact (half days and fractions stay exact).
    Days(Ratio<i64>),
    Hours(Minutes),
}

/// B2 (INTERP-28): recomputes remaining leave when the model changes, keeping the exact value:
/// days × daily hours of the old regular model, then ÷ daily hours of the new one if regular.
pub fn remaining_leave_for_model(
    leave: RemainingLeave,
    old: &WorkTimeModel,
    new: &WorkTimeModel,
) -> Result<RemainingLeave, WorkModelError> {
    if let (RemainingLeave::Days(_), true) = (leave, new.is_regular() && new.regular_daily_hours() == old.regular_daily_hours()) {
        return Ok(leave);
    }
    let hours = match leave {
        RemainingLeave::Hours(h) => h,
        RemainingLeave::Days(d) => Minutes::from_ratio(old.regular_daily_hours().ok_or(WorkModelError::NoDailyHours)?.as_ratio() * d),
    };
    if !new.is_regular() {
        return Ok(RemainingLeave::Hours(hours));
    }
    let daily = new.regular_daily_hours().ok_or(WorkModelError::NoDailyHours)?;
    Ok(RemainingLeave::Days(hours.as_ratio() / daily.as_ratio()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(hours: [i64; 7]) -> WorkTimeModel {
        WorkTimeModel::new("Modell", hours.map(|h| Some(Minutes::hours(h)))).expect("valid model")
    }

    #[test]
    fn b1_regular_and_irregular_models() {
        let cases = [
            ([8, 8, 8, 8, 8, 0, 0], true),  // the seed's regular example
            ([8, 7, 4, 2, 0, 0, 0], false), // the seed's irregular example
            ([0, 0, 0, 0, 0, 0, 0], true),  // INTERP-27
            ([6, 0, 6, 0, 6, 0, 0], true),
            ([8, 8, 8, 8, 8, 4, 0], false),
        ];
        for (hours, regular) in cases {
            assert_eq!(model(hours).is_regular(), regular, "B1 {hours:?}");
        }
        assert_eq!(WorkTimeModel::new(" ", [None; 7]), Err(WorkModelError::MissingName), "B1 name is mandatory");
        let blank = WorkTimeModel::new("Teilzeit", [Some(Minutes::hours(4)), None, None, None, None, None, None]).expect("valid");
        assert_eq!(blank.hours_on(Weekday::Tue), Minutes::ZERO, "B1 a blank day is 0 h");
        assert_eq!(
            WorkTimeModel::new("x", [Some(Minutes::hours(25)), None, None, None, None, None, None]),
            Err(WorkModelError::HoursOutOfRange)
        );
    }

    #[test]
    fn b2_leave_unit_follows_the_model_and_is_recomputed_on_change() {
        let regular8 = model([8, 8, 8, 8, 8, 0, 0]);
        let regular4 = model([4, 4, 4, 4, 4, 0, 0]);
        let irregular = model([8, 7, 4, 2, 0, 0, 0]);
        let zero = model([0; 7]);
        let days = |n: i64, d: i64| RemainingLeave::Days(Ratio::new(n, d));
        let cases = [
            (days(10, 1), &regular8, &irregular, Ok(RemainingLeave::Hours(Minutes::hours(80)))),
            (RemainingLeave::Hours(Minutes::hours(80)), &irregular, &regular8, Ok(days(10, 1))),
            (days(10, 1), &regular8, &regular4, Ok(days(20, 1))),
            (days(21, 2), &regular8, &regular8, Ok(days(21, 2))),
            (RemainingLeave::Hours(Minutes::hours(20)), &irregular, &model([6, 6, 6, 6, 0, 0, 0]), Ok(days(10, 3))),
            (RemainingLeave::Hours(Minutes::hours(20)), &irregular, &zero, Err(WorkModelError::NoDailyHours)),
        ];
        for (leave, old, new, expected) in cases {
            assert_eq!(remaining_leave_for_model(leave, old, new), expected, "B2 {leave:?}");
        }
    }
}
