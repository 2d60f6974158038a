#!/usr/bin/env python3
"""Independent totals and local-day values of the held-out fixtures (Tests/ParkImpactTests/Fixtures/heldout/),
computed from the raw bytes with the csv module and zoneinfo, without ParkImpact. Usage: heldout_totals.py [DAILY_DIR]
prints per file: quantity, total, days; with DAILY_DIR (folder of <file>/output/p/daily.csv as scripts/sniff-paste-run.py
writes them under /tmp/acc) it also compares each local day and total with ParkImpact's; --json writes
Fixtures/heldout/expected.json (per file, quantity and local day) for HeldOutExportTests."""
import csv, collections, datetime, io, os, re, sys
from zoneinfo import ZoneInfo

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../Tests/ParkImpactTests/Fixtures/heldout")
LOCAL = ZoneInfo("Europe/Brussels")
UTC = datetime.timezone.utc


def rows(name, delimiter=",", skip=1):
    text = open(os.path.join(HERE, name), encoding="utf-8-sig").read()
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))[skip:]


def num(text):
    return float(text.replace(",", "."))


def add(days, quantity, moment, value):
    """moment: an aware datetime or a naive local one (the pilot's time zone)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(LOCAL)
    days[quantity][moment.date().isoformat()] += value


def registers(days, quantity, readings):
    """Readings (moment, value) of one register: each difference is the use between the two readings."""
    readings = sorted(readings, key=lambda reading: instant(reading[0]))
    for (t0, v0), (t1, v1) in zip(readings, readings[1:]):
        start, end = instant(t0), instant(t1)
        # Spread over the local days by time, as a meter between two readings is.
        moment = start
        while moment < end:
            local = moment.astimezone(LOCAL)
            midnight = datetime.datetime.combine(local.date() + datetime.timedelta(days=1), datetime.time(), LOCAL)
            stop = min(end, midnight.astimezone(UTC))
            add(days, quantity, moment, (v1 - v0) * (stop - moment) / (end - start))
            moment = stop


def instant(moment):
    """A UTC instant of an aware time or a naive local one."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=LOCAL)).astimezone(UTC)


def edccr():
    days = collections.defaultdict(lambda: collections.defaultdict(float))
    for r in rows("edccr_solar_15min_trailing_delimiter.csv", ";"):
        add(days, "pv_production", datetime.datetime.strptime(r[0] + " " + r[1], "%d.%m.%Y %H:%M"), num(r[3]))
    return days


def enphase():
    days = collections.defaultdict(lambda: collections.defaultdict(float))
    names = ["pv_production", "electricity_consumption", "electricity_injection", "electricity_offtake"]
    for r in rows("enphase_custom_report_9999998_head1465.csv"):
        t = datetime.datetime.strptime(r[0], "%m/%d/%Y %H:%M")
        for q, v in zip(names, r[1:5]):
            add(days, q, t, num(v) / 1000)
    return days


def register_file(name, quantity, parse):
    days = collections.defaultdict(lambda: collections.defaultdict(float))
    registers(days, quantity, [(parse(r[0]), num(r[1])) for r in rows(name)])
    return days


def zappi():
    days = collections.defaultdict(lambda: collections.defaultdict(float))
    for r in rows("myenergi_zappi_report_hourly_utc.csv"):
        t = datetime.datetime.strptime(r[1], "%Y-%m-%dT%H:%M:%S.000Z").replace(tzinfo=UTC)
        add(days, "electricity_offtake", t, sum(num(v) for v in r[2:5]) / 1000)
    return days


def sma():
    days = collections.defaultdict(lambda: collections.defaultdict(float))
    data = [r for r in rows("sma_sunny_tripower_8_daily_registers.csv", skip=0) if re.match(r"\d\d\.\d\d\.\d{4}", r[0] if r else "")]
    registers(days, "pv_production", [(datetime.datetime.strptime(r[0], "%d.%m.%Y %H:%M:%S"), num(r[1]) / 1000)
                                      for r in data if r[1] != "NaN"])
    return days


