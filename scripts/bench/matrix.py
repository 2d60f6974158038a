#!/usr/bin/env python3
"""`make bench-matrix`: ParkImpact against DuckDB on each input layout of scripts/bench/layouts.py, in one run.

    python3 scripts/bench/matrix.py [--layouts all|by-meter,small-equal,...] [--runs 3] [--huge-gib 4]
                                    [--bin .build/release/parkimpact] [--baseline OTHER-BINARY]

Per layout (data generated once into .build-bench/matrix/<layout>/, reused):
- ParkImpact `run --daily-csv --settle-seconds 0` on a fresh output folder, with 2 threads (the default on this
  machine: `--threads 2`) and with `--threads 1`;
- DuckDB (PyPI, `SET threads = 2`): `read_csv` of the same files with explicit column types, timestamps as
  TIMESTAMPTZ put on their Europe/Brussels day, `GROUP BY` series × local day (the job of bench.py);
- with `--baseline`: another ParkImpact binary (2 threads and 1), for before/after figures, whose outputs must be
  byte-identical (`diff -r -x .parkimpact`) to `--bin`'s.
All run as child processes, alternating, `--runs` times each, after the input was read once into the page cache
(untimed), with SOURCE_DATE_EPOCH set. Wall time is the median; CPU time (user + system of the child and its
threads) the median; peak RSS the largest `ru_maxrss`. DuckDB's CPU time includes starting Python (about 0.1 s).
Checks: ParkImpact's daily and monthly sums and counts equal DuckDB's (relative tolerance 1e-9), and `--threads 1`
writes the same daily.csv. The goals of issue #21 are printed beside each figure.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import layouts  # noqa: E402
from bench import ensure_duckdb, warm, read_table, monthly_from_daily, compare  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT = layouts.BIG_LAYOUTS + layouts.REGISTER_LAYOUTS + layouts.SMALL_LAYOUTS


def duckdb_job(data, out):
    """The DuckDB side (child process, `--duckdb-job`): series × local day of every file of the layout."""
    import duckdb
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute("SET TimeZone = 'Europe/Brussels'")
    with open(os.path.join(data, "params.json")) as f:
        layout = json.load(f)["layout"]
    glob = os.path.join(data, "input", "matrix", "small/*/*.csv" if layout in layouts.SMALL_LAYOUTS else "long/*.csv")
    if layout == "fluvius-by-time":
        # Local dates and times as written; the day is the interval's start date; the EAN's `="…"` taken off.
        glob = os.path.join(data, "input", "matrix", "fluvius", "*.csv")
        columns = ", ".join("'%s': '%s'" % (name, "DOUBLE" if name == "Volume" else "VARCHAR")
                            for name in layouts.FLUVIUS_HEADER.strip().split(";"))
        con.execute(f"""
            CREATE TEMP TABLE daily AS
            SELECT 'site-001/' || CASE WHEN Register LIKE 'Afname%' THEN 'electricity_offtake'
                                       ELSE 'electricity_injection' END
                       || '/' || replace(replace(EAN, '="', ''), '"', '') AS series,
                   strftime(strptime("Van datum", '%d-%m-%Y'), '%Y-%m-%d') AS day,
                   sum(Volume) FILTER (WHERE present) AS sum, count(*) FILTER (WHERE present) AS count,
                   count(*) FILTER (WHERE NOT present) AS missing
            FROM (SELECT *, Validatiestatus <> 'Geen verbruik' AND Volume IS NOT NULL AS present
                  FROM read_csv('{glob}', header = true, delim = ';', quote = '"', decimal_separator = ',',
                                auto_detect = false, columns = {{{columns}}}))
            GROUP BY ALL
        """)
    elif layout in ("generic-by-time", "generic-1252"):
        # Local dates as written (day first); a blank value is a missing reading.
        glob = os.path.join(data, "input", "matrix", "generic", "*.csv")
        con.execute(f"""
            CREATE TEMP TABLE daily AS
            SELECT 'site-001/electricity_offtake/' || Meter AS series,
                   strftime(strptime(Datum, '%d/%m/%Y'), '%Y-%m-%d') AS day,
                   sum(Verbruik) FILTER (WHERE Verbruik IS NOT NULL) AS sum,
                   count(*) FILTER (WHERE Verbruik IS NOT NULL) AS count,
                   count(*) FILTER (WHERE Verbruik IS NULL) AS missing
            FROM read_csv('{glob}', header = true, delim = ';', quote = '"', decimal_separator = ',',
                          encoding = '{"latin-1" if layout == "generic-1252" else "utf-8"}',
                          auto_detect = false, columns = {{'Datum': 'VARCHAR', 'Tijd': 'VARCHAR', 'Meter': 'VARCHAR',
                                                           'Verbruik': 'DOUBLE'}})
            GROUP BY ALL
        """)
    elif layout == "generic-wide":
        # One column per meter, unpivoted; local dates as written (day first).
        glob = os.path.join(data, "input", "matrix", "generic", "*.csv")
        columns = ", ".join(["'Tijdstip': 'VARCHAR'"] + ["'Meter %02d (kWh)': 'DOUBLE'" % meter
                                                          for meter in range(layouts.WIDE_METERS)])
        con.execute(f"""
            CREATE TEMP TABLE daily AS
            SELECT 'site-001/electricity_offtake/' || meter AS series,
                   strftime(strptime(Tijdstip, '%d-%m-%Y %H:%M'), '%Y-%m-%d') AS day,
                   sum(value) AS sum, count(value) AS count, count(*) - count(value) AS missing
            FROM (UNPIVOT (SELECT * FROM read_csv('{glob}', header = true, delim = ';', quote = '"',
                                                  decimal_separator = ',', auto_detect = false,
                                                  columns = {{{columns}}}))
                  ON COLUMNS(* EXCLUDE (Tijdstip)) INTO NAME meter VALUE value)
            GROUP BY ALL
        """)
    elif layout == "registers-newest":
        # Each file's registers differenced in time order (a file is its own chain: the reading of the next month's
        # first quarter-hour is in the next file), each difference counted on the local day of its start; one
        # count per series-day (a register's differences are spread over days, `FileAggregator.addSpread`).
        glob = os.path.join(data, "input", "matrix", "homewizard", "*", "*.csv")
        con.execute(f"""
            CREATE TEMP TABLE daily AS
            WITH r AS (SELECT split_part(filename, '/', -2) AS site, filename AS file,
                              strptime(time, '%Y-%m-%d %H:%M') AS t, "Import kWh" AS imported,
                              "Export kWh" AS exported
                       FROM read_csv('{glob}', header = true, delim = ',', auto_detect = false, filename = true,
                                     columns = {{'time': 'VARCHAR', 'Import kWh': 'DOUBLE', 'Export kWh': 'DOUBLE',
                                                 'L1 max W': 'INTEGER', 'L2 max W': 'INTEGER',
                                                 'L3 max W': 'INTEGER'}})),
                 d AS (SELECT site, lag(t) OVER w AS start, imported - lag(imported) OVER w AS imported,
                              exported - lag(exported) OVER w AS exported
                       FROM r WINDOW w AS (PARTITION BY file ORDER BY t))
            SELECT site || '/' || quantity || '/homewizard-energy/' || register AS series,
                   strftime(start, '%Y-%m-%d') AS day, sum(value) AS sum, 1 AS count, 0 AS missing
            FROM (SELECT site, start, 'electricity_offtake' AS quantity, 'Import kWh' AS register, imported AS value
                  FROM d WHERE start IS NOT NULL
                  UNION ALL
                  SELECT site, start, 'electricity_injection', 'Export kWh', exported FROM d WHERE start IS NOT NULL)
            GROUP BY ALL
        """)
    elif layout == "sma-inverters":
        # The three registers (Wh) differenced per file in time order, in kWh, per 5-minute interval on the local
        # day of its start. The PV matching series ParkImpact derives from them are not asked of DuckDB.
        glob = os.path.join(data, "input", "matrix", "sma", "*", "*.csv")
        columns = ", ".join("'c%d': '%s'" % (index, "DOUBLE" if index in (1, 27, 29) else "VARCHAR")
                            for index in range(34))
        con.execute(f"""
            CREATE TEMP TABLE daily AS
            WITH r AS (SELECT split_part(filename, '/', -2) AS site, filename AS file,
                              '30' || lpad(split_part(split_part(filename, '/', -2), '-', 2), 8, '0') AS serial,
                              strptime(c0, '%d.%m.%Y %H:%M:%S') AS t, c1 AS produced, c27 AS injected, c29 AS drawn
                       FROM read_csv('{glob}', header = false, skip = 9, delim = ',', auto_detect = false,
                                     filename = true, columns = {{{columns}}})),
                 d AS (SELECT site, serial, lag(t) OVER w AS start, (produced - lag(produced) OVER w) / 1000 AS produced,
                              (injected - lag(injected) OVER w) / 1000 AS injected,
                              (drawn - lag(drawn) OVER w) / 1000 AS drawn
                       FROM r WINDOW w AS (PARTITION BY file ORDER BY t))
            SELECT site || '/' || quantity || '/' || serial || ':' || register AS series,
                   strftime(start, '%Y-%m-%d') AS day, sum(value) AS sum, count(*) AS count, 0 AS missing
            FROM (SELECT site, serial, start, 'pv_production' AS quantity, 'Metering.TotWhOut' AS register,
                         produced AS value FROM d WHERE start IS NOT NULL
                  UNION ALL
                  SELECT site, serial, start, 'electricity_injection', 'Metering.GridMs.TotWhOut', injected
                  FROM d WHERE start IS NOT NULL
                  UNION ALL
                  SELECT site, serial, start, 'electricity_offtake', 'Metering.GridMs.TotWhIn', drawn
                  FROM d WHERE start IS NOT NULL)
            GROUP BY ALL
        """)
    else:
        end = ", 'end': 'TIMESTAMPTZ'" if layout == "daily-values" else ""
        con.execute(f"""
            CREATE TEMP TABLE daily AS
            SELECT site || '/' || quantity || '/' || series AS series, strftime(timestamp::DATE, '%Y-%m-%d') AS day,
                   sum(value) FILTER (WHERE present) AS sum, count(*) FILTER (WHERE present) AS count,
                   count(*) FILTER (WHERE NOT present) AS missing
            FROM (SELECT *, quality <> 'missing' AND value IS NOT NULL AS present
                  FROM read_csv('{glob}', header = true, delim = ',', quote = '"', auto_detect = false,
                                columns = {{'timestamp': 'TIMESTAMPTZ', 'site': 'VARCHAR', 'series': 'VARCHAR',
                                            'quantity': 'VARCHAR', 'value': 'DOUBLE', 'unit': 'VARCHAR',
                                            'quality': 'VARCHAR'{end}}}))
            GROUP BY ALL
        """)
    os.makedirs(out, exist_ok=True)
    con.execute(f"COPY (SELECT * FROM daily ORDER BY series, day) TO '{out}/daily.csv' (HEADER)")
    con.execute(f"""COPY (SELECT series, substr(day, 1, 7) AS month, sum(sum) AS sum, sum(count) AS count,
                                 sum(missing) AS missing
                          FROM daily GROUP BY ALL ORDER BY series, month) TO '{out}/monthly.csv' (HEADER)""")


def run_child(command, env=None):
    """Runs a command; returns (wall s, CPU s (user + system), peak RSS MiB, output)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    text = output.decode("utf-8", "replace")
    if code != 0:
        sys.exit("bench-matrix: %s failed (exit %d):\n%s" % (" ".join(command), code, text[-3000:]))
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0, text


