#!/usr/bin/env python3
"""Generate the input layouts of `make bench-matrix` (scripts/bench/matrix.py): the same kind of quarter-hour data
laid out the ways meter exports come, each as its own pilot in its own folder.

    python3 scripts/bench/layouts.py LAYOUT --out .build-bench/matrix/LAYOUT [--meters 2400] [--days 16]
                                     [--small-files 10000] [--gib 4]

Python 3 standard library only, deterministic (no clock, no random state, no tz database): the same parameters
write byte-identical files; when `<out>/params.json` holds the same parameters the data are reused. Every file but
`fluvius-by-time`'s and the `generic-` layouts' is `parkimpact-long` (`timestamp,site,series,quantity,value,unit,quality`
and, in `daily-values`, `end`; instants with their offset).

Layouts
-------
by-meter        one export, all rows of a meter, then the next meter (`--meters` meters, one quantity each)
by-time         the same rows time by time: every meter at 00:00, then at 00:15, ...
shared-id       by time, a meter's offtake and injection rows sharing its series id (`--meters` / 2 meters, two
                rows each per quarter-hour: the same number of rows)
split-midday    the shared-id rows in 4 files, each ending at noon of a day (the next begins at 12:00)
small-equal     `--small-files` files of one meter-day each (96 quarter-hours, no clock change), values written
                fixed-width and every reading measured: all files have the same size, as a fixed-width logger
                writes them
small-varying   the same meter-days with values written as short as they go (`0.5`, `1.25`) and some readings
                estimated or missing: sizes vary
one-mid         the by-time rows of 3 days in one file (57 MB, under two of the chunks a large file is read in)
three-files     the by-time rows of 6 days in 3 files of 2 days each (38 MB each): fewer files than two workers can
                share evenly
huge            shared-id by time, one file of about `--gib` GiB (not part of the default matrix)
quoted-newest   the by-time rows newest first (the last day's last quarter-hour first), every field quoted, as
                portals that quote every cell and list the newest readings first write them
many-meters     by time, 16,000 meters over 3 days: a day (125 MB) is longer than the chunks a large file is read in
shuffled        the by-time rows in no order (row k is row k x 7,919 mod n of by-time: an export sorted by its
                value column): every chunk shares every day with the others
generic-by-time a `format: generic` export time by time (`Datum;Tijd;Meter;Verbruik (kWh)`: `;`, day-first dates whose
                layout is detected from the first row, local times without an offset, decimal commas, missing values
                blank) of `--meters` meters over `--days` days, as a logger portal writes it
generic-1252    the generic-by-time export as Excel saves a CSV: Windows-1252, the meters named `Mé00001`, ...
generic-wide    a `format: generic` export with one column per meter (`Tijdstip;Meter 00 (kWh);…;Meter 47 (kWh)`):
                48 meters every 5 minutes in local time (the autumn hour twice, the spring hour absent), one file per
                year 2022-2024, `;` and decimal commas, as a building management system writes it
daily-values    one row per meter and day (timestamp and `end` at local midnight) time by time: every meter's day,
                then the next day, `--meters` meters over a year (2024)
registers-newest the HomeWizard Energy app's exports of 3-phase kWh meters (`format: homewizard-energy`:
                `time,Import kWh,Export kWh,L1 max W,L2 max W,L3 max W`, every value column a running total), one file
                per site and month, rows newest first (the reader holds and sorts them), 100 sites from 1 April to 26
                October 2024 (no clock change): registers differenced and spread over the local days
sma-inverters   SMA Sunny WebUI "CSV3" exports of 40 inverters (`format: sma`: `sep=,`, a byte-order mark, CRLF, five
                header rows and a units row, 33 channels every 5 minutes of which 3 cumulative registers are read: PV
                yield, grid injection, grid offtake), one file per inverter and month over the same days: differenced
                registers and the PV matching of production and injection per 5 minutes
fluvius-by-time a Fluvius quarter-hour export (`format: fluvius`: `;`, decimal commas, local times with the spring
                clock change's `01:45 -> 03:00` row, CRLF, a byte-order mark) of `--meters` / 2 EANs, an offtake and an
                injection row per EAN and quarter-hour, time by time, over `--days` - 6 days: what a portal writes
                for a whole park

The big layouts cover `--days` days from 2024-03-25 (the spring clock change included), 100 sites
(`many-meters`: 3 days).
"""

