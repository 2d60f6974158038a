#!/usr/bin/env python3
"""One, two and three `parkimpact run` workers sharing a PostgreSQL state, against one run on SQLite.

The input: the demo pilot copied into PILOTS pilots (`.build-bench/workers/`, reused), or `--data DIR` (a folder with
pipelines/ and input/, such as `make bench`'s data). For each worker count, RUNS
times, on a fresh database: the workers start together, the wall time is until the last one exits; every worker must
exit 0 and the outputs must equal the SQLite run's byte for byte (`last-run.json` apart). Prints a Markdown table of
medians. A PostgreSQL server: PARKIMPACT_TEST_POSTGRES_URL, else a throwaway one (scripts/postgres-test-server.sh).
"""
import argparse, filecmp, os, shutil, statistics, subprocess, sys, tempfile, time, uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def prepare(folder, pilots):
    stamp = os.path.join(folder, f".ready-{pilots}")
    if os.path.exists(stamp):
        return
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(os.path.join(folder, "pipelines"))
    definition = open(os.path.join(ROOT, "pipelines", "demo-park.yaml"), encoding="utf-8").read()
    for index in range(1, pilots + 1):
        name = f"park-{index:02d}"
        with open(os.path.join(folder, "pipelines", name + ".yaml"), "w", encoding="utf-8") as out:
            out.write(definition.replace("pilot: demo-park", f"pilot: {name}", 1))
        shutil.copytree(os.path.join(ROOT, "input", "demo-park"), os.path.join(folder, "input", name))
    open(stamp, "w").close()


def same_outputs(a, b):
    comparison = filecmp.dircmp(a, b, ignore=[".parkimpact"])
    def clean(c):
        if c.left_only or c.right_only or c.diff_files or c.funny_files:
            return False
        return all(clean(sub) for sub in c.subdirs.values())
    # dircmp compares by stat first: force byte comparison of every common file
    for dirpath, _, files in os.walk(a):
        if ".parkimpact" in dirpath:
            continue
        for name in files:
            left = os.path.join(dirpath, name)
            right = os.path.join(b, os.path.relpath(left, a))
            if not os.path.exists(right) or not filecmp.cmp(left, right, shallow=False):
                return False
    return clean(comparison)


def run_workers(binary, folder, output, state, count, threads=None):
    arguments = [binary, "run", "--settle-seconds", "0", "--pipelines", os.path.join(folder, "pipelines"),
                 "--input", os.path.join(folder, "input"), "--output", output, "--state", state]
    if threads:
        arguments += ["--threads", str(threads)]
    start = time.monotonic()
    processes = [subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(count)]
    codes = []
    for process in processes:
        _, err = process.communicate()
        codes.append(process.returncode)
        if process.returncode != 0:
            sys.stderr.write(err.decode(errors="replace"))
    return time.monotonic() - start, codes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "parkimpact"))
    parser.add_argument("--pilots", type=int, default=6)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", default="1,2,3")
    parser.add_argument("--threads", type=int, help="--threads for every run (1: each worker stands for a host of "
                        "one core)")
    parser.add_argument("--data", help="a folder with pipelines/ and input/ (e.g. make bench's .build-bench/data-s1) "
                        "instead of the demo copied into --pilots pilots")
    options = parser.parse_args()
    if options.data:
        folder = os.path.abspath(options.data)
        pilots = sorted(name[:-5] for name in os.listdir(os.path.join(folder, "pipelines")) if name.endswith(".yaml"))
        title = f"{os.path.relpath(folder, ROOT)}: {len(pilots)} pilot{'s' if len(pilots) > 1 else ''}"
    else:
        folder = os.path.join(ROOT, ".build-bench", "workers")
        prepare(folder, options.pilots)
        title = f"{options.pilots} pilots × the demo's 16 files ({options.pilots * 508149:,} rows)"
    server = None
    url = os.environ.get("PARKIMPACT_TEST_POSTGRES_URL")
    if not url:
        server = tempfile.mkdtemp(prefix="parkimpact-bench-pg-")
        url = subprocess.check_output([os.path.join(ROOT, "scripts", "postgres-test-server.sh"), "start", server],
                                      text=True).strip()
    base = url.rsplit("/", 1)[0]
    scratch = tempfile.mkdtemp(prefix="parkimpact-bench-workers-")
    try:
        env_epoch = {"SOURCE_DATE_EPOCH": "1700000000"}
        os.environ.update(env_epoch)
        reference = os.path.join(scratch, "sqlite")
        sqlite_times = []
        for _ in range(options.runs):
            shutil.rmtree(reference, ignore_errors=True)
            seconds, codes = run_workers(options.binary, folder, reference,
                                         os.path.join(scratch, f"state-{uuid.uuid4().hex}.sqlite"), 1,
                                         options.threads)
            assert codes == [0], codes
            sqlite_times.append(seconds)
        rows = [("1 run, SQLite state", statistics.median(sqlite_times), "reference")]
        for count in [int(x) for x in options.workers.split(",")]:
            times = []
            handed = []
            for _ in range(options.runs):
                database = "bench_" + uuid.uuid4().hex
                subprocess.check_call(["psql", url, "-qc", f"CREATE DATABASE {database}"])
                output = os.path.join(scratch, f"pg-{count}")
                shutil.rmtree(output, ignore_errors=True)
                seconds, codes = run_workers(options.binary, folder, output, f"{base}/{database}", count,
                                             options.threads)
                assert all(code == 0 for code in codes), codes
                assert same_outputs(reference, output), f"{count} workers: outputs differ from the SQLite run's"
                times.append(seconds)
                # Files a worker read for the pilot's holder (handed over in file_claim).
                handed.append(int(subprocess.check_output(
                    ["psql", f"{base}/{database}", "-tAc", "SELECT count(*) FROM file_claim WHERE done"], text=True)))
            rows.append((f"{count} worker{'s' if count > 1 else ''}, PostgreSQL state", statistics.median(times),
                         "identical", f"{min(handed)}–{max(handed)}" if min(handed) != max(handed) else str(handed[0])))
        threads = f", --threads {options.threads}" if options.threads else ""
        print(f"| {title}{threads} | wall, median of {options.runs} | outputs | files read by helpers |")
        print("|---|---|---|---|")
        for name, seconds, outputs, *handed in rows:
            print(f"| {name} | {seconds:.2f} s | {outputs} | {handed[0] if handed else '—'} |")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if server:
            subprocess.call([os.path.join(ROOT, "scripts", "postgres-test-server.sh"), "stop", server])


if __name__ == "__main__":
    main()