def same_tree(a, b):
    result = subprocess.run(["diff", "-r", "-q", "-x", ".parkimpact", a, b], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    return result.returncode == 0, result.stdout.decode("utf-8", "replace").strip()


def check_job(runs, baseline):
    """The checks of a layout's runs (child process, `--check-job`): prints [series-days, rows, problems] as JSON."""
    ours = read_table(os.path.join(runs, "parkimpact-0", "matrix", "daily.csv"), ["series", "date"])
    # The PV matching's derived series (`sma-inverters`) have no DuckDB counterpart.
    ours = {key: value for key, value in ours.items() if "/pv-matching" not in key[0]}
    theirs = read_table(os.path.join(runs, "duckdb-0", "daily.csv"), ["series", "day"])
    problems = compare("daily", ours, theirs)
    problems += compare("monthly", monthly_from_daily(ours),
                        read_table(os.path.join(runs, "duckdb-0", "monthly.csv"), ["series", "month"]))
    same, detail = same_tree(os.path.join(runs, "parkimpact-0"), os.path.join(runs, "threads1-0"))
    if not same:
        problems.append("--threads 1 writes other outputs than --threads 2: " + detail[:500])
    if baseline:
        for mine, theirs_name in (("parkimpact-0", "baseline-0"), ("threads1-0", "baseline1-0")):
            same, detail = same_tree(os.path.join(runs, mine), os.path.join(runs, theirs_name))
            if not same:
                problems.append("outputs differ from --baseline's: " + detail[:500])
    print(json.dumps([len(ours), sum(v[1] + v[2] for v in ours.values()), problems]))


def bench_layout(layout, data, params, args, binary, baseline):
    runs = os.path.join(ROOT, ".build-bench", "matrix-runs", layout)
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")

    def parkimpact(name, run, exe, threads):
        out = os.path.join(runs, "%s-%d" % (name, run))
        shutil.rmtree(out, ignore_errors=True)
        return run_child([exe, "run", "--pipelines", os.path.join(data, "pipelines"), "--input",
                          os.path.join(data, "input"), "--output", out, "--daily-csv", "--settle-seconds", "0",
                          "--threads", str(threads)], env)

    jobs = {"parkimpact": lambda run: parkimpact("parkimpact", run, binary, 2),
            "threads1": lambda run: parkimpact("threads1", run, binary, 1),
            "duckdb": lambda run: duckdb(run)}
    if baseline:
        jobs["baseline"] = lambda run: parkimpact("baseline", run, baseline, 2)
        jobs["baseline1"] = lambda run: parkimpact("baseline1", run, baseline, 1)

    def duckdb(run):
        out = os.path.join(runs, "duckdb-%d" % run)
        shutil.rmtree(out, ignore_errors=True)
        return run_child([sys.executable, os.path.abspath(__file__), "--duckdb-job", data, out])

    figures = {name: {"wall": [], "cpu": [], "rss": []} for name in jobs}
    names = list(jobs)
    print("%s: %d files (%d sizes), %.0f MB, %d rows" % (layout, params["files"], params["distinct_sizes"],
                                                         params["bytes"] / 1e6, params["rows"]), flush=True)
    for run in range(args.runs):
        for name in (names if run % 2 == 0 else names[::-1]):
            warm(os.path.join(data, "input"))
            wall, cpu, rss, _ = jobs[name](run)
            figures[name]["wall"].append(wall)
            figures[name]["cpu"].append(cpu)
            figures[name]["rss"].append(rss)
            print("  run %d %-10s %7.2f s wall %7.2f s CPU %6.1f MiB" % (run + 1, name, wall, cpu, rss), flush=True)
    # Checked in a child process: the tables of a layout of many series-days take hundreds of MB, which the children
    # timed for the next layouts would inherit as their peak RSS.
    checked = subprocess.run([sys.executable, os.path.abspath(__file__), "--check-job", runs,
                              "1" if baseline else "0"], check=True, capture_output=True, text=True)
    series_days, rows, problems = json.loads(checked.stdout)
    summary = {name: {"wall": statistics.median(f["wall"]), "wall_min": min(f["wall"]), "wall_max": max(f["wall"]),
                      "cpu": statistics.median(f["cpu"]), "rss": max(f["rss"])} for name, f in figures.items()}
    print("  checked: %d series-days, %d rows: %s" % (
        series_days, rows,
        "ParkImpact = DuckDB, --threads 1 = --threads 2" + (", outputs = baseline's" if baseline else "")
        if not problems else "%d PROBLEMS" % len(problems)), flush=True)
    for problem in problems[:10]:
        print("    " + problem)
    return summary, problems


def main():
    parser = argparse.ArgumentParser(description="ParkImpact against DuckDB on every input layout.")
    parser.add_argument("--layouts", default="all", help="all, or a comma-separated list of " + ", ".join(layouts.LAYOUTS))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--meters", type=int, default=2400, help="rows per quarter-hour of the big layouts")
    parser.add_argument("--days", type=int, default=16, help="days of the big layouts")
    parser.add_argument("--small-files", type=int, default=10000)
    parser.add_argument("--huge-gib", type=float, default=0, help="add the `huge` layout: one file of this many GiB")
    parser.add_argument("--bin", default=".build/release/parkimpact")
    parser.add_argument("--baseline", help="another parkimpact binary to time beside --bin (outputs must be equal)")
    parser.add_argument("--json", help="write the medians to this file")
    parser.add_argument("--duckdb-job", nargs=2, metavar=("DATA", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--check-job", nargs=2, metavar=("RUNS", "BASELINE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.duckdb_job:
        duckdb_job(*args.duckdb_job)
        return
    if args.check_job:
        check_job(args.check_job[0], args.check_job[1] == "1")
        return
    ensure_duckdb()
    chosen = DEFAULT if args.layouts == "all" else [name.strip() for name in args.layouts.split(",") if name.strip()]
    if args.huge_gib > 0 and "huge" not in chosen:
        chosen.append("huge")
    for name in chosen:
        if name not in layouts.LAYOUTS:
            sys.exit("bench-matrix: unknown layout %s (known: %s)" % (name, ", ".join(layouts.LAYOUTS)))
    binary = os.path.join(ROOT, args.bin)
    baseline = os.path.abspath(args.baseline) if args.baseline else None
    results = {}
    problems = []
    for layout in chosen:
        data = os.path.join(ROOT, ".build-bench", "matrix", layout)
        # In a child process: the children timed below would inherit this process's peak RSS (`ru_maxrss` survives
        # fork and exec), and writing `shuffled` holds its 3.7 M lines in memory.
        subprocess.check_call([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "layouts.py"),
                               layout, "--out", data, "--meters", str(args.meters), "--days", str(args.days),
                               "--small-files", str(args.small_files), "--gib", str(args.huge_gib or 4.0)])
        with open(os.path.join(data, "params.json")) as f:
            params = json.load(f)
        summary, found = bench_layout(layout, data, params, args, binary, baseline)
        results[layout] = {"params": params, "medians": summary}
        problems += ["%s: %s" % (layout, p) for p in found]

    print()
    print("Medians of %d runs (wall / CPU = user + system); ratio = ParkImpact 2 threads / DuckDB, wall time; "
          "CPU 2/1 = CPU of 2 threads / CPU of 1" % args.runs)
    header = "%-15s %6s %7s | %16s %16s %8s | %16s %6s | %6s %8s" % (
        "layout", "files", "MB", "PI 2 thr wall/CPU", "PI 1 thr wall/CPU", "CPU 2/1", "DuckDB wall/CPU", "ratio",
        "goal", "peak RSS")
    if baseline:
        header += " | %16s %8s" % ("before 2 thr", "CPU new/old")
    print(header)
    misses = []
    for layout, result in results.items():
        m, p = result["medians"], result["params"]
        ratio = m["parkimpact"]["wall"] / m["duckdb"]["wall"]
        cpu21 = m["parkimpact"]["cpu"] / m["threads1"]["cpu"]
        goal = 1.0 if layout in layouts.SMALL_LAYOUTS else 0.67
        rss = max(m["parkimpact"]["rss"], m["threads1"]["rss"])
        row = "%-15s %6d %7.0f | %7.2f / %6.2f %7.2f / %6.2f %8.2f | %7.2f / %6.2f %6.2f | %6.2f %4.0f MiB" % (
            layout, p["files"], p["bytes"] / 1e6, m["parkimpact"]["wall"], m["parkimpact"]["cpu"],
            m["threads1"]["wall"], m["threads1"]["cpu"], cpu21, m["duckdb"]["wall"], m["duckdb"]["cpu"], ratio, goal,
            rss)
        if baseline:
            row += " | %7.2f / %6.2f %8.2f" % (m["baseline"]["wall"], m["baseline"]["cpu"],
                                              m["parkimpact"]["cpu"] / m["baseline"]["cpu"])
        print(row)
        if ratio > goal:
            misses.append("%s: ratio %.2f > %.2f" % (layout, ratio, goal))
        if cpu21 > 1.15:
            misses.append("%s: CPU 2 threads / 1 thread %.2f > 1.15" % (layout, cpu21))
        if rss >= 256:
            misses.append("%s: peak RSS %.0f MiB >= 256" % (layout, rss))
    print()
    print("goals (issue #21): " + ("all met" if not misses else "not met: " + "; ".join(misses)))
    print("load average: %s (figures are noisy on a busy machine)" % " ".join("%.2f" % x for x in os.getloadavg()))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    if problems:
        print("PROBLEMS:")
        for problem in problems:
            print("  " + problem)
        sys.exit(1)


if __name__ == "__main__":
    main()
