#!/usr/bin/env python3
"""Row accounting of `generic` on the Pollock polluted-CSV benchmark (HPI-Information-Systems/Pollock,
`polluted_files/`: csv/ the polluted files, clean/ the expected parse of each, parameters/ their header lines).

Usage: pollock-accounting.py POLLOCK_DIR BINARY [--jobs N] [--timeout S] [--only SUBSTRING] [--every K] [--csv OUT.csv]
  POLLOCK_DIR  the repository (or its polluted_files/ folder)
  BINARY       the parkimpact binary (.build/release/parkimpact)

Each polluted file goes the coordinator's path (scripts/sniff-paste-run.py: sniff, the proposal pasted unedited with
the site, quantity electricity_offtake and unit kWh filled in, run --daily-csv). Then every data row of the clean file
(rows after its header) is looked for:
  loaded    its date has a day in daily.csv; its value there must equal the clean file's value in the column the
            series reads (the series' meter is the column name), else the file is "wrong"
  rejected  a row of rejects.csv whose raw text holds the row's PRODUCTID or date (else any other reject whose raw
            text holds a date, and the rows counted in "... and N more")
  ignored   the report's ignored rows beyond the lines that are not data (preamble, extra header lines, blank lines)
A day in daily.csv that no clean row has is a wrong value too. Classes:
  right      every data row loaded with the clean value, rejected or ignored
  wrong      a loaded value differs from the clean file's (or a day no clean row has)
  missing    some data rows neither loaded, rejected nor ignored
  refused    no proposal / exit 65 with a message naming the file (the message is printed)
  crash      a signal or exit >= 128 (sniff or run); hang: over --timeout seconds
Stdlib only. The dates of the Pollock source file are unique per row, so a day is one row."""
import argparse, collections, concurrent.futures, csv, datetime, glob, html, json, os, re, shutil, signal, \
    subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FILLS = ["quantity=electricity_offtake", "unit=kWh", "kwh_per_m3=10"]


def run(cmd, timeout, **kw):
    """(returncode, stdout, stderr); returncode None on timeout (the whole process group is killed)."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace",
                         start_new_session=True, **kw)
    try:
        out, err = p.communicate(timeout=timeout)
        return p.returncode, out, err
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return None, "", ""


def crashed(rc):
    return rc is not None and (rc < 0 or rc >= 128)


def number(text):
    """The clean file's cell as a number: (value, lenient); lenient when only stray quotes were stripped."""
    try:
        return float(text), False
    except ValueError:
        pass
    try:
        return float(text.strip("\"' ")), True
    except ValueError:
        return None, False


def clean_rows(base, name):
    with open(os.path.join(base, "clean", name), newline="", encoding="utf-8", errors="replace") as f:
        rows = list(csv.reader(f))
    params = json.load(open(os.path.join(base, "parameters", name + "_parameters.json")))
    header = rows[0] if params["header_lines"] > 0 and rows else []
    data = rows[1:] if params["header_lines"] > 0 else rows
    return header, [r for r in data if any(c.strip() for c in r)], params


def nondata_lines(path, params):
    """Lines of the polluted file that are not data: preamble, footnotes, header lines, blank lines (a header taken
    for preamble is ignored; the header line the run reads by is not counted as ignored)."""
    blank = 0
    with open(path, "rb") as f:
        for line in re.split(rb"\r\n|\n|\r", f.read()):
            if not line.strip(b" ,;\t"):
                blank += 1
    blank = max(0, blank - 1)  # the split after the final newline
    return params["preamble_lines"] + params["footnote_lines"] + params["header_lines"] + blank


def ignored_rows(report):
    """The total of the files table's ignored column in report.html (the last total row)."""
    try:
        text = open(report, encoding="utf-8").read()
    except FileNotFoundError:
        return 0
    m = re.findall(r'<tr class="total">.*?</tr>', text)
    if not m:
        return 0
    cells = re.findall(r'<td class="num">([^<]*)', m[-1])
    return int(re.sub(r"\D", "", cells[2])) if len(cells) >= 3 else 0


