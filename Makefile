# ParkImpact: `make run` and `make test` work on a fresh Debian machine with Swift.
SWIFT        ?= swift
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := libcsv-dev libsqlite3-dev libpq-dev postgresql tzdata chromium
BIN          := .build/release/parkimpact
# A target that imports another without declaring it a dependency (an upward import) is an error.
LAYERS       := --explicit-target-dependency-import-check=error

.PHONY: run test build deps check-layers demo-data check-demo-data check-kpis contract-check fuzz bench bench-matrix bench-workers clean

## Install the system packages that are missing (libcsv, SQLite, libpq and a PostgreSQL server for the tests,
## time-zone data, Chromium).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

## Release build.
build: deps
	$(SWIFT) build -c release $(LAYERS)

## Run every pipeline in pipelines/ on input/, write output/.
run: build
	$(BIN) run --settle-seconds 0

## The whole test suite.
test: deps
	$(SWIFT) test $(LAYERS)

## Show that the layering is enforced: an upward import (Model importing KPIs) must fail to build.
check-layers: deps
	@scripts/check-layers.sh

## Regenerate the demo pilot's input (deterministic; the result is committed).
demo-data:
	python3 scripts/generate-demo-data.py --out input/demo-park

## Check the committed demo input is exactly what the script generates.
check-demo-data:
	@tmp=$$(mktemp -d); python3 scripts/generate-demo-data.py --out $$tmp/demo-park >/dev/null && \
	  diff -r -q $$tmp/demo-park input/demo-park && echo "demo data: reproducible"; rc=$$?; rm -rf $$tmp; exit $$rc

## Recompute the demo pilot's KPIs independently (Python, standard library) and compare with a fresh run (issue #16).
check-kpis: build
	@tmp=$$(mktemp -d); $(BIN) run --settle-seconds 0 --output $$tmp >/dev/null && \
	  python3 scripts/recompute-demo-kpis.py $$tmp/demo-park/kpis.json; rc=$$?; rm -rf $$tmp; exit $$rc

## Check the build against the public contract (../shared/tools/contract-check).
contract-check: build
	../shared/tools/contract-check $(CURDIR)/$(BIN)

## Fuzz with libFuzzer (+ AddressSanitizer), each target for FUZZ_SECONDS (default 60): the CSV layer (csv-fuzz),
## every format's reader with the codec round trip (formats-fuzz: the first byte picks the format), and the state's
## contribution decoder (state-fuzz). Corpora in .build-fuzz/corpus-<target>, seeded from fuzz/corpus and the fixtures.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= csv-fuzz formats-fuzz state-fuzz
fuzz: deps
	for target in $(FUZZ_TARGETS); do \
	  PARKIMPACT_FUZZ=1 $(SWIFT) build --scratch-path .build-fuzz -c release --product $$target \
	    -Xswiftc -sanitize=fuzzer,address || exit 1; \
	done
	@for target in $(FUZZ_TARGETS); do mkdir -p .build-fuzz/corpus-$$target; done
	@cp fuzz/corpus/* .build-fuzz/corpus-csv-fuzz/ && cp Tests/Fixtures/samples/*.csv .build-fuzz/corpus-csv-fuzz/
	@find Tests/ParkImpactTests/Fixtures -name '*.csv' -size -16k -exec cp {} .build-fuzz/corpus-formats-fuzz/ \;
	for target in $(FUZZ_TARGETS); do \
	  .build-fuzz/release/$$target -max_total_time=$(FUZZ_SECONDS) -max_len=16384 -rss_limit_mb=2048 \
	    -print_final_stats=1 .build-fuzz/corpus-$$target || exit 1; \
	done

## ParkImpact against DuckDB on ~1 GiB of generated quarter-hour data (.build-bench/, reused); SCALE=4 for ~4 GiB
## (GROW=days: 4x the days per meter; GROW=rows: the same days, 5x the rows per day of the long export);
## ORDER=time writes the long export time by time (every meter at 00:00, then 00:15, ...) instead of meter by meter.
SCALE ?= 1
RUNS  ?= 3
GROW  ?= days
ORDER ?= meter
## `make bench LAYOUTS=all` (or `make bench-matrix`) runs the layout matrix instead.
bench: build
ifeq ($(strip $(LAYOUTS)),)
	python3 scripts/bench/bench.py --scale $(SCALE) --runs $(RUNS) --grow $(GROW) --order $(ORDER)
else
	$(MATRIX)
endif

## ParkImpact (2 threads and 1, wall and CPU time) against DuckDB on each input layout of scripts/bench/layouts.py
## (.build-bench/matrix/, reused): by meter, by time, one series id for two quantities, a time-ordered export in 4
## files ending mid-day, newest first and quoted, 16,000 meters by time, rows in no order, a Fluvius export by time,
## a generic export by time (also in Windows-1252) and one of 48 meter columns, one value per meter and day, one file
## of 57 MB, three of 38 MB, HomeWizard register exports newest first, SMA inverter exports (registers and PV
## matching), 10,000 small files of equal size and of varying size. LAYOUTS=by-time,small-equal picks
## some; HUGE_GIB=4 adds one file of 4 GiB; BASELINE=<another parkimpact binary> times it beside this build and
## checks their outputs are identical. Checks ParkImpact's sums against DuckDB's; prints medians and ratios.
HUGE_GIB ?= 0
MATRIX = python3 scripts/bench/matrix.py --layouts $(or $(LAYOUTS),all) --runs $(RUNS) --huge-gib $(HUGE_GIB) \
	  $(if $(BASELINE),--baseline $(BASELINE))
bench-matrix: build
	$(MATRIX)

## One, two and three `parkimpact run` workers started together on a shared PostgreSQL state (a throwaway server, or
## $$PARKIMPACT_TEST_POSTGRES_URL) against one run on SQLite, over the demo pilot copied into PILOTS pilots
## (.build-bench/workers/), or DATA=<a folder with pipelines/ and input/>; THREADS=1 makes each worker stand for a host
## of one core. Checks every worker's outputs equal the SQLite run's; prints medians of RUNS and the files helpers read.
PILOTS ?= 6
bench-workers: build
	python3 scripts/bench/workers.py --pilots $(PILOTS) --runs $(RUNS) $(if $(DATA),--data $(DATA)) \
	  $(if $(THREADS),--threads $(THREADS))

clean:
	rm -rf .build output/*/ output/index.html output/.parkimpact
