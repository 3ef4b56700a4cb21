//! Table-driven tests of H1–H4 and H6–H8 with the seed's examples.

use super::*;

fn q(s: &str) -> Quantity {
    parse_quantity(s).expect("test literal")
}

#[test]
fn g_dk_num_afrund_half_away_from_zero() {
    let cases = [("1.005", "1.01"), ("-1.005", "-1.01"), ("1.004", "1.00"), ("0.125", "0.13"), ("2.5", "2.50")];
    for (x, r) in cases {
        assert_eq!(afrund2(q(x)), q(r), "G-DK-NUM AFRUND({x};2)");
    }
    assert_eq!(afrund2(q("7.4") / 7), q("1.06"), "G-DK-NUM 7.4/7");
    assert_eq!(display_quantity(q("7.4")), "7,40");
    assert_eq!(display_quantity(q("-0.5")), "-0,50");
    for bad in ["", "-", "1,", ",5", "1.2.3", "a", "1e3", "1234567890"] {
        assert_eq!(parse_quantity(bad), None, "G-DK-NUM rejects {bad:?}");
    }
    assert_eq!(parse_quantity("7,40"), Some(q("7.4")), "G-DK-NUM Danish comma");
}

#[test]
fn h1_registration_formats() {
    use RegistrationFormat::*;
    let cases = [
        (Hours, "7.4", Ok(())),
        (Hours, "0.25", Ok(())),
        (WholeDays, "2", Ok(())),
        (WholeDays, "1.5", Err(PayCodeError::NotWholeDays)),
        (HalfAndWholeDays, "1.5", Ok(())),
        (HalfAndWholeDays, "1", Ok(())),
        (HalfAndWholeDays, "0.25", Err(PayCodeError::NotHalfDays)),
    ];
    for (format, quantity, expected) in cases {
        assert_eq!(check_registration(format, q(quantity)), expected, "H1 {format:?} {quantity}");
    }
    let accounts = [
        PayTimeAccount { name: "Flex".into(), format: BalanceFormat::Hours, active: true },
        PayTimeAccount { name: "Sygdom".into(), format: BalanceFormat::Days, active: true },
        PayTimeAccount { name: "Gammel".into(), format: BalanceFormat::Count, active: false },
    ];
    assert_eq!(visible_accounts(&accounts, false).len(), 2, "H1 active by default");
    assert_eq!(visible_accounts(&accounts, true).len(), 3, "H1 inactive on request");
}

#[test]
fn h2_account_factor_and_direction() {
    // (hours, factor, direction, delta) — the seed: factor 2, subtracted, half an hour → −1
    let cases = [
        ("0.5", "2", Direction::Subtract, "-1"),
        ("2", "1", Direction::Add, "2"),
        ("7.4", "1", Direction::Add, "7.4"),
        ("3", "0.5", Direction::Subtract, "-1.5"),
    ];
    for (h, f, dir, delta) in cases {
        assert_eq!(account_delta(q(h), q(f), dir), q(delta), "H2 {h} × {f} {dir:?}");
    }
}

#[test]
fn h3_flex_factor() {
    let cases = [("2", "1.5", "3"), ("1", "-0.5", "-0.5"), ("1", "1", "1"), ("7.4", "0", "0")];
    for (h, f, delta) in cases {
        assert_eq!(flex_delta(q(h), q(f)), q(delta), "H3 {h} × {f}");
    }
    // The overtime code: account factor 1, add, flex factor 1.5; 2 h → account +2.00, flex +3.00.
    assert_eq!(display_quantity(account_delta(q("2"), q("1"), Direction::Add)), "2,00", "H3 overtime account");
    assert_eq!(display_quantity(flex_delta(q("2"), q("1.5"))), "3,00", "H3 overtime flex");
}

#[test]
fn h4_time_off_in_lieu_leaves_no_difference() {
    // Afspadsering: Fri med løn, Timer, "Tid lægges til", account factor 1, flex factor 0; the full norm 7.40.
    let norm = q("7.4");
    let day = day_balance(&[(q("7.4"), RegistrationKind::Absence { flex_factor: q("0") })], norm);
    assert_eq!(display_quantity(day.difference), "0,00", "H4 day difference");
    assert_eq!(day.factor_flex, q("0"), "H4 flex from the factor");
    assert_eq!(display_quantity(account_delta(q("7.4"), q("1"), Direction::Add)), "7,40", "H4 Afspadsering +7.40 (INTERP-40)");
    // Work plus an overtime pay code: the code reaches flex only through its factor.
    let day = day_balance(&[(q("7.4"), RegistrationKind::Work), (q("2"), RegistrationKind::PayCode { flex_factor: q("1.5") })], norm);
    assert_eq!((day.difference, day.factor_flex), (q("0"), q("3")), "H4 model");
}

#[test]
fn h6_average_workday_divides_by_5_or_10() {
    assert_eq!(average_workday(q("32"), 1), Some(q("6.4")), "H6 four-day week: 6.40, not 8");
    assert_eq!(average_workday(q("37"), 1), Some(q("7.4")), "H6 one week");
    assert_eq!(average_workday(q("74"), 2), Some(q("7.4")), "H6 two weeks");
    assert_eq!(average_workday(q("74"), 3), None, "H6 only one or two weeks");
}

