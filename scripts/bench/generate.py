#!/usr/bin/env python3
"""Generate the synthetic `bench` pilot for `make bench`: a park of 200 sites and 2,000 quarter-hour meters.

    python3 scripts/bench/generate.py [--out .build-bench/data-s1] [--scale 1] [--grow days|rows]

Python 3 standard library only, deterministic (no clock, no random state, no tz database): the same parameters
write byte-identical files. When `<out>/params.json` already holds the same parameters the data are reused.

What is written (scale 1 ≈ 1 GiB, scale 4 ≈ 4 GiB)
---------------------------------------------------
<out>/pipelines/bench.yaml            the pilot: 200 sites, one parkimpact-long source, one Fluvius source per site
<out>/input/bench/long/bms-export-2024.csv
                                      ONE large parkimpact-long export (a building-management system's dump):
                                      `timestamp,site,series,quantity,value,unit,quality`, 9 submeters per site
                                      (7 electricity_offtake, 2 gas), in blocks per meter, times with offsets
                                      (+01:00 / +02:00) so the local date is the first 10 characters
<out>/input/bench/fluvius/<site>/kwartiertotalen_<ean>.csv
                                      one Fluvius quarter-hour export per site (NL header, BOM, `;`, decimal comma,
                                      `="EAN"`, local wall-clock times, an offtake and an injection row per quarter,
                                      the autumn repeated hour summer-first with `02:45:00 -> 02:00:00`, no spring hour)

Every meter covers a window of `round(55 * scale)` days of 2024 (at most 366), starting on a day that depends on
the meter, so the park covers the whole year and several windows contain both clock changes. About 0.3 % of the
intervals are estimated and 0.2 % missing (empty value): what the day counts must show.

`--grow rows` scales the data another way: every meter keeps its 55 days, and the long export's meters are read more
often than every quarter-hour (every 900 / n seconds, n a divisor of 900 chosen so the data set is about `scale`
times the scale-1 size; building-management systems log every few minutes). The result (series × days) is then the
same size at every scale, only the rows grow: what "memory flat in input size" is measured on.
"""

import argparse
import datetime as dt
import json
import os
import sys

SITES = 200
LONG_METERS_PER_SITE = 9          # + 1 Fluvius connection per site = 2,000 meters
BASE_DAYS = 55                    # window per meter at scale 1 (≈ 1 GiB in all)
YEAR = 2024
VERSION = 1                       # bump when the output format changes (invalidates reuse)
# Sizes at scale 1 (bytes): the long export and the Fluvius exports, for `--grow rows`.
LONG_BYTES_SCALE_1 = 811_982_313
FLUVIUS_BYTES_SCALE_1 = 271_373_091

VALUES = ["%.3f" % ((i * 7919 % 2003) / 1000.0) for i in range(997)]
VALUES_COMMA = [v.replace(".", ",") for v in VALUES]


def last_sunday(year, month):
    day = dt.date(year, month + 1, 1) - dt.timedelta(days=1) if month < 12 else dt.date(year, 12, 31)
    while day.weekday() != 6:
        day -= dt.timedelta(days=1)
    return day


def utc_offset_hours(instant):
    """Europe/Brussels offset at a UTC instant (EU rule: last Sunday of March/October, 01:00 UTC)."""
    spring = dt.datetime.combine(last_sunday(instant.year, 3), dt.time(1))
    autumn = dt.datetime.combine(last_sunday(instant.year, 10), dt.time(1))
    return 2 if spring <= instant < autumn else 1


def local_day_quarters(day):
    """The UTC starts of the quarter-hours whose local start lies on `day`, with their offsets."""
    # Local midnight in UTC: offset at (midnight - 1 h) is the day's starting offset.
    start = dt.datetime.combine(day, dt.time(0)) - dt.timedelta(hours=2)
    quarters = []
    instant = start
    while True:
        offset = utc_offset_hours(instant)
        local = instant + dt.timedelta(hours=offset)
        if local.date() > day:
            break
        if local.date() == day:
            quarters.append((instant, offset))
        instant += dt.timedelta(minutes=15)
    return quarters


def meter_window(meter_index, days):
    year_days = (dt.date(YEAR + 1, 1, 1) - dt.date(YEAR, 1, 1)).days
    days = min(days, year_days)
    first = (meter_index * 37) % (year_days - days + 1)
    return [dt.date(YEAR, 1, 1) + dt.timedelta(days=first + i) for i in range(days)]


def quality_of(meter, serial):
    h = (meter * 2654435761 + serial * 40503) % 1000
    return "estimated" if h < 3 else ("missing" if h < 5 else "measured")


