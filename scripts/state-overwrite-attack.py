#!/usr/bin/env python3
"""Random 16-byte overwrites of a state, each followed by `report` (which decodes every stored contribution): does any
change kpis.json quietly? Usage: state-overwrite-attack.py BASE [N]: BASE is a folder with pipelines/, input/ and
output/ after a run with SOURCE_DATE_EPOCH=1700000000 and a `report`; $PI is the binary (default .build/release).
Prints each outcome (exit code, message, KPIs changed or not, and whether a later run and report restore them)."""
import os, random, shutil, subprocess, sys, collections
random.seed(7)
base = os.path.abspath(sys.argv[1])
P = os.path.abspath(os.environ.get("PI") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "../.build/release/parkimpact"))
pilot = sorted(d for d in os.listdir(base + "/output") if not d.startswith(".") and os.path.isdir(base + "/output/" + d))[0]
ref = open(base + "/output/" + pilot + "/kpis.json", "rb").read()
size = os.path.getsize(base + "/output/.parkimpact/state.sqlite")
outcomes = collections.Counter(); quiet = []
for i in range(int(sys.argv[2]) if len(sys.argv) > 2 else 40):
    w = base + ".attack"; shutil.rmtree(w, ignore_errors=True); shutil.copytree(base, w)
    off = random.randrange(0, size - 16)
    with open(w + "/output/.parkimpact/state.sqlite", "r+b") as f:
        f.seek(off); f.write(os.urandom(16))
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    r = subprocess.run([P, "report"], cwd=w, capture_output=True, text=True, env=env)
    try: kp = open(w + "/output/" + pilot + "/kpis.json", "rb").read()
    except FileNotFoundError: kp = b""
    changed = kp != ref
    msg = "repaired" if "read again and stored anew" in r.stderr else ("damaged" if "damaged" in r.stderr else ("err:" + r.stderr.strip()[:60] if r.stderr.strip() else "silent"))
    key = f"exit {r.returncode} {msg}" + (" KPIs changed" if changed else "")
    if r.returncode == 0 and changed: quiet.append((off, r.stderr[:200]))
    # then a run: does it recover?
    r2 = subprocess.run([P, "run", "--settle-seconds", "0"], cwd=w, capture_output=True, text=True, env=env)
    r3 = subprocess.run([P, "report"], cwd=w, capture_output=True, text=True, env=env)
    kp3 = open(w + "/output/" + pilot + "/kpis.json", "rb").read() if os.path.exists(w + "/output/" + pilot + "/kpis.json") else b""
    key += f" | run {r2.returncode}, report {r3.returncode}" + (" same" if kp3 == ref else " DIFFERENT")
    outcomes[key] += 1
for k, v in sorted(outcomes.items()): print(v, k)
print("quiet changes:", quiet)
