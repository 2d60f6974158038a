#!/usr/bin/env python3
"""Independent totals of register exports (tests in RegisterOrderTests.swift): per register column, readings sorted
by local time (Europe/Brussels), consecutive differences spread over local days in proportion to UTC seconds, summed
per quantity. Usage: register_totals.py FILE DELIM TIMECOL COL=QUANTITY[*FACTOR] ..."""
import csv, sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo
from collections import defaultdict
zone = ZoneInfo("Europe/Brussels")
path, delim, timecol = sys.argv[1], sys.argv[2], sys.argv[3]
specs = {}
for arg in sys.argv[4:]:
    col, q = arg.split("=")
    q, _, f = q.partition("*")
    specs[col] = (q, float(f) if f else 1.0)
rows = list(csv.DictReader(open(path, newline="", encoding="utf-8"), delimiter=delim))
def parse(t):
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d", "%d-%m-%Y"):
        try: return datetime.strptime(t, fmt)
        except ValueError: pass
    raise ValueError(t)
days = defaultdict(lambda: defaultdict(float)); totals = defaultdict(float)
for col, (q, factor) in specs.items():
    readings = sorted((parse(r[timecol]).replace(tzinfo=zone).astimezone(timezone.utc), float(r[col]))
                      for r in rows if r[col].strip() != "")
    for (t0, v0), (t1, v1) in zip(readings, readings[1:]):
        delta = (v1 - v0) * factor
        assert delta >= 0, (col, t0, t1)
        totals[q] += delta
        start = t0
        while start < t1:
            local = start.astimezone(zone)
            nextday = datetime(local.year, local.month, local.day, tzinfo=zone) + timedelta(days=1)
            nextday = datetime(nextday.year, nextday.month, nextday.day, tzinfo=zone).astimezone(timezone.utc)
            end = min(t1, nextday)
            days[q][local.date().isoformat()] += delta * (end - start).total_seconds() / (t1 - t0).total_seconds()
            start = end
for q in sorted(totals):
    print(q, "total", repr(totals[q]), "days", len(days[q]))
    for d in sorted(days[q])[:2] + sorted(days[q])[-2:]:
        print("  ", d, repr(days[q][d]))