def shelly():
    days = collections.defaultdict(lambda: collections.defaultdict(float))
    seen = set()
    for r in rows("shelly_em3_phaseB_utc_repeated_rows_excerpt.csv"):
        if r[0] in seen:  # the export repeats whole days with the same values: counted once
            continue
        seen.add(r[0])
        t = datetime.datetime.strptime(r[0], "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
        add(days, "electricity_offtake", t, num(r[1]) / 1000)
        add(days, "electricity_injection", t, num(r[2]) / 1000)
    return days


def isolarcloud():
    days = collections.defaultdict(lambda: collections.defaultdict(float))
    names = ["pv_production", "electricity_offtake", "electricity_injection", "electricity_consumption"]
    for r in rows("isolarcloud_monthly_report_daily.csv"):
        t = datetime.datetime.strptime(r[0], "%Y-%m-%d")
        for q, v in zip(names, r[1:5]):
            add(days, q, t, num(v))
    return days


KWH_PER_M3 = 10  # the gross calorific value the test fills in for kwh_per_m3


def energiemanager(name, quantity, per_unit):
    """Energie Manager Online API export: `name;ean;code;moment;moment-date;value;factor;type` after an empty line;
    `value` × `factor` is a register reading at the local `moment-date`."""
    days = collections.defaultdict(lambda: collections.defaultdict(float))
    data = rows(name, ";", skip=2)
    registers(days, quantity, [(datetime.datetime.strptime(r[4], "%Y-%m-%d %H:%M:%S"),
                                num(r[5]) * num(r[6]) * per_unit) for r in data if r])
    return days


def enphase_production(name, layout):
    """Enphase production-only reports: `Date/Time,Energy Produced (Wh)` hourly, or `Energy Delivered (Wh)` daily
    with thousands separators (`"8,298"`) and a `Total` row last (a summary, not a reading: left out)."""
    days = collections.defaultdict(lambda: collections.defaultdict(float))
    for r in rows(name):
        if r[0] == "Total":
            continue
        add(days, "pv_production", datetime.datetime.strptime(r[0], layout), float(r[1].replace(",", "")) / 1000)
    return days


def united_power():
    """United Power usage download, its first block: a `====` preamble, then `<start> to <end>,<kWh>,,` per day."""
    days = collections.defaultdict(lambda: collections.defaultdict(float))
    for r in rows("united_power_daily_first_block.csv", skip=0):
        if r and " to " in r[0]:
            add(days, "electricity_offtake", datetime.datetime.strptime(r[0].split(" to ")[0].strip(), "%Y-%m-%d %H:%M"),
                num(r[1]))
    return days


FILES = {
    "united_power_daily_first_block.csv": united_power,
    "enphase_custom_report_9999999_production_only_head1489.csv": lambda: enphase_production(
        "enphase_custom_report_9999999_production_only_head1489.csv", "%m/%d/%Y %H:%M"),
    "enphase_site_energy_production_report_daily_thousands.csv": lambda: enphase_production(
        "enphase_site_energy_production_report_daily_thousands.csv", "%m/%d/%Y"),
    "energiemanager_online_elec_2025_head400.csv": lambda: energiemanager(
        "energiemanager_online_elec_2025_head400.csv", "electricity_offtake", 1),
    "energiemanager_online_gas_2013_head400.csv": lambda: energiemanager(
        "energiemanager_online_gas_2013_head400.csv", "gas", KWH_PER_M3),
    "edccr_solar_15min_trailing_delimiter.csv": edccr,
    "enphase_custom_report_9999998_head1465.csv": enphase,
    "grafana_pv_11_meter_kwh_first_hourly.csv": lambda: register_file(
        "grafana_pv_11_meter_kwh_first_hourly.csv", "pv_production",
        lambda s: datetime.datetime.strptime(s, "%Y-%m-%d %H:%M:%S")),
    "influxdb_chronograf_kwh_first_value_hourly.csv": lambda: register_file(
        "influxdb_chronograf_kwh_first_value_hourly.csv", "electricity_offtake", datetime.datetime.fromisoformat),
    "myenergi_zappi_report_hourly_utc.csv": zappi,
    "sma_sunny_tripower_8_daily_registers.csv": sma,
    "shelly_em3_phaseB_utc_repeated_rows_excerpt.csv": shelly,
    "isolarcloud_monthly_report_daily.csv": isolarcloud,
}

if __name__ == "__main__":
    if sys.argv[1:] == ["--json"]:  # the expectations of HeldOutExportTests (Fixtures/heldout/expected.json)
        import json
        out = {name: {q: {d: round(v, 9) for d, v in sorted(days.items())} for q, days in sorted(compute().items())}
               for name, compute in FILES.items()}
        json.dump(out, open(os.path.join(HERE, "expected.json"), "w"), indent=1, sort_keys=True)
        sys.exit(0)
    acc = sys.argv[1] if len(sys.argv) > 1 else None
    for name, compute in FILES.items():
        days = compute()
        theirs = collections.defaultdict(lambda: collections.defaultdict(float))
        if acc:
            path = os.path.join(acc, re.sub(r"[^A-Za-z0-9]", "_", name), "output/p/daily.csv")
            if os.path.exists(path):
                for r in csv.DictReader(open(path, encoding="utf-8-sig")):
                    theirs[r["series"].split("/")[1]][r["date"]] += float(r["sum"])
        for q in sorted(set(days) | set(theirs)):
            total = sum(days[q].values())
            line = "%-50s %-24s %14.6f over %4d days" % (name, q, total, len(days[q]))
            if acc:
                ours = sum(theirs[q].values())
                bad = [d for d in set(days[q]) | set(theirs[q]) if abs(days[q].get(d, 0) - theirs[q].get(d, 0)) > 1e-6]
                line += " | ParkImpact %14.6f | %s" % (ours, "PASS" if abs(ours - total) < 1e-6 and not bad
                                                       else "FAIL (%d days differ, e.g. %s)" % (len(bad), sorted(bad)[:3]))
            print(line)