import argparse
import datetime as dt
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate import VALUES, local_day_quarters, quality_of, utc_offset_hours  # noqa: E402

VERSION = 1
SITES = 100
FIRST_DAY = dt.date(2024, 3, 25)
SMALL_FIRST_DAY = dt.date(2024, 4, 1)   # 100 days from here hold no clock change: 96 quarter-hours each
SMALL_METERS = 100
HEADER = "timestamp,site,series,quantity,value,unit,quality\n"
BIG_LAYOUTS = ["by-meter", "by-time", "shared-id", "split-midday", "quoted-newest", "many-meters", "shuffled",
               "fluvius-by-time", "generic-by-time", "generic-1252", "generic-wide", "daily-values", "one-mid",
               "three-files"]
# Days of the layouts with fewer days than `--days`.
FEWER_DAYS = {"one-mid": 3, "three-files": 6}
WIDE_METERS = 48
GENERIC_HEADER = "Datum;Tijd;Meter;Verbruik (kWh)\n"
DAILY_HEADER = "timestamp,site,series,quantity,value,unit,quality,end\n"
SMALL_LAYOUTS = ["small-equal", "small-varying"]
REGISTER_LAYOUTS = ["registers-newest", "sma-inverters"]
REGISTER_FIRST_DAY = dt.date(2024, 4, 1)
REGISTER_DAYS = 209                     # to 26 October 2024: summer time throughout
REGISTER_SITES = {"registers-newest": 100, "sma-inverters": 40}
SMA_HEADER = [
    "sep=,",
    "Version CSV3|Tool WebUI|Linebreaks CR/LF|Delimiter comma",
    "",
    None,                               # serial numbers
    "," + ",".join(["SUNNY TRIPOWER 8.0"] * 33),
    None,                               # serial numbers again
    ",Metering.TotWhOut,GridMs.TotPFPrc (Avg),GridMs.TotPFExt,Operation.Evt.EvtNo,Operation.Evt.Msg,GridMs.Hz (Avg),"
    "GridMs.TotW (Avg),GridMs.W.phsA (Avg),GridMs.W.phsB (Avg),GridMs.W.phsC (Avg),GridMs.PhV.phsA (Avg),"
    "GridMs.PhV.phsB (Avg),GridMs.PhV.phsC (Avg),GridMs.PhV.phsA2B (Avg),GridMs.PhV.phsB2C (Avg),"
    "GridMs.PhV.phsC2A (Avg),GridMs.A.phsA (Avg),GridMs.A.phsB (Avg),GridMs.A.phsC (Avg),Operation.Health,"
    "DcMs.Watt (Avg),DcMs.Watt (Avg),DcMs.Vol (Avg),DcMs.Vol (Avg),DcMs.Amp (Avg),DcMs.Amp (Avg),"
    "Metering.GridMs.TotWhOut,Metering.GridMs.AbsWhOut,Metering.GridMs.TotWhIn,Metering.GridMs.AbsWhIn,"
    "Operation.GriSwCnt,Isolation.LeakRis,Isolation.FltA (Avg)",
    ",Analog,Analog,Status,Analog,Status,Analog,Analog,Analog,Analog,Analog,Analog,Analog,Analog,Analog,Analog,"
    "Analog,Analog,Analog,Analog,Status,Analog,Analog,Analog,Analog,Analog,Analog,Analog,Analog,Analog,Analog,"
    "Analog,Analog,Analog",
    "DD.MM.YYYY hh:mm:ss,[Wh],,,,,[Hz],[W],[W],[W],[W],[V],[V],[V],[V],[V],[V],[A],[A],[A],,[W],[W],[V],[V],[A],[A],"
    "[Wh],[Wh],[Wh],[Wh],,[Ohm],[A]",
]
LAYOUTS = BIG_LAYOUTS + SMALL_LAYOUTS + REGISTER_LAYOUTS + ["huge"]


