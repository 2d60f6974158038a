#!/usr/bin/env python3
"""A `parkimpact-long` export of ROWS rows (8 meters x ROWS/8 quarter-hours from 2023-01-01 00:00 UTC, values from a
fixed formula) pasted twice, header included: deterministic, no randomness beyond a seeded shuffle.

Usage: make-pasted-export.py PATH ROWS [VARIANT]
  exact  (default) the second copy is the first again: ROWS repeats, all duplicate_interval.
  mixed  the second copy shuffled (seed 18), every 3rd row's value changed (conflicting_interval) and every 7th row
         given as missing in both copies (a missing repeat of a missing reading is a duplicate).
Prints the expected counts: accepted, duplicate_interval, conflicting_interval (a trivial model: the first row of
each meter and interval counts, a later one is a duplicate when its value and quality are the same).
"""
import datetime
import random
import sys

path, rows = sys.argv[1], int(sys.argv[2])
variant = sys.argv[3] if len(sys.argv) > 3 else "exact"
header = "timestamp,site,series,quantity,value,unit,quality\n"


def row(i, changed=False):
    ts = datetime.datetime(2023, 1, 1) + datetime.timedelta(minutes=15 * (i // 8))
    if variant == "mixed" and i % 7 == 0:
        value, quality = "", "missing"
    else:
        value, quality = f"{((i * 37) % 1000 + (500 if changed else 0)) / 100:.2f}", "measured"
    return f"{ts:%Y-%m-%dT%H:%M:%S}+00:00,s,m{i % 8},electricity_offtake,{value},kWh,{quality}\n"


first = [row(i) for i in range(rows)]
order = list(range(rows))
if variant == "mixed":
    random.Random(18).shuffle(order)
second = [row(i, changed=(variant == "mixed" and i % 3 == 0)) for i in order]
with open(path, "w", newline="") as f:
    f.write(header + "".join(first) + header + "".join(second))
duplicates = sum(1 for i in range(rows) if first[i] == row(i, changed=(variant == "mixed" and i % 3 == 0)))
print(f"accepted {rows} duplicate_interval {duplicates} conflicting_interval {rows - duplicates}")
