#!/usr/bin/env python3
"""Independent totals of the `generic` fixtures (Tests/ParkImpactTests/Fixtures/generic), computed from the raw
bytes with Python's csv and zoneinfo, for GenericRealExportTests. Run from the repository root:
    python3 scripts/generic_fixture_totals.py
Sums are printed with repr() (shortest round-trip) and as exact decimals (fractions of the written numbers)."""
import csv
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

F = "Tests/ParkImpactTests/Fixtures/generic/"
BXL = ZoneInfo("Europe/Brussels")


def engie():
    rows = list(csv.reader(open(F + "engie_verbruik_type_2024-10.csv", newline="", encoding="utf-8")))
    header, rows = rows[0], rows[1:]
    total = defaultdict(Decimal)
    rows_of = defaultdict(int)
    count = defaultdict(int)
    day = defaultdict(Decimal)
    for when, _ean, value, kind, _peak in rows:
        total[kind] += Decimal(value)
        rows_of[kind] += 1
        local = datetime.fromisoformat(when).astimezone(BXL).date()
        day[(kind, local.isoformat())] += Decimal(value)
        count[(kind, local.isoformat())] += 1
    print("engie", header, dict(rows_of), {k: str(v) for k, v in total.items()})
    for key in [("Elektriciteit", "2024-10-27"), ("Teruglevering", "2024-10-27"), ("Elektriciteit", "2024-10-01")]:
        print("  day", key, str(day[key]), count[key], "rows")


def knmi():
    lines = open(F + "knmi_etmgeg_249_legend_and_2024.txt", encoding="ascii", newline="").read().split("\r\n")
    header_line = next(i for i, line in enumerate(lines) if line.startswith("# STN,"))
    header = [cell.strip().lstrip("#").strip() for cell in lines[header_line].split(",")]
    tg = header.index("TG")
    values = {}
    for line in lines[header_line + 1:]:
        if not line.strip():
            continue
        cells = line.split(",")
        values[cells[1].strip()] = Decimal(cells[tg].strip()) / 10
    print("knmi header line", header_line + 1, "days", len(values), "sum °C", str(sum(values.values())),
          "mean", str(sum(values.values()) / len(values)))
    for day in ["20240101", "20240331", "20241027", "20241231"]:
        print("  TG/10", day, str(values[day]))


def shelly():
    rows = list(csv.reader(open(F + "shelly_em3_utc_2025-03-29_to_31.csv", newline="", encoding="utf-8")))
    day = defaultdict(Decimal)
    utc_day = defaultdict(Decimal)
    count = defaultdict(int)
    total = Decimal(0)
    for when, active, _returned in rows[1:]:
        instant = datetime.strptime(when, "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc)
        day[instant.astimezone(BXL).date().isoformat()] += Decimal(active) / 1000
        count[instant.astimezone(BXL).date().isoformat()] += 1
        utc_day[instant.date().isoformat()] += Decimal(active) / 1000
        total += Decimal(active) / 1000
    print("shelly rows", len(rows) - 1, "total kWh", str(total))
    for d in sorted(day):
        print("  local day", d, str(day[d]), count[d], "rows | UTC day", str(utc_day.get(d)))


def dsmr(kwh_per_m3=Decimal("9.769")):
    rows = list(csv.reader(open(F + "dsmrreader_hour_gas_m3_2024-01.csv", newline="", encoding="utf-8")))
    gas = sum(Decimal(r[5]) for r in rows[1:])
    print("dsmr rows", len(rows) - 1, "gas m3", str(gas), "kWh at", kwh_per_m3, str(gas * kwh_per_m3))


def homewizard(kwh_per_m3=Decimal("9.769")):
    rows = list(csv.reader(open(F + "homewizard_p1_gas_m3_total_2025-03-15_to_17.csv", newline="", encoding="utf-8")))
    first, last = Decimal(rows[1][1]), Decimal(rows[-1][1])
    print("homewizard rows", len(rows) - 1, "register", str(first), "->", str(last), "use m3", str(last - first),
          "kWh", str((last - first) * kwh_per_m3))


def energiemanager():
    rows = list(csv.reader(open(F + "energiemanager_online_2016_daily.csv", newline="", encoding="ascii"),
                           delimiter=";"))
    days, total_row = rows[1:-1], rows[-1]
    number = lambda text: Decimal(text.replace(".", "").replace(",", "."))
    offtake = sum(number(r[2]) + number(r[3]) for r in days)
    injection = sum(-number(r[4]) - number(r[5]) for r in days)
    print("energiemanager days", len(days), "offtake", str(offtake), "injection (negated)", str(injection),
          "| last row", total_row[:2])


def liander(kwh_per_m3=Decimal("9.769")):
    rows = [r for r in csv.reader(open(F + "liander_csv_bijlage_electricity_and_gas_registers.csv", newline="",
                                       encoding="ascii")) if r and r[0].strip()][1:]
    electricity = [r for r in rows if r[1] == "E0045003866355817"]
    gas = [r for r in rows if r[1] == "G0039001721304017"]
    first, last = electricity[0], electricity[-1]
    use = Decimal(last[3]) - Decimal(first[3]) + Decimal(last[5]) - Decimal(first[5])
    gas_m3 = Decimal(gas[-1][3]) - Decimal(gas[0][3])
    print("liander rows", len(electricity), len(gas), "electricity kWh (reading1 + reading2)", str(use),
          "gas m3", str(gas_m3), "kWh", str(gas_m3 * kwh_per_m3))


engie()
liander()
energiemanager()
knmi()
shelly()
dsmr()
homewizard()
