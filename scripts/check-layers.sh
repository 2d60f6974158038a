#!/bin/sh
# Adds an upward import to a copy of the package (ParkImpactModel importing ParkImpactKPIs) and checks that the
# build fails with the undeclared-dependency error. Exit 0 when the layering holds.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -R "$root/Package.swift" "$root/Sources" "$root/Tests" "$tmp/"
[ -d "$root/.build" ] && cp -R "$root/.build" "$tmp/.build" 2>/dev/null || true
echo 'import ParkImpactKPIs' >> "$tmp/Sources/ParkImpactModel/Slots.swift"
if out=$(cd "$tmp" && swift build --target ParkImpactModel --explicit-target-dependency-import-check=error 2>&1); then
    echo "layering NOT enforced: ParkImpactModel built with an import of ParkImpactKPIs" >&2
    exit 1
fi
if echo "$out" | grep -q "imports another target (ParkImpactKPIs) in the package without declaring it a dependency"; then
    echo "layering enforced: an upward import (ParkImpactModel → ParkImpactKPIs) does not build"
else
    echo "the build failed for another reason:" >&2
    echo "$out" | tail -20 >&2
    exit 1
fi