def sniffed_columns(text):
    """The column names sniff lists under "columns (header line N):", in order."""
    m = re.search(r"^columns \(header line \d+\):\n((?:  +\d+\. .*\n?)+)", text, re.M)
    return [re.sub(r"^ +\d+\. ", "", l) for l in m.group(1).splitlines()] if m else []


def column_of(meter, header, sniffed):
    """The column a series reads: its meter is the column's name in the header sniff found (same positions as the
    clean file's columns), else a name of the clean header."""
    if meter in sniffed:
        return sniffed.index(meter)
    names = [h.strip().lower() for h in header]
    m = meter.strip().lower()
    if m in names:
        return names.index(m)
    for i, h in enumerate(names):  # a merged multirow header: "Qty Qty"
        if m in h.split():
            return i
    return None


def account(base, name, binary, timeout, work):
    polluted = os.path.join(base, "csv", name)
    res = {"file": name, "class": "", "data_rows": 0, "loaded": 0, "rejected": 0, "ignored": 0, "missing": 0,
           "wrong": 0, "lenient": 0, "note": ""}
    header, data, params = clean_rows(base, name)
    res["data_rows"] = len(data)
    rc, out, err = run([binary, "sniff", polluted], timeout)
    sniffed = sniffed_columns(out)
    if rc is None:
        res.update({"class": "hang", "note": "sniff"}); return res
    if crashed(rc):
        res.update({"class": "crash", "note": "sniff exit %d: %s" % (rc, err.strip()[-200:])}); return res
    env = dict(os.environ, PI=binary, WORK=work)
    rc, out, err = run([sys.executable, os.path.join(HERE, "sniff-paste-run.py"), polluted] + FILLS, timeout * 2,
                       env=env)
    root = os.path.join(work, re.sub(r"[^A-Za-z0-9]", "_", name))
    try:
        if rc is None:
            res.update({"class": "hang", "note": "run"}); return res
        if out.startswith("NO PROPOSAL") or out.startswith("UNFILLED"):
            msg = " ".join(l.strip() for l in out.splitlines() if "proposal" in l or "error" in l or "empty" in l)
            res.update({"class": "refused" if len(data) == 0 or msg else "missing",
                        "missing": len(data) if not msg else 0, "note": out.splitlines()[0] + ": " + msg[:300]})
            return res
        m = re.search(r"\| exit (-?\d+)", out)
        code = int(m.group(1)) if m else None
        if code is None or crashed(code):
            res.update({"class": "crash", "note": "run exit %s: %s" % (code, (out + err).strip()[-300:])}); return res
        daily = collections.defaultdict(dict)  # meter -> {iso date: sum}
        try:
            with open(os.path.join(root, "output/p/daily.csv"), encoding="utf-8-sig") as f:
                for row in csv.DictReader(f):
                    meter = row["series"].split("/", 2)[2]
                    daily[meter][row["date"]] = float(row["sum"])
        except FileNotFoundError:
            pass
        rejects, more = [], 0
        try:
            with open(os.path.join(root, "output/p/rejects.csv"), encoding="utf-8-sig", newline="") as f:
                for row in csv.DictReader(f):
                    mm = re.search(r"and ([\d,.]+) more", row.get("reason", "") + " " + row.get("raw", ""))
                    if mm and not row.get("raw"):
                        more += int(re.sub(r"\D", "", mm.group(1)))
                    else:
                        rejects.append(row.get("raw", ""))
        except FileNotFoundError:
            pass
        ignored = max(0, ignored_rows(os.path.join(root, "output/p/report.html")) - nondata_lines(polluted, params))
        if code == 65 and not daily:
            first = next((l for l in (out + err).splitlines() if name in l), "")
            res.update({"class": "refused" if first else "missing", "note": first.strip()[:300]})
            if not first:
                res["missing"] = len(data)
            return res
        columns = {meter: column_of(meter, header, sniffed) for meter in daily}
        used_days, used_rejects, missing_rows = set(), set(), 0
        for row in data:
            try:
                day = datetime.datetime.strptime(row[0].strip(), "%d/%m/%Y").date().isoformat()
            except (ValueError, IndexError):
                day = None
            loaded = day is not None and any(day in d for d in daily.values())
            if loaded:
                res["loaded"] += 1
                used_days.add(day)
                for meter, d in daily.items():
                    if day not in d:
                        continue
                    col = columns[meter]
                    want, lenient = number(row[col]) if col is not None and col < len(row) else (None, False)
                    if want is None or abs(want - d[day]) > 1e-9 * max(1.0, abs(want)):
                        res["wrong"] += 1
                        if len(res["note"]) < 300:
                            res["note"] += "%s %s: loaded %g, clean %r; " % (day, meter, d[day],
                                                                           row[col] if col is not None else None)
                    elif lenient:
                        res["lenient"] += 1
                continue
            keys = [k for k in (row[3].strip() if len(row) > 3 else "", row[0].strip()) if k]
            hit = next((i for i, raw in enumerate(rejects) if i not in used_rejects and any(k in raw for k in keys)),
                       None)
            if hit is not None:
                used_rejects.add(hit); res["rejected"] += 1
            else:
                missing_rows += 1
        extra_days = sorted({day for d in daily.values() for day in d} - used_days)
        if extra_days:
            res["wrong"] += len(extra_days)
            res["note"] += "days no clean row has: %s; " % ", ".join(extra_days[:5])
        # Rejects not matched to a row: only those that hold a date can be a data row's (not the header's).
        spare = sum(1 for i, raw in enumerate(rejects)
                    if i not in used_rejects and re.search(r"\d\d?/\d\d?/\d{4}", raw)) + more
        covered = min(missing_rows, spare)
        res["rejected"] += covered
        missing_rows -= covered
        covered = min(missing_rows, ignored)
        res["ignored"] = covered
        res["missing"] = missing_rows - covered
        res["class"] = "wrong" if res["wrong"] else "missing" if res["missing"] else "right"
        if code != 0:
            res["note"] += "exit %d; " % code
        return res
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pollock"); ap.add_argument("binary")
    ap.add_argument("--jobs", type=int, default=2); ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--only", default=""); ap.add_argument("--every", type=int, default=1); ap.add_argument("--csv", default="")
    a = ap.parse_args()
    base = a.pollock if os.path.isdir(os.path.join(a.pollock, "csv")) else os.path.join(a.pollock, "polluted_files")
    binary = os.path.abspath(a.binary)
    names = sorted(n for n in os.listdir(os.path.join(base, "csv")) if a.only in n)[::a.every]
    work = tempfile.mkdtemp(prefix="pollock-")
    results = []
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
        for i, r in enumerate(pool.map(lambda n: account(base, n, binary, a.timeout, work), names), 1):
            results.append(r)
            if r["class"] != "right":
                print("%-7s %-40s rows %d loaded %d rejected %d ignored %d missing %d wrong %d  %s" % (
                    r["class"], r["file"], r["data_rows"], r["loaded"], r["rejected"], r["ignored"], r["missing"],
                    r["wrong"], r["note"]), flush=True)
            if i % 200 == 0:
                print("... %d of %d files" % (i, len(names)), file=sys.stderr, flush=True)
    shutil.rmtree(work, ignore_errors=True)
    if a.csv:
        with open(a.csv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(results[0])); w.writeheader(); w.writerows(results)
    counts = collections.Counter(r["class"] for r in results)
    total = lambda k: sum(r[k] for r in results)
    print("files: %d; %s" % (len(results), ", ".join("%s %d" % (c, counts[c]) for c in
                                                      ("right", "wrong", "missing", "refused", "crash", "hang"))))
    print("data rows: %d; loaded %d (values differing %d, read from a cell with stray quotes %d), rejected %d, "
          "ignored %d, missing %d" % (total("data_rows"), total("loaded"), total("wrong"), total("lenient"),
                                      total("rejected"), total("ignored"), total("missing")))
    sys.exit(0 if counts["right"] + counts["refused"] == len(results) else 1)


if __name__ == "__main__":
    main()
