//! H1–H4 and H6–H8: Danish pay-time accounts, pay codes and absence codes: how a registration
//! moves an account and the flex balance, the average workday, when a code must be replaced
//! rather than changed, what goes to the payroll export, the year-to-year carry-over of codes
//! and the codes an employee gets through their pay groups. Quantities are exact decimals.

use std::collections::BTreeMap;

use num_rational::Ratio;

use super::duration::round_half_away;

/// Hours or days as TimeLog writes them (7,40), kept exact.
pub type Quantity = Ratio<i64>;

/// G-DK-NUM: AFRUND(x;2), to two decimals with halves away from zero (INTERP-38).
pub fn afrund2(x: Quantity) -> Quantity {
    Ratio::new(round_half_away(x * 100), 100)
}

/// Reads a Danish or English decimal (`7,40`, `-0.5`, `2`) exactly; `None` for anything else.
pub fn parse_quantity(text: &str) -> Option<Quantity> {
    let t = text.trim();
    let (negative, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let (int, frac) = match body.split_once([',', '.']) {
        Some((_, "")) => return None,
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits(int) || !digits(frac) || int.len() > 9 || frac.len() > 6 {
        return None;
    }
    let scale = 10_i64.pow(u32::try_from(frac.len()).ok()?);
    let whole: i64 = int.parse().ok()?;
    let part: i64 = if frac.is_empty() { 0 } else { frac.parse().ok()? };
    let value = Ratio::new(whole * scale + part, scale);
    Some(if negative { -value } else { value })
}

/// Shows a quantity with two decimals and a Danish comma (`7,40`), rounded by AFRUND.
pub fn display_quantity(q: Quantity) -> String {
    let hundredths = round_half_away(q * 100);
    let sign = if hundredths < 0 { "-" } else { "" };
    let abs = hundredths.unsigned_abs();
    format!("{sign}{},{:02}", abs / 100, abs % 100)
}

/// H1: what an account's balance counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BalanceFormat {
    Hours,
    Days,
    Count,
}

/// H1: how a code is registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationFormat {
    Hours,
    WholeDays,
    HalfAndWholeDays,
}

/// H1: a pay code's specification type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecificationType {
    Lonspecifikation,
    Tillaeg,
    Udbetaling,
}

/// H1: an absence code's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbsenceType {
    Sygdom,
    Ferie,
    FriUdenLon,
    FriMedLon,
}

/// Why a registration or a code change was refused; the UI translates the variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PayCodeError {
    /// Whole-day codes take whole days only (H1).
    #[error("whole days only")]
    NotWholeDays,
    /// Half-and-whole-day codes take multiples of half a day (H1).
    #[error("half or whole days only")]
    NotHalfDays,
    /// Format or type of a used code cannot change; create a new code (H7).
    #[error("create a new code instead of changing format or type")]
    CreateNewCode,
    /// Pay-time accounts must be switched on in system administration first (H8).
    #[error("pay-time accounts are not enabled")]
    FeatureDisabled,
}

impl PayCodeError {
    /// Stable snake_case code a UI can translate.
    pub fn code(&self) -> &'static str {
        match self {
            PayCodeError::NotWholeDays => "not_whole_days",
            PayCodeError::NotHalfDays => "not_half_days",
            PayCodeError::CreateNewCode => "create_new_code",
            PayCodeError::FeatureDisabled => "pay_time_accounts_disabled",
        }
    }
}

/// H1: a registered quantity must fit the code's format.
pub fn check_registration(format: RegistrationFormat, quantity: Quantity) -> Result<(), PayCodeError> {
    match format {
        RegistrationFormat::Hours => Ok(()),
        RegistrationFormat::WholeDays if quantity.is_integer() => Ok(()),
        RegistrationFormat::WholeDays => Err(PayCodeError::NotWholeDays),
        RegistrationFormat::HalfAndWholeDays if (quantity * 2).is_integer() => Ok(()),
        RegistrationFormat::HalfAndWholeDays => Err(PayCodeError::NotHalfDays),
    }
}

/// H1: a pay-time account as listed in administration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayTimeAccount {
    pub name: String,
    pub format: BalanceFormat,
    pub active: bool,
}

/// H1: the account list shows active accounts unless inactive ones are asked for.
pub fn visible_accounts(accounts: &[PayTimeAccount], include_inactive: bool) -> Vec<&PayTimeAccount> {
    accounts.iter().filter(|a| include_inactive || a.active).collect()
}

/// H2: whether a code adds to or subtracts from its account ("Tid lægges til" / "trækkes fra").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Add,
    Subtract,
}

/// H2: the change on the code's account: sign × hours × account factor.
pub fn account_delta(hours: Quantity, account_factor: Quantity, direction: Direction) -> Quantity {
    let sign = if direction == Direction::Add { 1 } else { -1 };
    hours * account_factor * sign
}

/// H3: the change on the flex account: hours × flex factor, whatever the account factor and sign.
pub fn flex_delta(hours: Quantity, flex_factor: Quantity) -> Quantity {
    hours * flex_factor
}

/// What a registration is, for the day's difference (H4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationKind {
    /// Ordinary work time.
    Work,
    /// An absence code: counts 1:1 as time of the day, plus its flex factor.
    Absence { flex_factor: Quantity },
    /// A pay code: only its flex factor reaches flex.
    PayCode { flex_factor: Quantity },
}

/// H4: a day's difference (work and absence − norm) and the flex the codes' factors add.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayBalance {
    pub difference: Quantity,
    pub factor_flex: Quantity,
}

