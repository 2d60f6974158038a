#!/usr/bin/env python3
"""Random 16-byte overwrites of a state, each followed by `report` (which decodes every stored contribution): does any
change kpis.json quietly? Usage: state-overwrite-attack.py BASE [N] [--ledger]: BASE is a folder with pipelines/,
input/ and output/ after a run with SOURCE_DATE_EPOCH=1700000000 and a `report`; $PI is the binary (default
.build/release). Prints each outcome (exit code, message, KPIs changed or not, and whether a later run and report
restore them).

--ledger aims every overwrite at the bytes of a ledger row: the state is checkpointed first (its WAL folded into the
file), the b-tree of table `input_file` is walked from its root page (sqlite_master) and each overwrite starts inside
one cell of a leaf page (a row: payload length, rowid, record header and values) and stays inside it. Then a run and
a report; the summary counts detected (an error or a warning from report or run, the final KPIs the same as before),
no effect (nothing said, the KPIs the same) and quiet KPI changes (exit 0 with nothing said and other KPIs, from
report, or from the final report after the run)."""
import os, random, shutil, sqlite3, subprocess, sys, collections
random.seed(7)
ledger_mode = "--ledger" in sys.argv
sys.argv = [a for a in sys.argv if a != "--ledger"]
base = os.path.abspath(sys.argv[1])


def varint(data, at):
    """SQLite's big-endian varint at `at`: (value, length)."""
    value = 0
    for i in range(9):
        byte = data[at + i]
        if i == 8:
            return (value << 8) | byte, 9
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, i + 1


def ledger_cells(db):
    """(offset, length) in the file of every cell of table input_file's leaf pages."""
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'input_file'").fetchone()[0]
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    data = open(db, "rb").read()
    cells, stack = [], [root]
    while stack:
        page = stack.pop()
        start = (page - 1) * page_size
        header = start + (100 if page == 1 else 0)
        kind, count = data[header], int.from_bytes(data[header + 3:header + 5], "big")
        pointers = header + (12 if kind == 5 else 8)
        for i in range(count):
            cell = start + int.from_bytes(data[pointers + 2 * i:pointers + 2 * i + 2], "big")
            if kind == 5:
                stack.append(int.from_bytes(data[cell:cell + 4], "big"))
            elif kind == 13:
                payload, a = varint(data, cell)
                _, b = varint(data, cell + a)
                cells.append((cell, a + b + min(payload, page_size - 35)))
        if kind == 5:
            stack.append(int.from_bytes(data[header + 8:header + 12], "big"))
    return cells


cells = ledger_cells(base + "/output/.parkimpact/state.sqlite") if ledger_mode else []
if ledger_mode:
    print(f"{len(cells)} ledger rows, {sum(n for _, n in cells)} bytes")
verdicts = collections.Counter()
P = os.path.abspath(os.environ.get("PI") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "../.build/release/parkimpact"))
pilot = sorted(d for d in os.listdir(base + "/output") if not d.startswith(".") and os.path.isdir(base + "/output/" + d))[0]
ref = open(base + "/output/" + pilot + "/kpis.json", "rb").read()
size = os.path.getsize(base + "/output/.parkimpact/state.sqlite")
outcomes = collections.Counter(); quiet = []
for i in range(int(sys.argv[2]) if len(sys.argv) > 2 else 40):
    w = base + ".attack"; shutil.rmtree(w, ignore_errors=True); shutil.copytree(base, w)
    if ledger_mode:
        cell, length = random.choice(cells)
        off = cell + random.randrange(0, max(1, length - 16))
    else:
        off = random.randrange(0, size - 16)
    with open(w + "/output/.parkimpact/state.sqlite", "r+b") as f:
        f.seek(off); f.write(os.urandom(16))
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    r = subprocess.run([P, "report"], cwd=w, capture_output=True, text=True, env=env)
    try: kp = open(w + "/output/" + pilot + "/kpis.json", "rb").read()
    except FileNotFoundError: kp = b""
    changed = kp != ref
    msg = "ledger" if "its ledger row" in r.stderr else "repaired" if "read again and stored anew" in r.stderr else ("damaged" if "damaged" in r.stderr else ("err:" + r.stderr.strip()[:60] if r.stderr.strip() else "silent"))
    key = f"exit {r.returncode} {msg}" + (" KPIs changed" if changed else "")
    if r.returncode == 0 and changed: quiet.append((off, r.stderr[:200]))
    # then a run: does it recover?
    r2 = subprocess.run([P, "run", "--settle-seconds", "0"], cwd=w, capture_output=True, text=True, env=env)
    r3 = subprocess.run([P, "report"], cwd=w, capture_output=True, text=True, env=env)
    kp3 = open(w + "/output/" + pilot + "/kpis.json", "rb").read() if os.path.exists(w + "/output/" + pilot + "/kpis.json") else b""
    key += f" | run {r2.returncode}, report {r3.returncode}" + (" same" if kp3 == ref else " DIFFERENT")
    def spoke(text):  # a diagnostic, not the summary line (`demo-park: rebuilt from the state …`)
        return any(line.strip() and not line.startswith(pilot + ": ") for line in text.splitlines())
    said = r.returncode != 0 or spoke(r.stderr) or r2.returncode != 0 or spoke(r2.stderr)
    if (r.returncode == 0 and not r.stderr.strip() and changed) or (not said and kp3 != ref):
        verdicts["quiet KPI change"] += 1
    elif said and kp3 == ref:
        verdicts["detected, repaired"] += 1
    elif said:
        verdicts["detected, final KPIs differ"] += 1
    else:
        verdicts["no effect"] += 1
    outcomes[key] += 1
for k, v in sorted(outcomes.items()): print(v, k)
print("quiet changes:", quiet)
print("verdicts:", dict(verdicts))
