#!/usr/bin/env python3
"""`make bench`: ParkImpact against DuckDB on the same job, on the same machine, in one run.

    python3 scripts/bench/bench.py [--scale 1] [--runs 3] [--bin .build/release/parkimpact]

The job: per-series daily and monthly sums and counts of the `bench` pilot (scripts/bench/generate.py: a park of
200 sites and 2,000 quarter-hour meters, one large parkimpact-long export plus one Fluvius export per site).
- ParkImpact: `parkimpact run --daily-csv` with a fresh output folder each time (it also computes every KPI and
  writes the reports: more work than the DuckDB side does).
- DuckDB (from PyPI; installed with pip when missing): 2 threads, `read_csv` with explicit column types on the same
  files (timestamps as TIMESTAMPTZ, put on their Europe/Brussels day as ParkImpact does), `GROUP BY` series × local
  day, then × month, written to CSV. This is the reference of the ratio. Also shown: the same query with the day cut
  from the timestamp's text (`duckdb-text`), a shortcut right only for files written with local offsets.
Both run as child processes, alternating, `--runs` times each, each after the input was read once into the page
cache (untimed); wall time is the median, peak RSS the child's `ru_maxrss`. Then ParkImpact with `--threads 1` (speed-up) and a second `run` on the same output folder (rerun).
The two results are compared number by number (relative tolerance 1e-9: sums are added in a different order).
The machine is shared: figures are noisy, which is why the ratio is measured alternating in the same run.
"""

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def ensure_duckdb():
    try:
        import duckdb  # noqa: F401
    except ImportError:
        print("bench: installing duckdb from PyPI (pip install duckdb)", flush=True)
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "duckdb"])


def duckdb_job(data, out, variant):
    """The DuckDB side, run in a child process (`--duckdb-job`).

    `typed` (the reference): every column gets its type, the long format's ISO 8601 instants are parsed as
    TIMESTAMPTZ and their day is the date in Europe/Brussels (DuckDB's ICU time zones), Fluvius dates are parsed as
    DATE. That is the job ParkImpact does: parse and check each instant, then assign it to its local day, right for
    any offset (`Z` included).
    `text`: the long format's day is cut from the timestamp's text (`substr(timestamp, 1, 10)`), timestamps stay
    VARCHAR. Faster, and right here only because the generator writes local offsets; shown for comparison.
    """
    import duckdb
    root = os.path.join(data, "input", "bench")
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute("SET TimeZone = 'Europe/Brussels'")
    long_glob = os.path.join(root, "long", "*.csv")
    fluvius_glob = os.path.join(root, "fluvius", "*", "*.csv")
    typed = variant == "typed"
    long_day = "strftime(timestamp::DATE, '%Y-%m-%d')" if typed else "substr(timestamp, 1, 10)"
    fluvius_day = ("strftime(from_date, '%Y-%m-%d')" if typed
                   else "substr(from_date, 7, 4) || '-' || substr(from_date, 4, 2) || '-' || substr(from_date, 1, 2)")
    con.execute(f"""
        CREATE TEMP TABLE daily AS
        WITH long AS (
            SELECT site || '/' || quantity || '/' || series AS series, {long_day} AS day,
                   value, quality <> 'missing' AND value IS NOT NULL AS present
            FROM read_csv('{long_glob}', header = true, delim = ',', quote = '"', auto_detect = false,
                          columns = {{'timestamp': '{"TIMESTAMPTZ" if typed else "VARCHAR"}', 'site': 'VARCHAR',
                                      'series': 'VARCHAR', 'quantity': 'VARCHAR', 'value': 'DOUBLE',
                                      'unit': 'VARCHAR', 'quality': 'VARCHAR'}})
        ), fluvius AS (
            SELECT regexp_extract(filename, 'fluvius/([^/]+)/', 1)
                       || CASE WHEN register LIKE 'Injectie%' THEN '/electricity_injection/'
                               ELSE '/electricity_offtake/' END
                       || replace(replace(ean, '=', ''), '"', '') AS series,
                   {fluvius_day} AS day,
                   volume AS value, status <> 'Geen verbruik' AND volume IS NOT NULL AS present
            FROM read_csv('{fluvius_glob}', header = true, delim = ';', quote = '', escape = '',
                          decimal_separator = ',', auto_detect = false, filename = true, dateformat = '%d-%m-%Y',
                          columns = {{'from_date': '{"DATE" if typed else "VARCHAR"}', 'from_time': 'VARCHAR',
                                      'to_date': 'VARCHAR', 'to_time': 'VARCHAR', 'ean': 'VARCHAR',
                                      'meter': 'VARCHAR', 'meter_type': 'VARCHAR', 'register': 'VARCHAR',
                                      'volume': 'DOUBLE', 'unit': 'VARCHAR', 'status': 'VARCHAR',
                                      'description': 'VARCHAR'}})
        ), rows AS (SELECT * FROM long UNION ALL SELECT * FROM fluvius)
        SELECT series, day, sum(value) FILTER (WHERE present) AS sum, count(*) FILTER (WHERE present) AS count,
               count(*) FILTER (WHERE NOT present) AS missing
        FROM rows GROUP BY series, day
    """)
    os.makedirs(out, exist_ok=True)
    con.execute(f"COPY (SELECT * FROM daily ORDER BY series, day) TO '{out}/daily.csv' (HEADER)")
    con.execute(f"""COPY (SELECT series, substr(day, 1, 7) AS month, sum(sum) AS sum, sum(count) AS count,
                                 sum(missing) AS missing
                          FROM daily GROUP BY ALL ORDER BY series, month) TO '{out}/monthly.csv' (HEADER)""")


