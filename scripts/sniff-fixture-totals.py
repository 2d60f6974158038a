#!/usr/bin/env python3
"""Independent totals of the sniff fixtures, from their raw bytes (Python standard library only): what a proposal
pasted unedited must read (Tests/ParkImpactTests/SniffFixtureTests.swift)."""
import csv, io, os
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

D = os.path.join(os.path.dirname(__file__), "..", "Tests", "ParkImpactTests", "Fixtures", "sniff")
def rows(name, delimiter=","):
    text = open(os.path.join(D, name), "rb").read().decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
def num(text): return Decimal(text.strip().replace(",", "."))

r = rows("homewizard_p1_15min.csv")[1:]
first, last = r[0], r[-1]
print("homewizard offtake", sum(num(last[i]) - num(first[i]) for i in (1, 2)),
      "injection", sum(num(last[i]) - num(first[i]) for i in (3, 4)))

r = rows("supplier_opnamedatum_newest_first.csv", ";")[1:]
r.sort(key=lambda x: datetime.strptime(x[0], "%d-%m-%Y"))
print("supplier offtake", sum(num(r[-1][i]) - num(r[0][i]) for i in (1, 2)),
      "injection", sum(num(r[-1][i]) - num(r[0][i]) for i in (3, 4)))

r = rows("verbruik_type_long.csv")[1:]
print("type offtake", sum(num(x[2]) for x in r if x[3] == "Elektriciteit"),
      "injection", sum(num(x[2]) for x in r if x[3] == "Teruglevering"))

r = rows("utc_hourly.csv")[1:]
days = {}
for x in r:
    utc = datetime.strptime(x[0], "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
    day = utc.astimezone(ZoneInfo("Europe/Brussels")).date().isoformat()
    days[day] = days.get(day, 0) + num(x[1])
print("utc total", sum(num(x[1]) for x in r), "local days", days)

r = rows("month_first_hourly.csv")[1:]
days = {}
for x in r:
    day = datetime.strptime(x[0], "%m/%d/%Y %H:%M").date().isoformat()
    days[day] = days.get(day, 0) + num(x[1])
print("month-first total", sum(num(x[1]) for x in r), "2024-09-13", days["2024-09-13"])

r = [x for x in rows("knmi_etmgeg_260.txt") if len(x) == 41 and not x[0].startswith("#")]
print("knmi TG sum", sum(Decimal(int(x[11])) for x in r) / 10, "days", len(r))

r = rows("gas_m3_register.csv", ";")[1:]
print("gas m3", num(r[-1][1]) - num(r[0][1]))

r = rows("strom_zaehlerstand.csv", ";")[3:]
print("strom kWh", num(r[-1][2]) - num(r[0][2]))
