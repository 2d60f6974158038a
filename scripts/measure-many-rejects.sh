#!/bin/sh
# Peak memory and time of a run over one file of N rows whose value is not a number (default 2,760,000), and the size
# of rejects.csv and the state. Usage: scripts/measure-many-rejects.sh [BINARY] [ROWS]
# Expected (this build): every row counted in the summary line, rejects.csv = header + 100 rows + one count row.
set -eu
binary=$(cd "$(dirname "${1:-.build/debug/parkimpact}")" && pwd)/$(basename "${1:-.build/debug/parkimpact}")
rows=${2:-2760000}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/input/p" "$root/pipelines"
cat > "$root/pipelines/p.yaml" <<'YAML'
pilot: p
name: P
periods: { baseline: { from: 2023-01-01, to: 2023-12-31 }, reporting: { from: 2024-01-01, to: 2024-12-31 } }
sites: [ { id: s } ]
sources: [ { path: "*.csv", format: parkimpact-long } ]
YAML
python3 - "$root/input/p/a.csv" "$rows" <<'PY'
import datetime, sys
path, rows = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    f.write("timestamp,site,series,quantity,value,unit,quality\n")
    f.write("2023-01-01T00:00:00+01:00,s,m0,electricity_offtake,1,kWh,measured\n")
    for i in range(rows):  # 8 meters per quarter-hour, value "x"
        ts = datetime.datetime(2022, 12, 31, 23, 15) + datetime.timedelta(minutes=15 * (i // 8))
        f.write(f"{ts:%Y-%m-%dT%H:%M:%S}+00:00,s,m{i % 8},electricity_offtake,x,kWh,measured\n")
PY
cd "$root"
/usr/bin/time -v "$binary" run --settle-seconds 0 2>time.txt | tail -1
grep -E "Maximum resident|Elapsed|User time" time.txt
ls -l output/p/rejects.csv output/.parkimpact/state.sqlite | awk '{print $5, $NF}'
echo "rejects.csv lines: $(wc -l < output/p/rejects.csv)"; tail -1 output/p/rejects.csv