def run_child(command):
    """Runs a command; returns (wall seconds, peak RSS in MiB, stdout)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    text = output.decode("utf-8", "replace")
    if process.returncode != 0:
        sys.exit("bench: %s failed (exit %d):\n%s" % (" ".join(command), process.returncode, text[-3000:]))
    return wall, usage.ru_maxrss / 1024.0, text


def warm(folder):
    """Reads every file under `folder` once (untimed), so that each timed run starts with the input in the page cache.
    The development machine evicts idle pages within seconds; without this the first run of a job after another read
    from disk and the figures varied by up to 50 %."""
    block = bytearray(1 << 20)
    for base, _, names in os.walk(folder):
        for name in names:
            with open(os.path.join(base, name), "rb", buffering=0) as f:
                while f.readinto(block):
                    pass


def read_table(path, key_columns):
    table = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            key = tuple(row[c] for c in key_columns)
            table[key] = (float(row["sum"]) if row["sum"] not in ("", "NULL") else 0.0, int(row["count"]),
                          int(row["missing"]))
    return table


def monthly_from_daily(daily):
    months = {}
    for (series, day), (total, count, missing) in sorted(daily.items()):
        key = (series, day[:7])
        previous = months.get(key, (0.0, 0, 0))
        months[key] = (previous[0] + total, previous[1] + count, previous[2] + missing)
    return months


def compare(name, ours, theirs):
    problems = []
    for key in sorted(set(ours) | set(theirs)):
        a, b = ours.get(key), theirs.get(key)
        if a is None or b is None:
            problems.append("%s %s: only in %s" % (name, key, "DuckDB" if a is None else "ParkImpact"))
            continue
        if a[1:] != b[1:] or abs(a[0] - b[0]) > 1e-9 * max(1.0, abs(a[0]), abs(b[0])):
            problems.append("%s %s: ParkImpact %s, DuckDB %s" % (name, key, a, b))
    return problems


def main():
    parser = argparse.ArgumentParser(description="ParkImpact against DuckDB on the same job.")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--grow", choices=["days", "rows"], default="days",
                        help="what a scale above 1 multiplies (generate.py): days per meter, or rows per day")
    parser.add_argument("--order", choices=["meter", "time"], default="meter",
                        help="rows of the long export meter by meter or time by time (generate.py)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--bin", default=".build/release/parkimpact")
    parser.add_argument("--duckdb-job", nargs=3, metavar=("DATA", "OUT", "VARIANT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.duckdb_job:
        duckdb_job(*args.duckdb_job)
        return
    ensure_duckdb()
    scale_name = ("%g" % args.scale).replace(".", "_")
    data = os.path.join(ROOT, ".build-bench", "data-s" + scale_name + ("-rows" if args.grow == "rows" else "")
                        + ("-time" if args.order == "time" else ""))
    subprocess.check_call([sys.executable, os.path.join(ROOT, "scripts", "bench", "generate.py"),
                           "--out", data, "--scale", str(args.scale), "--grow", args.grow, "--order", args.order])
    with open(os.path.join(data, "params.json")) as f:
        params = json.load(f)
    runs = os.path.join(ROOT, ".build-bench", "runs")
    binary = os.path.join(ROOT, args.bin)

    def parkimpact(out, threads=None, fresh=True):
        if fresh:
            shutil.rmtree(out, ignore_errors=True)
        command = [binary, "run", "--pipelines", os.path.join(data, "pipelines"),
                   "--input", os.path.join(data, "input"), "--output", out, "--daily-csv", "--settle-seconds", "0"]
        if threads:
            command += ["--threads", str(threads)]
        return run_child(command)

    def duckdb(out, variant):
        shutil.rmtree(out, ignore_errors=True)
        return run_child([sys.executable, os.path.abspath(__file__), "--duckdb-job", data, out, variant])

    names = ["duckdb", "parkimpact", "duckdb-text", "threads1"]
    times = {name: [] for name in names}
    rss = {name: [] for name in names}
    summary = ""
    print("bench: %d files, %.2f GiB, %d rows, %d meters, %d days per meter%s; %d runs each, alternating, input "
          "read into the page cache before each"
          % (params["files"], params["bytes"] / 2**30, params["rows"], params["meters"], params["days"],
             (", long export every %d s" % params["long_interval_seconds"] if "long_interval_seconds" in params else "")
             + (", long export ordered by time" if params.get("long_order") == "time" else ""),
             args.runs), flush=True)
    for run in range(args.runs):
        for name in (names if run % 2 == 0 else ["parkimpact", "duckdb", "threads1", "duckdb-text"]):
            out = os.path.join(runs, "%s-%d" % (name, run))
            warm(os.path.join(data, "input"))
            if name.startswith("duckdb"):
                wall, peak, _ = duckdb(out, "text" if name == "duckdb-text" else "typed")
            else:
                wall, peak, text = parkimpact(out, threads=1 if name == "threads1" else None)
                summary = text.strip().splitlines()[-1] if name == "parkimpact" else summary
            times[name].append(wall)
            rss[name].append(peak)
            print("  run %d %-11s %7.2f s  %6.1f MiB" % (run + 1, name, wall, peak), flush=True)

    # Rerun: a second `run` on an output folder that already holds a run.
    warm(os.path.join(data, "input"))
    rerun_out = os.path.join(runs, "parkimpact-0")
    rerun, rerun_rss, _ = parkimpact(rerun_out, fresh=False)

    # Same numbers?
    ours = read_table(os.path.join(runs, "parkimpact-0", "bench", "daily.csv"), ["series", "date"])
    theirs = read_table(os.path.join(runs, "duckdb-0", "daily.csv"), ["series", "day"])
    problems = compare("daily", ours, theirs)
    theirs_monthly = read_table(os.path.join(runs, "duckdb-0", "monthly.csv"), ["series", "month"])
    problems += compare("monthly", monthly_from_daily(ours), theirs_monthly)
    problems += compare("daily (DuckDB text days)", ours,
                        read_table(os.path.join(runs, "duckdb-text-0", "daily.csv"), ["series", "day"]))
    threads1 = read_table(os.path.join(runs, "threads1-0", "bench", "daily.csv"), ["series", "date"])
    if threads1 != ours:
        problems.append("--threads 1 gives other daily numbers than the default run")

    median = {name: statistics.median(values) for name, values in times.items()}
    size_mb = params["bytes"] / 1e6
    print()
    print("ParkImpact: %s" % summary)
    print("checked: %d series-days, %d series-months, %d rows counted: %s"
          % (len(ours), len(theirs_monthly), sum(v[1] + v[2] for v in ours.values()),
             "ParkImpact = DuckDB" if not problems else "%d DIFFERENCES" % len(problems)))
    for problem in problems[:20]:
        print("  " + problem)
    print()
    print("%-28s %10s %10s %10s %12s %10s" % ("", "wall (med)", "min-max", "MB/s", "rows/s", "peak RSS"))
    for name, label in (("parkimpact", "ParkImpact (2 threads)"), ("threads1", "ParkImpact --threads 1"),
                        ("duckdb", "DuckDB (2 threads)"), ("duckdb-text", "DuckDB, days cut from text")):
        print("%-28s %9.2fs %4.1f-%-5.1f %10.0f %12.0f %7.0f MiB"
              % (label, median[name], min(times[name]), max(times[name]), size_mb / median[name],
                 params["rows"] / median[name], max(rss[name])))
    print("%-28s %9.2fs %10s %10s %12s %7.0f MiB" % ("ParkImpact rerun (same out)", rerun, "", "", "", rerun_rss))
    print()
    print("ratio ParkImpact / DuckDB wall time: %.2f (goal <= 1.0, aim <= 0.67)"
          % (median["parkimpact"] / median["duckdb"]))
    print("  against DuckDB cutting days from the timestamp text: %.2f" % (median["parkimpact"] / median["duckdb-text"]))
    print("speed-up --threads 1 -> default:    %.2fx (goal >= 1.7)" % (median["threads1"] / median["parkimpact"]))
    print("load average: %s (2 cores, shared: figures are noisy)" % " ".join("%.2f" % x for x in os.getloadavg()))
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