/// H4: work and absence registrations count 1:1 toward the day's difference; every code adds
/// hours × flex factor to flex (the combination is our model; the seed does not spell it out).
pub fn day_balance(registrations: &[(Quantity, RegistrationKind)], norm: Quantity) -> DayBalance {
    let mut counted = Ratio::from_integer(0);
    let mut factor_flex = Ratio::from_integer(0);
    for &(hours, kind) in registrations {
        match kind {
            RegistrationKind::Work => counted += hours,
            RegistrationKind::Absence { flex_factor } => {
                counted += hours;
                factor_flex += flex_delta(hours, flex_factor);
            }
            RegistrationKind::PayCode { flex_factor } => factor_flex += flex_delta(hours, flex_factor),
        }
    }
    DayBalance { difference: counted - norm, factor_flex }
}

/// H6: the average workday: a week's norm / 5, two weeks' / 10, whatever the days worked;
/// `None` for other norm periods.
pub fn average_workday(total_norm: Quantity, weeks: u8) -> Option<Quantity> {
    match weeks {
        1 => Some(total_norm / 5),
        2 => Some(total_norm / 10),
        _ => None,
    }
}

/// H7: what identifies how a code registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeShape {
    pub format: RegistrationFormat,
    /// The specification type of a pay code, or the type of an absence code.
    pub kind: CodeKind,
}

/// H1/H7: a code is a pay code or an absence code, each with its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    Pay(SpecificationType),
    Absence(AbsenceType),
}

/// H7 (INTERP): a code with registrations keeps its format and type; change means a new code.
pub fn check_code_change(has_registrations: bool, old: CodeShape, new: CodeShape) -> Result<(), PayCodeError> {
    if has_registrations && old != new { Err(PayCodeError::CreateNewCode) } else { Ok(()) }
}

/// H8: the payroll integration in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayrollIntegration {
    /// One of the standard integrations.
    Standard,
    Zenegy,
    DataLon,
}

/// H8: a code's export settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSetting {
    pub include: bool,
    pub target_code: String,
}

/// H8 with the product decision H8-EXPORT: the pay-system code a registration goes to, `None`
/// when the code is not exported; refused only while the feature is off. Every integration has
/// the per-code flag and target code, DataLøn and Zenegy included: H8's exception for those two
/// describes a limit of the seed's own product and is deliberately not reproduced.
pub fn export_target(feature_enabled: bool, _integration: PayrollIntegration, setting: &ExportSetting) -> Result<Option<&str>, PayCodeError> {
    if !feature_enabled {
        return Err(PayCodeError::FeatureDisabled);
    }
    // The same mapping for every integration (H8-EXPORT).
    Ok(setting.include.then_some(setting.target_code.as_str()))
}

/// H8: a pay or absence code with the rules attached to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRule {
    /// The code's key, unique within a code set.
    pub code: String,
    /// Registration format and pay/absence type (H1, H7).
    pub shape: CodeShape,
    /// Adds to or subtracts from the account (H2).
    pub direction: Direction,
    /// Account factor (H2).
    pub account_factor: Quantity,
    /// Flex factor (H3).
    pub flex_factor: Quantity,
    /// Payroll export flag and target code (H8).
    pub export: ExportSetting,
}

/// H8: the codes and rules in force for one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeSet {
    /// The calendar year the set is in force.
    pub year: i32,
    /// The codes with their rules.
    pub codes: Vec<CodeRule>,
}

/// H8: next year's code set: the same codes and rules, unchanged; `None` past the last year.
pub fn carry_over(set: &CodeSet) -> Option<CodeSet> {
    Some(CodeSet { year: set.year.checked_add(1)?, codes: set.codes.clone() })
}

/// H8: a pay group (*løngruppe*): the codes an agreement gives its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayGroup {
    /// The group's name as administration shows it.
    pub name: String,
    /// The codes of the group.
    pub codes: Vec<CodeRule>,
}

/// H8: a hint from resolving an employee's pay groups; `code()` is the stable key a UI translates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayGroupWarning {
    /// The same code is defined differently in two groups; `kept_from`'s definition applies.
    CodeConflict { code: String, kept_from: String, ignored_from: String },
}

impl PayGroupWarning {
    /// Stable snake_case code a UI can translate.
    pub fn code(&self) -> &'static str {
        match self {
            PayGroupWarning::CodeConflict { .. } => "pay_group_code_conflict",
        }
    }
}

/// H8: the codes an employee gets from their pay groups, each with the group it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectiveCodes {
    /// One rule per code, ordered by code, with the name of the group that supplied it.
    pub codes: Vec<(CodeRule, String)>,
    /// Codes defined differently in more than one group.
    pub conflicts: Vec<PayGroupWarning>,
}

/// H8: resolves an employee's pay groups, given in the employee's priority order (primary
/// agreement first), to effective codes: the union of the groups' codes. The same code in
/// two groups: the first group's definition wins; an identical definition is no conflict, a
/// different one is reported as `pay_group_code_conflict`. The result is ordered by code.
pub fn effective_codes(groups: &[PayGroup]) -> EffectiveCodes {
    let mut chosen: BTreeMap<&str, (&CodeRule, &str)> = BTreeMap::new();
    let mut conflicts = Vec::new();
    for group in groups {
        for rule in &group.codes {
            match chosen.get(rule.code.as_str()) {
                None => {
                    chosen.insert(rule.code.as_str(), (rule, group.name.as_str()));
                }
                Some((kept, _)) if *kept == rule => {}
                Some((_, kept_from)) => conflicts.push(PayGroupWarning::CodeConflict {
                    code: rule.code.clone(),
                    kept_from: (*kept_from).to_owned(),
                    ignored_from: group.name.clone(),
                }),
            }
        }
    }
    let codes = chosen.into_values().map(|(rule, from)| (rule.clone(), from.to_owned())).collect();
    EffectiveCodes { codes, conflicts }
}

#[cfg(test)]
mod tests;