def samples_per_quarter(scale):
    """`--grow rows`: the divisor n of 900 that brings the data set nearest to `scale` × its scale-1 size."""
    wanted = (scale * (LONG_BYTES_SCALE_1 + FLUVIUS_BYTES_SCALE_1) - FLUVIUS_BYTES_SCALE_1) / LONG_BYTES_SCALE_1
    return min((n for n in range(1, 901) if 900 % n == 0), key=lambda n: (abs(n - wanted), n))


def long_day_cache(samples):
    cache = {}
    step = dt.timedelta(seconds=900 // samples)

    def stamps(day):
        if day not in cache:
            if len(cache) > 400:
                cache.clear()
            # The offset changes on the hour (01:00 UTC): every sample of a quarter-hour shares the quarter's offset.
            cache[day] = [
                (instant + k * step + dt.timedelta(hours=offset)).strftime("%Y-%m-%dT%H:%M:%S") + "+%02d:00" % offset
                for instant, offset in local_day_quarters(day) for k in range(samples)
            ]
        return cache[day]
    return stamps


def long_meters():
    """(meter number, the fields between timestamp and value) of every meter of the long export, in file order."""
    meters = []
    for site in range(1, SITES + 1):
        site_id = "site-%03d" % site
        for sub in range(LONG_METERS_PER_SITE):
            quantity = "gas" if sub >= 7 else "electricity_offtake"
            name = "%s-%s-%d" % (site_id, "gas" if sub >= 7 else "sub", sub + 1)
            meters.append((site * 10 + sub, ",%s,%s,%s," % (site_id, name, quantity)))
    return meters


def write_long_by_time(path, days, samples):
    """The same rows as `write_long`, ordered as many BMS exports are: every meter at one time, then the next time."""
    stamps = long_day_cache(samples)
    meters = long_meters()
    windows = {meter: meter_window(meter, days) for meter, _ in meters}
    serial = {meter: 0 for meter, _ in meters}
    rows = 0
    first = min(window[0] for window in windows.values())
    last = max(window[-1] for window in windows.values())
    with open(path, "w", newline="\n", encoding="utf-8") as out:
        out.write("timestamp,site,series,quantity,value,unit,quality\n")
        day = first
        while day <= last:
            active = [(meter, middle) for meter, middle in meters if windows[meter][0] <= day <= windows[meter][-1]]
            day_stamps = stamps(day)
            lines = []
            for k, stamp in enumerate(day_stamps):
                for meter, middle in active:
                    quality = quality_of(meter, serial[meter] + k)
                    value = "" if quality == "missing" else VALUES[(meter * 31 + serial[meter] + k) % 997]
                    lines.append(stamp + middle + value + ",kWh," + quality + "\n")
            for meter, _ in active:
                serial[meter] += len(day_stamps)
            out.write("".join(lines))
            rows += len(lines)
            day += dt.timedelta(days=1)
    return rows


def write_long(path, days, samples):
    stamps = long_day_cache(samples)
    rows = 0
    with open(path, "w", newline="\n", encoding="utf-8") as out:
        out.write("timestamp,site,series,quantity,value,unit,quality\n")
        for site in range(1, SITES + 1):
            site_id = "site-%03d" % site
            for sub in range(LONG_METERS_PER_SITE):
                meter = site * 10 + sub
                quantity = "gas" if sub >= 7 else "electricity_offtake"
                name = "%s-%s-%d" % (site_id, "gas" if sub >= 7 else "sub", sub + 1)
                middle = ",%s,%s,%s," % (site_id, name, quantity)
                serial = 0
                lines = []
                for day in meter_window(meter, days):
                    for stamp in stamps(day):
                        quality = quality_of(meter, serial)
                        value = "" if quality == "missing" else VALUES[(meter * 31 + serial) % 997]
                        lines.append(stamp + middle + value + ",kWh," + quality + "\n")
                        serial += 1
                out.write("".join(lines))
                rows += len(lines)
    return rows


FLUVIUS_HEADER = ("\ufeffVan (datum);Van (tijdstip);Tot (datum);Tot (tijdstip);EAN-code;Meter;Metertype;Register;"
                  "Volume;Eenheid;Validatiestatus;Omschrijving\n")
STATUS = {"measured": "Gevalideerd", "estimated": "Geschat", "missing": "Geen verbruik"}


def write_fluvius(path, site, days):
    meter = site * 10 + 9
    ean = "5414488200%08d" % site
    serial_meter = "1SAG%010d" % site
    rows = 0
    serial = 0
    lines = []
    for day in meter_window(meter, days):
        quarters = local_day_quarters(day)
        entries = []
        for instant, offset in quarters:
            local = instant + dt.timedelta(hours=offset)
            end_instant = instant + dt.timedelta(minutes=15)
            end_local = end_instant + dt.timedelta(hours=utc_offset_hours(end_instant))
            entries.append((local.strftime("%H:%M:%S"), instant, local, end_local))
        entries.sort(key=lambda e: (e[0], e[1]))  # wall clock, summer time first in the repeated hour
        for _, instant, local, end_local in entries:
            night = local.hour < 7 or local.hour >= 22 or local.weekday() >= 5
            prefix = "%s;%s;%s;%s;=\"%s\";%s;Digitale Meter;" % (
                local.strftime("%d-%m-%Y"), local.strftime("%H:%M:%S"),
                end_local.strftime("%d-%m-%Y"), end_local.strftime("%H:%M:%S"), ean, serial_meter)
            for register, shift in (("Afname", 0), ("Injectie", 500)):
                quality = quality_of(meter + shift, serial)
                volume = "" if quality == "missing" else VALUES_COMMA[(meter * 17 + serial + shift) % 997]
                name = register + (" Nacht" if night else " Dag")
                lines.append(prefix + name + ";" + volume + ";kWh;" + STATUS[quality] + ";\n")
            serial += 1
    with open(path, "w", newline="\n", encoding="utf-8") as out:
        out.write(FLUVIUS_HEADER)
        out.write("".join(lines))
    rows += len(lines)
    return rows


def write_pipeline(path):
    lines = [
        "# Generated by scripts/bench/generate.py for `make bench`: a synthetic park of 200 sites, 2,000 meters.",
        "pilot: bench",
        "name: \"Benchmark park\"",
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
    lines.append("  - { path: \"long/*.csv\", format: parkimpact-long }")
    for site in range(1, SITES + 1):
        lines.append("  - { path: \"fluvius/site-%03d/*.csv\", format: fluvius, site: site-%03d }" % (site, site))
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=".build-bench/data-s1")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--grow", choices=["days", "rows"], default="days",
                        help="what a scale above 1 multiplies: days per meter, or rows per day of the long export")
    parser.add_argument("--order", choices=["meter", "time"], default="meter",
                        help="rows of the long export meter by meter, or time by time (every meter at 00:00, …)")
    args = parser.parse_args()
    days = max(1, round(BASE_DAYS * args.scale)) if args.grow == "days" else BASE_DAYS
    samples = samples_per_quarter(args.scale) if args.grow == "rows" else 1
    params = {"version": VERSION, "sites": SITES, "meters": SITES * (LONG_METERS_PER_SITE + 1), "days": days,
              "year": YEAR}
    if samples > 1:
        params["long_interval_seconds"] = 900 // samples
    if args.order == "time":
        params["long_order"] = "time"
    stamp = os.path.join(args.out, "params.json")
    if os.path.exists(stamp):
        with open(stamp) as f:
            old = json.load(f)
        if ({k: old.get(k) for k in params} == params and old.get("long_interval_seconds", 900) == 900 // samples
                and old.get("long_order", "meter") == args.order):
            print("bench data: reusing %s (%s)" % (args.out, ", ".join("%s=%s" % kv for kv in params.items())))
            return
    pipelines = os.path.join(args.out, "pipelines")
    root = os.path.join(args.out, "input", "bench")
    os.makedirs(pipelines, exist_ok=True)
    os.makedirs(os.path.join(root, "long"), exist_ok=True)
    if os.path.exists(stamp):
        os.remove(stamp)
    write_pipeline(os.path.join(pipelines, "bench.yaml"))
    print("bench data: writing %s (%d days per meter, long export every %d s)..." % (args.out, days, 900 // samples),
          flush=True)
    rows = (write_long_by_time if args.order == "time" else write_long)(
        os.path.join(root, "long", "bms-export-%d.csv" % YEAR), days, samples)
    for site in range(1, SITES + 1):
        folder = os.path.join(root, "fluvius", "site-%03d" % site)
        os.makedirs(folder, exist_ok=True)
        rows += write_fluvius(os.path.join(folder, "kwartiertotalen_5414488200%08d.csv" % site), site, days)
    size = 0
    files = 0
    for base, _, names in os.walk(root):
        for name in names:
            size += os.path.getsize(os.path.join(base, name))
            files += 1
    params.update({"rows": rows, "bytes": size, "files": files})
    with open(stamp, "w") as f:
        json.dump(params, f, indent=1)
    print("bench data: %d files, %d data rows, %.2f GiB" % (files, rows, size / 2**30))


if __name__ == "__main__":
    sys.exit(main())
