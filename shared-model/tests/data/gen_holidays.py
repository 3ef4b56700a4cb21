#!/usr/bin/env python3
"""Writes the reference tables the holiday cross-check (tests/rules_holidays.rs) compares with.

Reference: the `holidays` package from PyPI (https://github.com/vacanza/holidays), default
PUBLIC category only. Run:  python3 -m venv /tmp/hv && /tmp/hv/bin/pip install holidays==0.109 &&
/tmp/hv/bin/python gen_holidays.py   (from this directory). The tables are committed; the Rust
test needs no Python.

Format, one line per (region, year):  REGION<TAB>YEAR<TAB>MMDD MMDD ...   (dates sorted; an empty
list when the package has no holidays for that year, e.g. Sweden before 1953, Germany before 1991).

How the package's Swedish calendar is reconciled with Lag (1989:253):
* all Sundays are allmänna helgdagar by law; the package leaves them out unless
  include_sundays=True. We compare the *named* holidays (Påskdagen and Pingstdagen included,
  which are Sundays) and leave ordinary Sundays out on both sides; the Rust
  `sweden::is_public_holiday` adds every Sunday.
* Midsommarafton, Julafton and Nyårsafton are in the package's DE_FACTO category (days
  "equated with Sundays" by the Annual Leave Act), not PUBLIC; the law does not make them
  holidays, so they are excluded (REQUIREMENTS INTERP-32).
* Marie bebådelsedag (1953–1989, always a Sunday) is in both.
"""
import holidays

YEARS = range(1900, 2101)
DE_LANDS = ["BB", "BE", "BW", "BY", "HB", "HE", "HH", "MV", "NI", "NW", "RP", "SH", "SL", "SN", "ST", "TH"]


def line(region, year, cal):
    days = sorted(d for d in cal if d.year == year)
    return f"{region}\t{year}\t{' '.join(d.strftime('%m%d') for d in days)}\n"


def main():
    with open("holidays_se.tsv", "w", encoding="utf-8") as f:
        for y in YEARS:
            f.write(line("SE", y, holidays.country_holidays("SE", years=y)))
    with open("holidays_dk.tsv", "w", encoding="utf-8") as f:
        for y in YEARS:
            f.write(line("DK", y, holidays.country_holidays("DK", years=y)))
    with open("holidays_de.tsv", "w", encoding="utf-8") as f:
        for region in ["DE"] + DE_LANDS:
            subdiv = None if region == "DE" else region
            for y in YEARS:
                f.write(line(region, y, holidays.country_holidays("DE", subdiv=subdiv, years=y)))


if __name__ == "__main__":
    main()