#[test]
fn h7_used_codes_keep_format_and_type() {
    let shape = CodeShape { format: RegistrationFormat::Hours, kind: CodeKind::Absence(AbsenceType::FriMedLon) };
    let new_format = CodeShape { format: RegistrationFormat::WholeDays, ..shape };
    let new_kind = CodeShape { kind: CodeKind::Absence(AbsenceType::Ferie), ..shape };
    assert_eq!(check_code_change(true, shape, new_format), Err(PayCodeError::CreateNewCode), "H7 format");
    assert_eq!(check_code_change(true, shape, new_kind), Err(PayCodeError::CreateNewCode), "H7 type");
    assert_eq!(check_code_change(false, shape, new_format), Ok(()), "H7 unused code may change");
    assert_eq!(check_code_change(true, shape, shape), Ok(()), "H7 nothing changed");
    let pay = CodeShape { format: RegistrationFormat::Hours, kind: CodeKind::Pay(SpecificationType::Tillaeg) };
    let pay2 = CodeShape { kind: CodeKind::Pay(SpecificationType::Udbetaling), ..pay };
    assert_eq!(check_code_change(true, pay, pay2).map_err(|e| e.code()), Err("create_new_code"), "H7 specification type");
    let lon = CodeShape { kind: CodeKind::Pay(SpecificationType::Lonspecifikation), ..pay };
    assert!(check_code_change(false, lon, pay).is_ok());
}

#[test]
fn h8_h8_export_mapping_for_every_integration_and_prerequisite() {
    let exported = ExportSetting { include: true, target_code: "0510".into() };
    let skipped = ExportSetting { include: false, target_code: "0510".into() };
    use PayrollIntegration::*;
    assert_eq!(export_target(true, Standard, &exported), Ok(Some("0510")), "H8 mapped");
    assert_eq!(export_target(true, Standard, &skipped), Ok(None), "H8 not exported");
    // H8-EXPORT: Zenegy and DataLøn have the same per-code flag and target code.
    for integration in [Zenegy, DataLon] {
        assert_eq!(export_target(true, integration, &exported), Ok(Some("0510")), "H8-EXPORT {integration:?} mapped");
        assert_eq!(export_target(true, integration, &skipped), Ok(None), "H8-EXPORT {integration:?} not exported");
    }
    assert_eq!(export_target(false, Standard, &exported), Err(PayCodeError::FeatureDisabled), "H8 feature off");
}

fn rule(code: &str, flex: &str, target: &str) -> CodeRule {
    CodeRule {
        code: code.into(),
        shape: CodeShape { format: RegistrationFormat::Hours, kind: CodeKind::Pay(SpecificationType::Tillaeg) },
        direction: Direction::Add,
        account_factor: q("1"),
        flex_factor: q(flex),
        export: ExportSetting { include: true, target_code: target.into() },
    }
}

#[test]
fn h8_codes_and_rules_carry_over_unchanged() {
    let afspadsering = CodeRule {
        shape: CodeShape { format: RegistrationFormat::HalfAndWholeDays, kind: CodeKind::Absence(AbsenceType::FriMedLon) },
        flex_factor: q("0"),
        ..rule("AFSP", "0", "0620")
    };
    let this_year = CodeSet { year: 2026, codes: vec![rule("OT50", "1.5", "0510"), afspadsering] };
    let next = carry_over(&this_year).expect("in range");
    assert_eq!(next.year, 2027, "H8 next year");
    assert_eq!(next.codes, this_year.codes, "H8 codes and rules carry over unchanged");
    let after = carry_over(&next).expect("in range");
    assert_eq!(after.codes, this_year.codes, "H8 unchanged over several years");
    assert_eq!(carry_over(&CodeSet { year: i32::MAX, codes: vec![] }), None, "H8 no year after the last");
}

#[test]
fn h8_pay_groups_give_the_codes_of_the_employees_groups() {
    let office = PayGroup { name: "Kontor".into(), codes: vec![rule("OT50", "1.5", "0510"), rule("KM", "0", "0700")] };
    let warehouse = PayGroup { name: "Lager".into(), codes: vec![rule("NAT", "1", "0530"), rule("KM", "0", "0700")] };
    let shifts = PayGroup { name: "Skift".into(), codes: vec![rule("OT50", "2", "0511")] };
    let codes_of = |e: &EffectiveCodes| e.codes.iter().map(|(r, g)| format!("{}@{g}", r.code)).collect::<Vec<_>>();
    // (case, groups in priority order, effective codes @ source group, conflicts)
    let cases: [(&str, Vec<PayGroup>, Vec<&str>, usize); 5] = [
        ("one group", vec![office.clone()], vec!["KM@Kontor", "OT50@Kontor"], 0),
        ("two agreements: union", vec![office.clone(), warehouse.clone()], vec!["KM@Kontor", "NAT@Lager", "OT50@Kontor"], 0),
        ("same code, primary first wins", vec![office.clone(), shifts.clone()], vec!["KM@Kontor", "OT50@Kontor"], 1),
        ("same code, other priority", vec![shifts.clone(), office.clone()], vec!["KM@Kontor", "OT50@Skift"], 1),
        ("no groups", vec![], vec![], 0),
    ];
    for (case, groups, expected, conflicts) in cases {
        let e = effective_codes(&groups);
        assert_eq!(codes_of(&e), expected, "H8 pay groups: {case}");
        assert_eq!(e.conflicts.len(), conflicts, "H8 pay groups conflicts: {case}");
        assert_eq!(effective_codes(&groups), e, "H8 deterministic: {case}");
    }
    let e = effective_codes(&[office.clone(), shifts]);
    assert_eq!(e.codes.iter().find(|(r, _)| r.code == "OT50").map(|(r, _)| r.flex_factor), Some(q("1.5")), "H8 the primary group's rule applies");
    assert_eq!(
        e.conflicts,
        vec![PayGroupWarning::CodeConflict { code: "OT50".into(), kept_from: "Kontor".into(), ignored_from: "Skift".into() }],
        "H8 conflict names both groups"
    );
    assert_eq!(e.conflicts[0].code(), "pay_group_code_conflict", "H8 stable code");
}
