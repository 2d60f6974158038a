#!/bin/sh
# Peak memory and time of a run over one `parkimpact-long` export of N rows (default 700,000: 8 meters × 87,500
# quarter-hours, values from a fixed formula; scripts/make-pasted-export.py) pasted twice, header included. Every
# row of the second copy repeats a reading that is not its series' last: its code is settled by the second pass.
# Usage: scripts/measure-pasted-twice.sh [BINARY] [ROWS] [KEEP_DIR] [VARIANT] (VARIANT: see make-pasted-export.py)
# Expected (exact): N rows accepted, N rejected (duplicate_interval); rejects.csv = header + 100 rows + one count row.
# KEEP_DIR: the pilot folder is kept there (to compare the outputs of two builds with cmp).
set -eu
binary=$(cd "$(dirname "${1:-.build/debug/parkimpact}")" && pwd)/$(basename "${1:-.build/debug/parkimpact}")
rows=${2:-700000}
root=${3:-}
variant=${4:-exact}
if [ -z "$root" ]; then root=$(mktemp -d); trap 'rm -rf "$root"' EXIT; fi
rm -rf "$root/output"
mkdir -p "$root/input/p" "$root/pipelines"
cat > "$root/pipelines/p.yaml" <<'YAML'
pilot: p
name: P
periods: { baseline: { from: 2023-01-01, to: 2023-12-31 }, reporting: { from: 2024-01-01, to: 2024-12-31 } }
sites: [ { id: s } ]
sources: [ { path: "*.csv", format: parkimpact-long } ]
YAML
python3 "$(dirname "$0")/make-pasted-export.py" "$root/input/p/a.csv" "$rows" "$variant"
cd "$root"
/usr/bin/time -v "$binary" run --settle-seconds 0 2>time.txt | tail -1
grep -E "Maximum resident|Elapsed|User time" time.txt
echo "rejects.csv lines: $(wc -l < output/p/rejects.csv)"; tail -1 output/p/rejects.csv
