#!/usr/bin/env python3
"""A coordinator's path: sniff FILE, paste the proposal (site filled in, <...> filled from FILLS), run, and sum
daily.csv per quantity; the pilot is built under $WORK (default /tmp/acc). Usage: sniff-paste-run.py FILE
[key=value ...] (e.g. kwh_per_m3=11.2): fills the <...> placeholders named key. Binary: $PI, default .build/debug."""
import os, re, shutil, subprocess, sys, csv, collections
P = os.environ.get("PI", os.path.join(os.path.dirname(os.path.abspath(__file__)), "../.build/debug/parkimpact"))
path = os.path.abspath(sys.argv[1]); fills = dict(a.split("=", 1) for a in sys.argv[2:])
name = os.path.basename(path)
root = os.environ.get("WORK", "/tmp/acc") + "/" + re.sub(r"[^A-Za-z0-9]", "_", name)
shutil.rmtree(root, ignore_errors=True); os.makedirs(root + "/input/p"); os.makedirs(root + "/pipelines")
shutil.copy(path, root + "/input/p/" + name)
out = subprocess.run([P, "sniff", path], capture_output=True, text=True)
text = out.stdout
m = re.search(r"^sources:\n(?:  .*\n?)+", text, re.M)
if not m:
    print("NO PROPOSAL\n" + text + out.stderr); sys.exit(1)
yaml = m.group(0)
yaml = yaml.replace("<site id>", "s")
for key, value in fills.items():
    yaml = re.sub(r"<[^>]*%s[^>]*>" % re.escape(key), value, yaml)
    yaml = re.sub(r"(%s: )<[^>]*>" % re.escape(key), r"\g<1>" + value, yaml)
fmt = re.search(r"format: (\S+)", yaml).group(1)
if "<" in re.sub(r"#.*", "", yaml):
    print("UNFILLED\n" + yaml); sys.exit(1)
open(root + "/pipelines/p.yaml", "w").write("""pilot: p
name: P
periods: { baseline: { from: 2000-01-01, to: 2012-12-31 }, reporting: { from: 2013-01-01, to: 2030-12-31 } }
sites: [ { id: s } ]
""" + yaml + "\n")
r = subprocess.run([P, "run", "--settle-seconds", "0", "--daily-csv"], cwd=root, capture_output=True, text=True)
print("format:", fmt, "| exit", r.returncode, "|", r.stdout.strip().splitlines()[-1] if r.stdout.strip() else "")
for line in r.stderr.strip().splitlines()[:4]: print("  ", line[:300])
sums = collections.defaultdict(float); days = collections.defaultdict(int)
try:
    with open(root + "/output/p/daily.csv", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            q = row.get("quantity") or row["series"].split("/")[1]
            sums[q] += float(row["sum"]); days[q] += 1
except FileNotFoundError:
    print("   no daily.csv")
for q in sorted(sums): print("   %-24s %.6f over %d days" % (q, sums[q], days[q]))