def stamps_of(day):
    return [(instant + dt.timedelta(hours=offset)).strftime("%Y-%m-%dT%H:%M:%S") + "+%02d:00" % offset
            for instant, offset in local_day_quarters(day)]


def short(value):
    """`1.250` → `1.25`, `0.000` → `0`: values as short as they go."""
    text = value.rstrip("0")
    return text[:-1] if text.endswith(".") else text


def big_rows(meters, days, order, shared, newest_first=False):
    """The rows of a big layout, day by day: yields (day index, list of (quarter index, line)); with
    `newest_first`, the last day first and each day's rows reversed."""
    channels = []  # (meter number, the fields between timestamp and value, value shift)
    per_site = max(1, (meters // (2 if shared else 1) + SITES - 1) // SITES)
    for index in range(meters // 2 if shared else meters):
        site = "site-%03d" % (index // per_site + 1)
        name = "m-%05d" % (index + 1)
        if shared:
            channels.append((index, ",%s,%s,electricity_offtake," % (site, name), 0))
            channels.append((index, ",%s,%s,electricity_injection," % (site, name), 500))
        else:
            channels.append((index, ",%s,%s,electricity_offtake," % (site, name), 0))
    serials = [0]
    for day_index in range(days - 1):
        serials.append(serials[-1] + len(stamps_of(FIRST_DAY + dt.timedelta(days=day_index))))
    for day_index in (reversed(range(days)) if newest_first else range(days)):
        stamps = stamps_of(FIRST_DAY + dt.timedelta(days=day_index))
        serial = serials[day_index]
        lines = []
        if order == "meter":
            for meter, middle, shift in channels:
                for k, stamp in enumerate(stamps):
                    lines.append((k, line(stamp, middle, meter + shift, serial + k)))
        else:
            for k, stamp in enumerate(stamps):
                for meter, middle, shift in channels:
                    lines.append((k, line(stamp, middle, meter + shift, serial + k)))
        if newest_first:
            lines.reverse()
        yield day_index, len(stamps), lines


def line(stamp, middle, meter, serial):
    quality = quality_of(meter, serial)
    value = "" if quality == "missing" else VALUES[(meter * 31 + serial) % 997]
    return stamp + middle + value + ",kWh," + quality + "\n"


def quoted(text):
    """A line with every field quoted (none holds a quote or a comma)."""
    return '"' + text[:-1].replace(",", '","') + '"\n'


def write_big(root, layout, meters, days):
    os.makedirs(os.path.join(root, "long"), exist_ok=True)
    if layout == "many-meters":
        meters, days = 16000, 3
    days = FEWER_DAYS.get(layout, days)
    shared = layout in ("shared-id", "split-midday", "huge")
    order = "meter" if layout == "by-meter" else "time"
    rows = 0
    if layout == "by-meter":
        # All days of a meter, then the next meter: written meter by meter.
        with open(os.path.join(root, "long", "export.csv"), "w", newline="\n") as out:
            out.write(HEADER)
            per_site = max(1, (meters + SITES - 1) // SITES)
            all_stamps = [stamps_of(FIRST_DAY + dt.timedelta(days=d)) for d in range(days)]
            for index in range(meters):
                middle = ",%s,m-%05d,electricity_offtake," % ("site-%03d" % (index // per_site + 1), index + 1)
                serial = 0
                lines = []
                for stamps in all_stamps:
                    for k, stamp in enumerate(stamps):
                        lines.append(line(stamp, middle, index, serial + k))
                    serial += len(stamps)
                out.write("".join(lines))
                rows += len(lines)
        return rows
    # Time-ordered: one file, 4 files each ending at noon of a day, or 3 files of whole days.
    cuts = [days * k // 4 for k in range(1, 4)] if layout == "split-midday" else []
    part = 0
    out = None

    def open_part(number):
        name = "export.csv" if not cuts and layout != "three-files" else "export-part%d.csv" % number
        handle = open(os.path.join(root, "long", name), "w", newline="\n")
        if layout != "quoted-newest":
            handle.write(HEADER)
        return handle

    out = open_part(1) if layout != "three-files" else None
    if layout == "three-files":
        per_file = days // 3
        for day_index, _, lines in big_rows(meters, days, order, shared):
            if day_index % per_file == 0:
                if out is not None:
                    out.close()
                out = open_part(day_index // per_file + 1)
            out.write("".join(text for _, text in lines))
            rows += len(lines)
        out.close()
        return rows
    if layout == "shuffled":
        lines = [text for _, _, day in big_rows(meters, days, order, shared) for _, text in day]
        count = len(lines)
        step = 7919 if count % 7919 else 7907  # a prime that does not divide the count: a permutation
        out.write("".join(lines[k * step % count] for k in range(count)))
        out.close()
        return count
    if layout == "quoted-newest":
        out.write(quoted(HEADER))
        for _, _, lines in big_rows(meters, days, order, shared, newest_first=True):
            out.write("".join(quoted(text) for _, text in lines))
            rows += len(lines)
        out.close()
        return rows
    for day_index, quarters, lines in big_rows(meters, days, order, shared):
        if part < len(cuts) and day_index == cuts[part]:
            # Noon local: the first line of quarter-hour 48 of a 96-quarter day (the day's middle otherwise).
            noon = 48 if quarters == 96 else quarters // 2
            split = next(i for i, (k, _) in enumerate(lines) if k >= noon)
            out.write("".join(text for _, text in lines[:split]))
            out.close()
            part += 1
            out = open_part(part + 1)
            out.write("".join(text for _, text in lines[split:]))
        else:
            out.write("".join(text for _, text in lines))
        rows += len(lines)
    out.close()
    return rows


FLUVIUS_HEADER = ("Van datum;Van tijdstip;Tot datum;Tot tijdstip;EAN;Meter;Metertype;Register;Volume;Eenheid;"
                  "Validatiestatus\r\n")
FLUVIUS_STATUS = {"measured": "Gevalideerd", "estimated": "Geschat", "missing": "Geen verbruik"}


def ean(number):
    """An 18-digit EAN with its GS1 check digit (`5414...`)."""
    body = "54144%012d" % number
    total = sum(int(digit) * (3 if index % 2 == 0 else 1) for index, digit in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def days_by_time(days):
    """Per day of the big layouts from `FIRST_DAY`: its quarter-hours (UTC instant, offset) and the serial number of
    its first quarter-hour since the first day."""
    serial = 0
    for day_index in range(days):
        quarters = local_day_quarters(FIRST_DAY + dt.timedelta(days=day_index))
        yield quarters, serial
        serial += len(quarters)


def write_fluvius(root, meters, days):
    """`fluvius-by-time`: every EAN's offtake and injection row at 00:00, then at 00:15, ... in local time."""
    os.makedirs(os.path.join(root, "fluvius"), exist_ok=True)
    channels = []
    for index in range(meters // 2):
        prefix = '="%s";1SAG%08d;Digitale Meter;' % (ean(index + 1), index + 1)
        channels.append((index, prefix + "Afname Dag;"))
        channels.append((index + 500, prefix + "Injectie Dag;"))
    rows = 0
    with open(os.path.join(root, "fluvius", "export.csv"), "w", encoding="utf-8-sig", newline="") as out:
        out.write(FLUVIUS_HEADER)
        for quarters, serial in days_by_time(days):
            lines = []
            for k, (instant, offset) in enumerate(quarters):
                start = instant + dt.timedelta(hours=offset)
                end_instant = instant + dt.timedelta(minutes=15)
                end_offset = quarters[k + 1][1] if k + 1 < len(quarters) else offset
                end = end_instant + dt.timedelta(hours=end_offset)
                when = "%s;%s;%s;%s;" % (start.strftime("%d-%m-%Y"), start.strftime("%H:%M:%S"),
                                         end.strftime("%d-%m-%Y"), end.strftime("%H:%M:%S"))
                for meter, middle in channels:
                    quality = quality_of(meter, serial + k)
                    value = "" if quality == "missing" else VALUES[(meter * 31 + serial + k) % 997].replace(".", ",")
                    lines.append(when + middle + value + ";kWh;" + FLUVIUS_STATUS[quality] + "\r\n")
            out.write("".join(lines))
            rows += len(lines)
    return rows


def write_generic(root, meters, days, windows1252=False):
    """`generic-by-time`: every meter at 00:00 local, then at 00:15, ...; a missing reading is a blank value.
    `generic-1252` (`windows1252`): the meters named `Mé00001`, ..., the file in Windows-1252."""
    os.makedirs(os.path.join(root, "generic"), exist_ok=True)
    names = [("Mé%05d;" if windows1252 else "M%05d;") % (index + 1) for index in range(meters)]
    rows = 0
    with open(os.path.join(root, "generic", "export.csv"), "w", newline="\n",
              encoding="cp1252" if windows1252 else "utf-8") as out:
        out.write(GENERIC_HEADER)
        for quarters, serial in days_by_time(days):
            lines = []
            for k, (instant, offset) in enumerate(quarters):
                start = instant + dt.timedelta(hours=offset)
                when = start.strftime("%d/%m/%Y;%H:%M;")
                for meter, name in enumerate(names):
                    quality = quality_of(meter, serial + k)
                    value = "" if quality == "missing" else VALUES[(meter * 31 + serial + k) % 997].replace(".", ",")
                    lines.append(when + name + value + "\n")
            out.write("".join(lines))
            rows += len(lines)
    return rows


def write_wide(root):
    """`generic-wide`: a row every 5 minutes of UTC time, written in local time, one column per meter."""
    os.makedirs(os.path.join(root, "generic"), exist_ok=True)
    header = "Tijdstip;" + ";".join("Meter %02d (kWh)" % meter for meter in range(WIDE_METERS)) + "\n"
    values = [value.replace(".", ",") for value in VALUES]
    rows = 0
    for year in (2022, 2023, 2024):
        # From local midnight of 1 January (UTC+1) to that of the next year.
        instant = dt.datetime(year - 1, 12, 31, 23)
        end = dt.datetime(year, 12, 31, 23)
        lines = [header]
        k = 0
        while instant < end:
            local = instant + dt.timedelta(hours=utc_offset_hours(instant))
            lines.append(local.strftime("%d-%m-%Y %H:%M;")
                         + ";".join(values[(k * 31 + meter * 7) % 997] for meter in range(WIDE_METERS)) + "\n")
            instant += dt.timedelta(minutes=5)
            k += 1
        with open(os.path.join(root, "generic", "bms-%d.csv" % year), "w", newline="\n") as out:
            out.write("".join(lines))
        rows += k
    return rows


def write_daily(root, meters):
    """`daily-values`: a year of days, every meter's row for a day, then the next day's."""
    os.makedirs(os.path.join(root, "long"), exist_ok=True)
    per_site = max(1, (meters + SITES - 1) // SITES)
    middles = [",site-%03d,m-%05d,electricity_offtake," % (index // per_site + 1, index + 1) for index in range(meters)]
    rows = 0
    first = dt.date(2024, 1, 1)
    with open(os.path.join(root, "long", "export.csv"), "w", newline="\n") as out:
        out.write(DAILY_HEADER)
        for day_index in range(366):
            day = first + dt.timedelta(days=day_index)
            start = local_day_quarters(day)[0]
            end = local_day_quarters(day + dt.timedelta(days=1))[0]
            stamp = (start[0] + dt.timedelta(hours=start[1])).strftime("%Y-%m-%dT%H:%M:%S") + "+%02d:00" % start[1]
            until = (end[0] + dt.timedelta(hours=end[1])).strftime("%Y-%m-%dT%H:%M:%S") + "+%02d:00" % end[1]
            lines = []
            for meter, middle in enumerate(middles):
                quality = quality_of(meter, day_index)
                value = "" if quality == "missing" else "%d.%s" % (meter % 90 + 5,
                                                                     VALUES[(meter * 31 + day_index) % 997][-3:])
                lines.append(stamp + middle + value + ",kWh," + quality + "," + until + "\n")
            out.write("".join(lines))
            rows += len(lines)
    return rows


def write_small(root, layout, files):
    days = max(1, files // SMALL_METERS)
    meters = min(files, SMALL_METERS)
    rows = 0
    day_stamps = [stamps_of(SMALL_FIRST_DAY + dt.timedelta(days=d)) for d in range(days)]
    for meter in range(meters):
        site = "site-%03d" % (meter // 10 + 1)
        name = "m-%05d" % (meter + 1)
        folder = os.path.join(root, "small", name)
        os.makedirs(folder, exist_ok=True)
        middle = ",%s,%s,electricity_offtake," % (site, name)
        serial = 0
        for d, stamps in enumerate(day_stamps):
            lines = [HEADER]
            for k, stamp in enumerate(stamps):
                if layout == "small-equal":
                    lines.append(stamp + middle + VALUES[(meter * 31 + serial + k) % 997] + ",kWh,measured\n")
                else:
                    lines.append(line(stamp, middle, meter, serial + k).replace(
                        "," + VALUES[(meter * 31 + serial + k) % 997] + ",",
                        "," + short(VALUES[(meter * 31 + serial + k) % 997]) + ","))
            serial += len(stamps)
            day = (SMALL_FIRST_DAY + dt.timedelta(days=d)).isoformat()
            with open(os.path.join(folder, "%s_%s.csv" % (name, day)), "w", newline="\n") as out:
                out.write("".join(lines))
            rows += len(lines) - 1
    return rows


def register_months():
    """(year, month, [local days]) of the register layouts' days."""
    months = []
    for d in range(REGISTER_DAYS):
        day = REGISTER_FIRST_DAY + dt.timedelta(days=d)
        if not months or months[-1][:2] != (day.year, day.month):
            months.append((day.year, day.month, []))
        months[-1][2].append(day)
    return months


def write_registers_newest(root):
    """`registers-newest`: per site and month, a HomeWizard 3-phase kWh meter export, newest row first."""
    rows = 0
    for site in range(REGISTER_SITES["registers-newest"]):
        folder = os.path.join(root, "homewizard", "site-%03d" % (site + 1))
        os.makedirs(folder, exist_ok=True)
        imported, exported = 1000.0 + 37 * site, 100.0 + 11 * site
        k = site * 13
        for year, month, days in register_months():
            lines = []
            for day in days:
                for quarter in range(96):
                    imported += float(VALUES[k % 997]) / 4
                    exported += float(VALUES[(k * 7) % 997]) / 10
                    lines.append("%s %02d:%02d,%.3f,%.3f,%d,%d,%d\n" % (
                        day.isoformat(), quarter // 4, quarter % 4 * 15, imported, exported,
                        k % 3001, (k * 7) % 2999, (k * 13) % 3011))
                    k += 1
            lines.reverse()
            with open(os.path.join(folder, "%d-%02d.csv" % (year, month)), "w", newline="\n") as out:
                out.write("time,Import kWh,Export kWh,L1 max W,L2 max W,L3 max W\n" + "".join(lines))
            rows += len(lines)
    return rows


def write_sma(root):
    """`sma-inverters`: per inverter and month, an SMA WebUI CSV3 export of 5-minute rows, oldest first."""
    rows = 0
    for site in range(REGISTER_SITES["sma-inverters"]):
        folder = os.path.join(root, "sma", "site-%03d" % (site + 1))
        os.makedirs(folder, exist_ok=True)
        serial = "30%08d" % (site + 1)
        header = list(SMA_HEADER)
        header[3] = header[5] = "," + ",".join([serial] * 33)
        yield_wh, out_wh, in_wh = 41919016 + 1000 * site, 2000000 + 500 * site, 800000 + 300 * site
        k = site * 17
        for year, month, days in register_months():
            lines = []
            for day in days:
                for step in range(288):
                    hour = step / 12
                    produced = int(max(0.0, 1 - abs(hour - 13.5) / 7) * 700 * float(VALUES[k % 997]))
                    injected = produced * 3 // 5
                    drawn = int(40 * float(VALUES[(k * 7) % 997]))
                    yield_wh, out_wh, in_wh = yield_wh + produced, out_wh + injected, in_wh + drawn
                    power = produced * 12
                    lines.append("%s %02d:%02d:00,%d,NaN,NaNStt,NaN,NoneMsg,50.01,%d,%d,%d,%d,230.1,230.2,230.3,NaN,"
                                 "NaN,NaN,1.1,1.2,1.3,Ok,%d,%d,600,610,2.1,2.2,%d,NaN,%d,NaN,2368,NaN,NaN\r\n" % (
                                     day.strftime("%d.%m.%Y"), step // 12, step % 12 * 5, yield_wh, power,
                                     power // 3, power // 3, power // 3, power // 2, power // 2, out_wh, in_wh))
                    k += 1
            with open(os.path.join(folder, "%d-%02d.csv" % (year, month)), "w", newline="", encoding="utf-8-sig") as out:
                out.write("\r\n".join(header) + "\r\n" + "".join(lines))
            rows += len(lines)
    return rows


def write_pipeline(path, layout):
    glob = "small/*/*.csv" if layout in SMALL_LAYOUTS else "long/*.csv"
    source = "  - { path: \"%s\", format: parkimpact-long }" % glob
    if layout == "fluvius-by-time":
        source = "  - { path: \"fluvius/*.csv\", format: fluvius, site: site-001 }"
    if layout == "generic-wide":
        source = ("  - path: \"generic/*.csv\"\n    format: generic\n    site: site-001\n"
                  "    columns: { timestamp: Tijdstip }\n    values:\n"
                  + "\n".join("      - { column: \"Meter %02d (kWh)\", quantity: electricity_offtake, unit: kWh }"
                              % meter for meter in range(WIDE_METERS)))
    if layout in REGISTER_LAYOUTS:
        folder, form = ("homewizard", "homewizard-energy") if layout == "registers-newest" else ("sma", "sma")
        source = "\n".join("  - { path: \"%s/site-%03d/*.csv\", format: %s, site: site-%03d }" % (folder, site, form, site)
                           for site in range(1, REGISTER_SITES[layout] + 1))
    if layout in ("generic-by-time", "generic-1252"):
        source = ("  - path: \"generic/*.csv\"\n    format: generic\n    site: site-001\n"
                  "    columns: { date: Datum, time: Tijd, meter: Meter }\n"
                  "    values: [ { column: \"Verbruik (kWh)\", quantity: electricity_offtake, unit: kWh } ]")
    lines = [
        "# Generated by scripts/bench/layouts.py for `make bench-matrix` (layout %s)." % layout,
        "pilot: matrix",
        "name: \"Layout matrix (%s)\"" % layout,
        "language: en",
        "timezone: Europe/Brussels",
        "periods:",
        "  baseline:  { from: 2023-01-01, to: 2023-12-31 }",
        "  reporting: { from: 2024-01-01, to: 2024-12-31 }",
        "sites:",
    ]
    for site in range(1, SITES + 1):
        lines.append("  - { id: site-%03d, name: \"Site %d\", electricity_contract: grey }" % (site, site))
    lines.append("sources:")
    lines.append(source)
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


def generate(layout, out, meters=2400, days=16, small_files=10000, gib=4.0):
    """Writes (or reuses) the layout under `out`; returns its params (files, rows, bytes included)."""
    if layout == "huge":
        # Bytes per day of the shared-id export: about 82 bytes a row.
        days = max(1, round(gib * 2**30 / (meters * 96 * 82)))
    params = {"version": VERSION, "layout": layout}
    if layout in SMALL_LAYOUTS:
        params["small_files"] = small_files
    elif layout == "many-meters":
        params.update({"meters": 16000, "days": 3})
    elif layout == "fluvius-by-time":
        params.update({"meters": meters, "days": max(1, days - 6)})
    elif layout == "daily-values":
        params.update({"meters": meters, "days": 366})
    elif layout == "generic-wide":
        params.update({"meters": WIDE_METERS, "years": 3})
    elif layout in REGISTER_LAYOUTS:
        params.update({"meters": REGISTER_SITES[layout], "days": REGISTER_DAYS})
    else:
        params.update({"meters": meters, "days": FEWER_DAYS.get(layout, days)})
    stamp = os.path.join(out, "params.json")
    if os.path.exists(stamp):
        with open(stamp) as f:
            old = json.load(f)
        if {k: old.get(k) for k in params} == params:
            return old
        os.remove(stamp)
    pipelines = os.path.join(out, "pipelines")
    root = os.path.join(out, "input", "matrix")
    if os.path.isdir(root):
        import shutil
        shutil.rmtree(root)
    os.makedirs(pipelines, exist_ok=True)
    os.makedirs(root, exist_ok=True)
    write_pipeline(os.path.join(pipelines, "matrix.yaml"), layout)
    print("bench-matrix: writing %s ..." % out, flush=True)
    if layout in SMALL_LAYOUTS:
        rows = write_small(root, layout, small_files)
    elif layout == "fluvius-by-time":
        rows = write_fluvius(root, params["meters"], params["days"])
    elif layout in ("generic-by-time", "generic-1252"):
        rows = write_generic(root, meters, days, windows1252=layout == "generic-1252")
    elif layout == "generic-wide":
        rows = write_wide(root)
    elif layout == "daily-values":
        rows = write_daily(root, meters)
    elif layout == "registers-newest":
        rows = write_registers_newest(root)
    elif layout == "sma-inverters":
        rows = write_sma(root)
    else:
        rows = write_big(root, layout, meters, days)
    size = files = 0
    sizes = set()
    for base, _, names in os.walk(root):
        for name in names:
            sizes.add(os.path.getsize(os.path.join(base, name)))
            size += os.path.getsize(os.path.join(base, name))
            files += 1
    params.update({"rows": rows, "bytes": size, "files": files, "distinct_sizes": len(sizes)})
    with open(stamp, "w") as f:
        json.dump(params, f, indent=1)
    return params


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("layout", choices=LAYOUTS)
    parser.add_argument("--out", required=True)
    parser.add_argument("--meters", type=int, default=2400, help="rows per quarter-hour of the big layouts")
    parser.add_argument("--days", type=int, default=16)
    parser.add_argument("--small-files", type=int, default=10000)
    parser.add_argument("--gib", type=float, default=4.0, help="size of `huge`")
    args = parser.parse_args()
    params = generate(args.layout, args.out, args.meters, args.days, args.small_files, args.gib)
    print("bench-matrix: %s: %d files, %d rows, %.2f GiB" % (args.layout, params["files"], params["rows"],
                                                             params["bytes"] / 2**30))


if __name__ == "__main__":
    sys.exit(main())
