#!/usr/bin/env python3
"""Independent recomputation of the demo pilot's KPIs (issue #16).

    python3 scripts/recompute-demo-kpis.py output/demo-park/kpis.json [--input input/demo-park]
        [--pipeline pipelines/demo-park.yaml] [--factors Sources/ParkImpactDefinition/Resources/emission-factors.csv]
        [--all] [--list]

Python 3 standard library only. Reads the demo's input files directly (own CSV parsing, own clock-change
handling with zoneinfo) and recomputes every KPI family it knows from the rules in docs/kpis.md ("KPIs in this
version", "PV and on-site use", "Emission factors"), the `mobility:` paragraph of docs/pipeline.md and
docs/method.md, written without
looking at the Swift code. Then it compares with the given kpis.json (relative tolerance 1e-6, absolute 1e-9 near
0; null must match null) and prints a table of mismatches (key, period, site, expected, got) and a summary per
family. Exit 1 on any mismatch, 0 when every compared value agrees.

Families recomputed: energy (offtake, injection, gas, consumption), PV (production, self-consumed by quarter-hour
matching, ratios, avoided CO2), CO2 (scope 1, scope 2 location and market, change vs baseline), the ESRS E1-5 mix,
water (m3, per FTE / m2, change, night minimum flow), waste, mobility (survey and trip-log shares, shift, car-km and
modal-shift CO2), weather (HDD), the weather-normalised gas baseline (R2, CV(RMSE), NMBE, savings), cost, quality
(coverage, estimated share, rejected rows), and the `coverage` / `estimated_share` fields of the sum KPIs. Not
recomputed: the coverage fields of ratios, changes, cost and savings; energy.electricity.peak_kw (no peak register
in the demo). Readings of choices where the docs are silent: a station shuttle in the trip log counts as `bus`;
"per year" in the payback is the period's share of its calendar years (as docs/pipeline.md annualises mobility); a
weighted estimated share whose weights are all 0 (injection without PV) falls back to estimated ÷ present; the
weather series (YAML `site: acme`) is one of acme's series in quality.coverage (one expected reading a day).
The night minimum flow takes the minimum over one meter's intervals (the demo has one water meter; several meters
would have to be added per interval first).

The pipeline YAML is NOT parsed generically (no YAML parser in the standard library): the few values the demo
uses (periods, sites, prices, pilot cost, mobility) are read with small regular expressions and checked.
"""
import argparse
import csv
import datetime as dt
import json
import math
import re
import sys
from collections import defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Europe/Brussels")
REJECTS = []  # (site or None, local date or None, file, line, why): rows this script could not read
UTC = dt.timezone.utc
REL_TOL = 1e-6
ABS_TOL = 1e-9


# --------------------------------------------------------------------------------------------- pipeline definition
def read_pipeline(path):
    text = Path(path).read_text(encoding="utf-8")
    p = {}
    m = re.search(r"baseline:\s*\{\s*from:\s*(\S+),\s*to:\s*(\S+)\s*\}", text)
    p["baseline"] = (dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2]))
    m = re.search(r"reporting:\s*\{\s*from:\s*(\S+),\s*to:\s*(\S+)\s*\}", text)
    p["reporting"] = (dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2]))
    sites = {}
    for blk in re.finditer(r"- id: (\w+)(.*?)(?=\n  - id:|\nsources:)", text, re.S):
        sid, body = blk[1], blk[2]
        fte = re.search(r"fte:\s*([\d.]+)", body)
        area = re.search(r"floor_area_m2:\s*([\d.]+)", body)
        contract = re.search(r"electricity_contract:\s*(\w+)", body)
        sites[sid] = {"fte": float(fte[1]) if fte else None, "area": float(area[1]) if area else None,
                      "contract": contract[1] if contract else "grey"}
    p["sites"] = sites
    prices = {}
    for carrier in ("electricity", "gas"):
        m = re.search(r"^\s*" + carrier + r":\s*\{([^}]*)\}", text, re.M)
        if m:
            prices[carrier] = {int(k): float(v) for k, v in re.findall(r"(\d{4}):\s*([\d.]+)", m[1])}
    p["prices"] = prices
    m = re.search(r"^pilot_cost:\s*([\d.]+)", text, re.M)
    p["pilot_cost"] = float(m[1]) if m else None
    m = re.search(r"^pilot_cost_by_site:\s*\{([^}]*)\}", text, re.M)
    p["pilot_cost_by_site"] = {k: float(v) for k, v in re.findall(r"(\w+):\s*([\d.]+)", m[1])} if m else {}
    m = re.search(r"^mobility:\s*\{\s*commuting_days_per_year:\s*([\d.]+),\s*trips_per_day:\s*([\d.]+)", text, re.M)
    p["mobility"] = (float(m[1]), float(m[2])) if m else None
    return p


def read_factors(path):
    """id -> sorted [(year, value)]."""
    f = defaultdict(list)
    with open(path, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            f[r["id"]].append((int(r["year"]), float(r["value"])))
    for v in f.values():
        v.sort()
    return f


def factor(factors, fid, year):
    """docs/kpis.md: the latest year not after the consumption year (else the earliest: the catalogue's only value)."""
    rows = factors[fid]
    best = None
    for y, v in rows:
        if y <= year:
            best = v
    return best if best is not None else rows[0][1]


# --------------------------------------------------------------------------------------------- time helpers
def local_to_utc(naive, fold):
    """Naive local Brussels time -> aware UTC; None inside the spring gap."""
    aware = naive.replace(tzinfo=TZ, fold=fold)
    back = aware.astimezone(UTC).astimezone(TZ).replace(tzinfo=None)
    if back != naive:
        return None  # spring gap
    return aware.astimezone(UTC)


def is_ambiguous(naive):
    a = naive.replace(tzinfo=TZ, fold=0).utcoffset()
    b = naive.replace(tzinfo=TZ, fold=1).utcoffset()
    return a != b


def local_date(t_utc):
    return t_utc.astimezone(TZ).date()


def day_seconds(d):
    a = dt.datetime(d.year, d.month, d.day, tzinfo=TZ)
    n = d + dt.timedelta(days=1)
    b = dt.datetime(n.year, n.month, n.day, tzinfo=TZ)
    return (b.astimezone(UTC) - a.astimezone(UTC)).total_seconds()


# --------------------------------------------------------------------------------------------- series store
class Series:
    """Interval readings of one series: start (UTC) -> (length s, value or None, quality m|e|x)."""

    def __init__(self, site, quantity, meter, step):
        self.site, self.quantity, self.meter, self.step = site, quantity, meter, step
        self.r = {}
        self.not_covered_days = set()

    def add(self, start, length, value, quality):
        if start in self.r:  # first counts (docs/codes.md: repeats rejected)
            return
        self.r[start] = (length, value, quality)

    def days(self):
        """local date -> [sum, present, estimated, rows_missing, covered_present]."""
        out = defaultdict(lambda: [0.0, 0, 0, 0, 0])
        for s, (ln, v, q) in self.r.items():
            c = out[local_date(s)]
            if v is None:
                c[3] += 1
                continue
            c[0] += v
            c[1] += 1
            if q == "e":
                c[2] += 1
            if local_date(s) not in self.not_covered_days:
                c[4] += 1
        return out


def parse_num_comma(s):
    s = s.strip()
    if s == "":
        return None
    return float(s.replace(".", "").replace(",", ".")) if "," in s else float(s)


# --------------------------------------------------------------------------------------------- Fluvius
def read_fluvius(path, site, store):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    hdr = [h.strip().lower() for h in rows[0]]

    def col(*names):
        for n in names:
            if n in hdr:
                return hdr.index(n)
        raise KeyError(names)

    c_fd = col("van datum", "van (datum)", "from (date)")
    c_ft = col("van tijdstip", "van (tijdstip)", "from (time)")
    c_td = col("tot datum", "tot (datum)", "until (date)")
    c_tt = col("tot tijdstip", "tot (tijdstip)", "until (time)")
    c_ean = col("ean", "ean-code", "ean code")
    c_reg = col("register")
    c_vol = col("volume")
    c_unit = col("eenheid", "unit")
    c_stat = col("validatiestatus", "validation status")
    seen_amb = defaultdict(set)  # series -> ambiguous local starts already seen (first = summer time)
    for line, r in enumerate(rows[1:], start=2):
        if not r:
            continue
        if len(r) < len(hdr) - 1:
            REJECTS.append((site, None, str(path), line, "too few fields"))
            continue
        reg = r[c_reg].strip().lower()
        unit = r[c_unit].strip()
        if reg.startswith(("afname", "offtake")):
            qty = "electricity_offtake" if unit == "kWh" and reg not in ("afname", "offtake") else None
            if reg in ("afname", "offtake"):
                qty = "gas" if unit == "kWh" else None  # m3 twin rows ignored
        elif reg.startswith(("injectie", "injection")):
            qty = "electricity_injection"
        else:
            qty = None
            if not reg.startswith(("piek", "peak")) and "kvarh" not in unit.lower():
                REJECTS.append((site, None, str(path), line, "unknown register " + reg))
        if qty is None:
            continue
        ean = r[c_ean].strip().lstrip("=").strip('"')
        fmt = "%d/%m/%Y %H:%M:%S" if "/" in r[c_fd] else "%d-%m-%Y %H:%M:%S"
        start_l = dt.datetime.strptime(r[c_fd] + " " + r[c_ft], fmt)
        end_l = dt.datetime.strptime(r[c_td] + " " + r[c_tt], fmt)
        key = (site, qty, ean)
        fold = 0
        if is_ambiguous(start_l):
            if start_l in seen_amb[key]:
                fold = 1
            seen_amb[key].add(start_l)
        start = local_to_utc(start_l, fold)
        if start is None:
            REJECTS.append((site, start_l.date(), str(path), line, "time in the spring gap"))
            continue
        step = 900 if qty.startswith("electricity") else 3600
        if key not in store:
            store[key] = Series(site, qty, ean, step)
        stat = r[c_stat].strip().lower()
        vol = r[c_vol].strip()
        if stat in ("geen verbruik", "no consumption") or vol == "":
            value, q = None, "x"
        else:
            value = parse_num_comma(vol)
            q = "e" if stat in ("geschat", "estimated") else "m"
        store[key].add(start, step, value, q)


# --------------------------------------------------------------------------------------------- cumulative registers
def difference_register(readings, site, qty, meter, scale, store, step):
    """readings: [(utc instant, register or None)] in time order. The difference between consecutive present
    readings belongs to the interval(s) between them; over missing rows it is shared by time as estimated; over a
    gap > max(4 x step, 1 day) it is spread per local day as estimated and not covered."""
    s = store.setdefault((site, qty, meter), Series(site, qty, meter, step))
    prev = None
    for t, v in readings:
        if v is None:
            continue
        if prev is not None:
            t0, v0 = prev
            span = (t - t0).total_seconds()
            diff = (v - v0) * scale
            if span <= step:
                s.add(t0, span, diff, "m")
            elif span <= max(4 * step, 86400):
                n = int(round(span / step))
                q = "e" if diff > 0 else "m"
                for i in range(n):
                    s.add(t0 + dt.timedelta(seconds=i * step), step, diff / n, q)
            else:
                n = int(round(span / step))
                for i in range(n):
                    ti = t0 + dt.timedelta(seconds=i * step)
                    s.add(ti, step, diff / n, "e")
                    s.not_covered_days.add(local_date(ti))
        prev = (t, v)


def local_stream(lines_times):
    """[(naive local, value)] -> [(utc, value)], autumn repeated hour: first occurrence summer time."""
    seen = set()
    out = []
    for naive, v in lines_times:
        fold = 0
        if is_ambiguous(naive):
            if naive in seen:
                fold = 1
            seen.add(naive)
        u = local_to_utc(naive, fold)
        if u is not None:
            out.append((u, v))
    return out


def read_sma(path, site, store, channel="Metering.TotWhOut"):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        lines = fh.read().splitlines()
    rows = [l.split(",") for l in lines]
    ch_row = next(i for i, r in enumerate(rows) if channel in r)
    col = rows[ch_row].index(channel)
    serial = rows[ch_row - 1][col]
    data = []
    for r in rows[ch_row + 3:]:
        if len(r) <= col or not re.match(r"\d\d\.\d\d\.\d{4} ", r[0]):
            continue
        naive = dt.datetime.strptime(r[0], "%d.%m.%Y %H:%M:%S")
        v = None if r[col] in ("NaN", "") else float(r[col])
        data.append((naive, v))
    difference_register(local_stream(data), site, "pv_production", serial, 1e-3, store, 900)


def read_homewizard(path, site, store):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    data = [(dt.datetime.strptime(r[0], "%Y-%m-%d %H:%M"), float(r[1]) if r[1] else None) for r in rows[1:] if r]
    # hourly export: its step is the smallest time between rows
    difference_register(local_stream(data), site, "water", "homewizard", 1e-4, store, 3600)


# --------------------------------------------------------------------------------------------- events
def read_weather(path):
    temps = {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh):
            temps[dt.date.fromisoformat(r["timestamp"][:10])] = float(r["temp_avg"])
    return temps


def read_waste(path):
    out = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh, delimiter=";"):
            d = dt.datetime.strptime(r["Datum"], "%d-%m-%Y").date()
            code = r["Euralcode"].strip()
            out.append({"date": d, "site": r["Vestiging"].strip(), "code": code,
                        "kg": parse_num_comma(r["Gewicht (kg)"]), "treat": r["Verwerkingscode"].strip().upper()})
    return out


MODES = {"auto (alleen)": "car", "carpool": "carpool", "motorfiets": "motorbike", "bus": "bus", "trein": "train",
         "fiets": "bike", "elektrische fiets": "ebike", "te voet": "walk"}


TRIP_MODES = {"shuttle": "bus"}  # a station shuttle is a (mini)bus; docs/formats.md's mode list has no shuttle


def read_survey(path):
    out = defaultdict(dict)  # (site, year) -> mode -> (count, dist)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh, delimiter=";"):
            mode = MODES[r["vervoerwijze"].strip().lower()]
            out[(r["vestiging"].strip(), int(r["jaar"]))][mode] = (
                float(r["aantal"]), parse_num_comma(r["gemiddelde afstand (km)"]))
    return out


def read_trips(path):
    out = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh):
            out.append({"date": dt.datetime.strptime(r["start"], "%Y-%m-%d %H:%M").date(), "mode": r["mode"],
                        "km": float(r["distance_km"]), "occ": float(r["occupancy"]) if r.get("occupancy") else 1.0})
    return out


# --------------------------------------------------------------------------------------------- periods
def month_range(y, m):
    a = dt.date(y, m, 1)
    b = dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
    return a, b


def build_periods(pipe):
    """id -> (from, to, kind); ids as kpis.json spells them (baseline, reporting, 2023, 2023-01)."""
    periods = {"baseline": (*pipe["baseline"], "baseline"), "reporting": (*pipe["reporting"], "reporting")}
    lo = min(pipe["baseline"][0], pipe["reporting"][0])
    hi = max(pipe["baseline"][1], pipe["reporting"][1])
    for y in range(lo.year, hi.year + 1):
        periods[str(y)] = (max(lo, dt.date(y, 1, 1)), min(hi, dt.date(y, 12, 31)), "year")
        for m in range(1, 13):
            a, b = month_range(y, m)
            if b < lo or a > hi:
                continue
            periods[f"{y}-{m:02d}"] = (max(a, lo), min(b, hi), "month")
    return periods


def days_of(a, b):
    d = a
    while d <= b:
        yield d
        d += dt.timedelta(days=1)


# --------------------------------------------------------------------------------------------- the recomputation
class Recompute:
    def __init__(self, inp, pipe, factors):
        self.pipe, self.factors = pipe, factors
        self.sites = list(pipe["sites"])
        self.store = {}
        inp = Path(inp)
        for site in ("acme", "brouwerij", "logistiek"):
            for f in sorted((inp / site).glob("*.csv")):
                read_fluvius(f, site, self.store)
        for f in sorted((inp / "logistiek-pv").glob("*.csv")):
            read_sma(f, "logistiek", self.store)
        for f in sorted((inp / "acme-water").glob("*.csv")):
            read_homewizard(f, "acme", self.store)
        self.temps = {}
        for f in sorted((inp / "weather").glob("*.csv")):
            self.temps.update(read_weather(f))
        # the temperature source names site acme in the YAML: a daily series of that site (quality coverage)
        ts = self.store.setdefault(("acme", "temperature", "6447"), Series("acme", "temperature", "6447", 86400))
        for d, v in self.temps.items():
            ts.add(dt.datetime(d.year, d.month, d.day, tzinfo=TZ).astimezone(UTC), day_seconds(d), v, "m")
        self.waste = [w for f in sorted((inp / "waste").glob("*.csv")) for w in read_waste(f)]
        self.survey = {}
        for f in sorted((inp / "mobility-survey").glob("*.csv")):
            self.survey.update(read_survey(f))
        self.trips = {"acme": [t for f in sorted((inp / "mobility-trips").glob("*.csv")) for t in read_trips(f)]}
        # which site has a source for what (from the YAML's sources, as the demo defines them)
        self.has_source = {("acme", "gas"), ("brouwerij", "gas"), ("acme", "water"), ("logistiek", "pv_production")}
        for s in self.sites:
            self.has_source.add((s, "electricity_offtake"))
            self.has_source.add((s, "electricity_injection"))
        self.day_cells = {k: s.days() for k, s in self.store.items()}
        self.pv_first_day = {}
        for (site, q, _), s in self.store.items():
            if q == "pv_production" and s.r:
                self.pv_first_day[site] = min(local_date(t) for t in s.r)
        self.match_pv()
        self.periods = build_periods(pipe)

    # ---- PV matching per quarter-hour
    def match_pv(self):
        """Per PV site and 15-minute bucket from the first PV reading: matched when production, injection and
        offtake are all present; self-consumed = min(max(p - inj, 0), p)."""
        self.matched = {}  # site -> local day -> [self, prod, offtake, n_matched]
        for site in self.pv_first_day:
            prod = [s for (si, q, _), s in self.store.items() if si == site and q == "pv_production"]
            inj = [s for (si, q, _), s in self.store.items() if si == site and q == "electricity_injection"]
            off = [s for (si, q, _), s in self.store.items() if si == site and q == "electricity_offtake"]
            first = min(min(s.r) for s in prod)
            cells = defaultdict(lambda: [0.0, 0.0, 0.0, 0, 0])
            for t in sorted(set().union(*[s.r.keys() for s in prod])):
                if t < first:
                    continue
                vals = []
                ok = True
                estimated = False
                for group in (prod, inj, off):
                    tot = 0.0
                    for s in group:
                        r = s.r.get(t)
                        if r is None or r[1] is None or r[0] != 900:
                            ok = False
                            break
                        tot += r[1]
                        estimated = estimated or r[2] == "e"
                    vals.append(tot)
                    if not ok:
                        break
                if not ok:
                    continue
                p, i, o = vals
                sc = min(max(p - i, 0.0), p)
                c = cells[local_date(t)]
                c[0] += sc
                c[1] += p
                c[2] += o
                c[3] += 1
                c[4] += 1 if estimated else 0
            self.matched[site] = cells

    # ---- sums over a period
    def qsum(self, sites, qty, a, b):
        """-> (sum, present, estimated, expected, covered, has_source_any, has_data_all) over the sites' series."""
        tot = pres = est = exp = cov = 0
        for (site, q, m), cells in self.day_cells.items():
            if site not in sites or q != qty:
                continue
            step = self.store[(site, q, m)].step
            first = self.pv_first_day.get(site) if q == "pv_production" else None
            for d in days_of(a, b):
                if first and d < first:
                    continue
                exp += 1 if step == 86400 else day_seconds(d) / step
                c = cells.get(d)
                if c:
                    tot += c[0]
                    pres += c[1]
                    est += c[2]
                    cov += c[4]
        return tot, pres, est, exp, cov

    def meta(self, sites, qty, a, b):
        """(coverage, estimated share) of a sum KPI: present (covered) ÷ expected intervals over the scope's series;
        per series estimated ÷ present, weighted by the series' energy in the period (docs/kpis.md)."""
        cov = exp = pres = est = 0
        wsum = w = 0.0
        for (site, q, m) in self.store:
            if site in sites and q == qty:
                r = self.qsum([site], q, a, b) if False else self._qsum_series((site, q, m), a, b)
                cov += r[4]
                exp += r[3]
                pres += r[1]
                est += r[2]
                if r[1]:
                    wsum += r[2] / r[1] * abs(r[0])
                    w += abs(r[0])
        # no energy at all (injection of a site without PV, gas in a shutdown month): the weights are all 0 and the
        # weighted mean is 0/0; the share of estimated intervals is then the only meaningful figure
        return (cov / exp if exp else None), (wsum / w if w else (est / pres if pres else None))

    def parts(self, sites, qtys, a, b, with_sc=False):
        """per part (a series, or a PV site's self-consumed derived series): (energy, estimated, present, covered,
        expected)"""
        out = []
        for key in self.store:
            if key[0] in sites and key[1] in qtys:
                r = self._qsum_series(key, a, b)
                out.append((r[0], r[2], r[1], r[4], r[3]))
        if with_sc:
            for s in sites:
                if s in self.matched:
                    e = n = est = 0
                    for d, c in self.matched[s].items():
                        if a <= d <= b:
                            e += c[0]
                            n += c[3]
                            est += c[4]
                    exp = self._qsum_series(next(k for k in self.store if k[0] == s and k[1] == "pv_production"),
                                            a, b)[3]
                    out.append((e, est, n, n, exp))
        return out

    @staticmethod
    def weighted_est(parts):
        w = sum(abs(p[0]) for p in parts if p[2])
        if w:
            return sum(p[1] / p[2] * abs(p[0]) for p in parts if p[2]) / w
        pres = sum(p[2] for p in parts)
        return sum(p[1] for p in parts) / pres if pres else None

    @staticmethod
    def cov_of(parts):
        exp = sum(p[4] for p in parts)
        return sum(p[3] for p in parts) / exp if exp else None

    def _qsum_series(self, key, a, b):
        site, q, m = key
        cells = self.day_cells[key]
        step = self.store[key].step
        first = self.pv_first_day.get(site) if q == "pv_production" else None
        tot = pres = est = exp = cov = 0
        for d in days_of(a, b):
            if first and d < first:
                continue
            exp += 1 if step == 86400 else day_seconds(d) / step
            c = cells.get(d)
            if c:
                tot += c[0]
                pres += c[1]
                est += c[2]
                cov += c[4]
        return tot, pres, est, exp, cov

    def has(self, site, qty):
        return (site, qty) in self.has_source

    def data(self, site, qty, a, b):
        """present intervals of site's qty in [a, b]"""
        return self.qsum([site], qty, a, b)[1] > 0

    def by_year(self, sites, qty, a, b):
        out = {}
        for y in range(a.year, b.year + 1):
            aa, bb = max(a, dt.date(y, 1, 1)), min(b, dt.date(y, 12, 31))
            out[y] = self.qsum(sites, qty, aa, bb)[0]
        return out

    def self_consumed(self, sites, a, b, by_year=False):
        tot = defaultdict(float)
        prod = off = n = 0.0
        for s in sites:
            for d, c in self.matched.get(s, {}).items():
                if a <= d <= b:
                    tot[d.year] += c[0]
                    prod += c[1]
                    off += c[2]
                    n += c[3]
        return (dict(tot) if by_year else sum(tot.values())), prod, off, n

    # ---- KPIs
    def kpis(self):
        out = {}
        P = None  # the pilot's site field

        def put(key, pid, site, value):
            out[(key, pid, site)] = value

        def put_meta(key, pid, site, sites, qty, a, b, value_known):
            """the coverage and estimated_share fields of a sum KPI (estimated share only with a value)"""
            c, e = self.meta(sites, qty, a, b)
            out[(key + "#coverage", pid, site)] = c
            out[(key + "#estimated_share", pid, site)] = e if value_known else None

        pipe, F = self.pipe, self.factors
        scopes = [(s, [s]) for s in self.sites] + [(P, list(self.sites))]
        base_a, base_b = pipe["baseline"]
        rep_a, rep_b = pipe["reporting"]
        for pid, (a, b, kind) in self.periods.items():
            for sid, sites in scopes:
                # energy
                off = self.qsum(sites, "electricity_offtake", a, b)
                inj = self.qsum(sites, "electricity_injection", a, b)
                gas_sites = [s for s in sites if self.has(s, "gas")]
                gas = self.qsum(gas_sites, "gas", a, b)
                put("energy.electricity.offtake_kwh", pid, sid, off[0] if off[1] else None)
                put("energy.electricity.injection_kwh", pid, sid, inj[0] if inj[1] else None)
                put("energy.gas_kwh", pid, sid, gas[0] if gas_sites and gas[1] else None)
                put_meta("energy.electricity.offtake_kwh", pid, sid, sites, "electricity_offtake", a, b, off[1] > 0)
                put_meta("energy.electricity.injection_kwh", pid, sid, sites, "electricity_injection", a, b, inj[1] > 0)
                put_meta("co2.scope2_location_t", pid, sid, sites, "electricity_offtake", a, b, off[1] > 0)
                put_meta("co2.scope2_market_t", pid, sid, sites, "electricity_offtake", a, b, off[1] > 0)
                if gas_sites:
                    put_meta("energy.gas_kwh", pid, sid, gas_sites, "gas", a, b, gas[1] > 0)
                    put_meta("co2.scope1_t", pid, sid, gas_sites, "gas", a, b, gas[1] > 0)
                pv_sites = [s for s in sites if self.has(s, "pv_production")]
                sc_y, prod_m, off_m, n_m = self.self_consumed(pv_sites, a, b, by_year=True)
                sc = sum(sc_y.values())
                if pv_sites:
                    pv = self.qsum(pv_sites, "pv_production", a, b)
                    pv_has = pv[3] > 0  # period after commissioning
                    put("energy.electricity.pv_production_kwh", pid, sid, pv[0] if pv[1] else None)
                    if pv[3]:
                        put_meta("energy.electricity.pv_production_kwh", pid, sid, pv_sites, "pv_production", a, b,
                                 pv[1] > 0)
                    put("energy.electricity.self_consumed_kwh", pid, sid, sc if n_m else None)
                    put("energy.pv.self_consumption_ratio", pid, sid, sc / prod_m if n_m and prod_m else None)
                # consumption: offtake + self-consumed PV
                put("energy.electricity.consumption_kwh", pid, sid, off[0] + sc if off[1] else None)
                # self-sufficiency: offtake before PV start and of sites without PV count with 0
                if self.pv_first_day:
                    denom = sc + off_m
                    for s in sites:
                        fd = self.pv_first_day.get(s)
                        if fd is None:
                            denom += self.qsum([s], "electricity_offtake", a, b)[0]
                        elif a < fd:
                            denom += self.qsum([s], "electricity_offtake", a, min(b, fd - dt.timedelta(days=1)))[0]
                    pilot_null = sid is P and any(not self.data(s, "electricity_offtake", a, b) for s in sites
                                                  if s not in self.pv_first_day)
                    # A period that ends before the PV data of every PV site of the scope start is null
                    # (docs/kpis.md: data_not_started), not 0.
                    before_pv = all(b < self.pv_first_day[s] for s in sites if s in self.pv_first_day)
                    if sid is P or sid in self.pv_first_day:
                        put("energy.pv.self_sufficiency_ratio", pid, sid,
                            None if pilot_null or before_pv or denom == 0 else sc / denom)
                # fields of the composite sums: coverage = the lowest of the carriers (per carrier: its series
                # summed over the scope), estimated share weighted by energy over every part
                def comp_meta(key, groups, value_known):
                    covs = [self.cov_of(g) for g in groups if g and self.cov_of(g) is not None]
                    allp = [p for g in groups for p in g]
                    out[(key + "#coverage", pid, sid)] = min(covs) if covs else None
                    out[(key + "#estimated_share", pid, sid)] = self.weighted_est(allp) if value_known else None

                p_off = self.parts(sites, {"electricity_offtake"}, a, b)
                p_gas = self.parts(gas_sites, {"gas"}, a, b)
                p_sc = self.parts(pv_sites, set(), a, b, with_sc=True)
                p_sc = [p for p in p_sc if p[4]]  # from the PV start only
                if pv_sites and p_sc:
                    c_sc = self.cov_of(p_sc)
                    for k in ("energy.electricity.self_consumed_kwh", "co2.avoided_pv_t"):
                        out[(k + "#coverage", pid, sid)] = c_sc
                        out[(k + "#estimated_share", pid, sid)] = self.weighted_est(p_sc) if n_m else None
                    for k in ("energy.pv.self_consumption_ratio",):
                        out[(k + "#coverage", pid, sid)] = c_sc
                comp_meta("energy.electricity.consumption_kwh", [p_off, p_sc], off[1] > 0)
                if gas_sites:
                    for k in ("energy.fossil_mwh",):
                        c, e = self.meta(gas_sites, "gas", a, b)
                        out[(k + "#coverage", pid, sid)] = c
                        out[(k + "#estimated_share", pid, sid)] = e if gas[1] else None
                # CO2
                s1 = 0.0
                for y, v in self.by_year(gas_sites, "gas", a, b).items():
                    s1 += v * factor(F, "natural_gas.hhv", y) / 1000
                s2l = s2m = 0.0
                for s in sites:
                    for y, v in self.by_year([s], "electricity_offtake", a, b).items():
                        s2l += v * factor(F, "electricity.location", y) / 1000
                        fid = "electricity.market.green" if pipe["sites"][s]["contract"] == "green" \
                            else "electricity.market.grey"
                        s2m += v * factor(F, fid, y) / 1000
                put("co2.scope1_t", pid, sid, s1 if gas_sites and gas[1] else (None if gas_sites or sid is not P else 0.0))
                put("co2.scope2_location_t", pid, sid, s2l if off[1] else None)
                put("co2.scope2_market_t", pid, sid, s2m if off[1] else None)
                if pv_sites:
                    av = sum(v * factor(F, "electricity.location", y) / 1000 for y, v in sc_y.items())
                    put("co2.avoided_pv_t", pid, sid, av if n_m else None)
                # ESRS E1-5 mix
                parts_missing = any(not self.data(s, q, a, b) for s in sites
                                    for q in ("electricity_offtake", "gas") if self.has(s, q))
                pv_missing = any(not n_m for s in pv_sites) if pv_sites else False
                total = None if parts_missing else (off[0] + gas[0] + sc) / 1000
                put("energy.total_mwh", pid, sid, total)
                comp_meta("energy.total_mwh", [p_off, p_gas, p_sc], total is not None)
                put("energy.fossil_mwh", pid, sid,
                    None if any(not self.data(s, "gas", a, b) for s in gas_sites) else gas[0] / 1000)
                green = [s for s in sites if pipe["sites"][s]["contract"] == "green"]
                green_off = self.qsum(green, "electricity_offtake", a, b)[0]
                ren_null = any(not self.data(s, "electricity_offtake", a, b) for s in green)
                ren = None if ren_null else (green_off + sc) / 1000
                put("energy.renewable_mwh", pid, sid, ren)
                put("energy.renewable_share", pid, sid, None if total is None or ren is None or total == 0
                    else ren / total)
                # water
                w_sites = [s for s in sites if self.has(s, "water")]
                if w_sites:
                    w = self.qsum(w_sites, "water", a, b)
                    wdata = [s for s in w_sites if self.data(s, "water", a, b)]
                    put("water.m3", pid, sid, w[0] if w[1] else None)
                    put_meta("water.m3", pid, sid, w_sites, "water", a, b, w[1] > 0)
                    null = len(wdata) < len(w_sites)
                    fte = sum(pipe["sites"][s]["fte"] for s in wdata)
                    area = sum(pipe["sites"][s]["area"] for s in wdata)
                    put("water.m3_per_fte", pid, sid, None if null or not fte else w[0] / fte)
                    put("water.m3_per_m2", pid, sid, None if null or not area else w[0] / area)
                    if sid is not P:
                        nm, complete, ndays = self.night_min(sid, a, b)
                        put("water.night_min_flow_m3h", pid, sid, nm)
                        out[("water.night_min_flow_m3h#coverage", pid, sid)] = complete / ndays
                    wc = self.meta(w_sites, "water", a, b)[0]
                    for k in ("water.m3_per_fte", "water.m3_per_m2"):
                        out[(k + "#coverage", pid, sid)] = wc if not null else None
                # waste
                ws = [w for w in self.waste if w["site"] in sites and a <= w["date"] <= b]
                if ws or True:
                    tot = sum(w["kg"] for w in ws)
                    put("waste.total_kg", pid, sid, tot if ws else None)

                    def share(pred):
                        return sum(w["kg"] for w in ws if pred(w)) / tot if ws and tot else None

                    def rnum(w):
                        m = re.fullmatch(r"([RD])(\d+)", w["treat"])
                        return (m[1], int(m[2])) if m else (None, None)

                    put("waste.recycling_rate", pid, sid, share(lambda w: rnum(w)[0] == "R" and 2 <= rnum(w)[1] <= 11))
                    put("waste.energy_recovery_share", pid, sid, share(lambda w: rnum(w) == ("R", 1)))
                    put("waste.disposal_share", pid, sid, share(lambda w: rnum(w)[0] == "D"))
                    put("waste.residual_share", pid, sid,
                        share(lambda w: re.sub(r"[ .*]", "", w["code"]) in ("200301", "191212")))
                    put("waste.hazardous_share", pid, sid, share(lambda w: "*" in w["code"]))
                # weather
                hdd = self.hdd(a, b)
                put("weather.hdd", pid, sid, hdd)
                out[("weather.hdd#coverage", pid, sid)] = sum(
                    1 for d in days_of(a, b) if self.day_hdd(d) is not None) / ((b - a).days + 1)
                # quality
                pres = expd = est = 0
                for (s, q, m) in self.store:
                    if s in sites:
                        r = self.qsum([s], q, a, b)
                        pres += r[1]
                        est += r[2]
                        expd += r[3]
                        pres_cov = r[4]
                qc = self.coverage(sites, a, b)
                put("quality.coverage", pid, sid, qc)
                out[("quality.coverage#coverage", pid, sid)] = qc
                out[("quality.estimated_share#coverage", pid, sid)] = qc
                put("quality.estimated_share", pid, sid, est / pres if pres else None)
                put("quality.rejected_rows", pid, sid, sum(
                    1 for (rs, rd, *_rest) in REJECTS if (rs in sites or (rs is None and sid is None))
                    and ((rd is not None and a <= rd <= b) or (rd is None and pid == "reporting"))))
        self.comparisons(out, put, scopes)
        self.gas_baseline(put, scopes)
        self.mobility(put, scopes)
        self.cost(out, put, scopes)
        self.esrs(out, put, scopes)
        return out

    def scope3_cat7(self, site, a, b):
        """docs/kpis.md (ESRS): the site's latest survey in [a, b], Σ commuters × distance × trips/day × days/year ×
        the period's share of its years × factor (survey year; carpool = car ÷ occupancy) ÷ 1000; None when there is
        no survey, no annualisation or a mode with commuters has no factor."""
        sv = self.survey_in(site, a, b)
        if not sv or not self.pipe["mobility"]:
            return None
        days_py, trips_pd = self.pipe["mobility"]
        share = sum(sum(1 for _ in days_of(max(a, dt.date(y, 1, 1)), min(b, dt.date(y, 12, 31))))
                    / (366 if y % 4 == 0 else 365) for y in range(a.year, b.year + 1))
        kg = 0.0
        for m, (c, dd) in sv[1].items():
            if c * dd <= 0:
                continue
            fid = "transport." + ("car" if m == "carpool" else m)
            if not self.factors.get(fid):
                return None
            f = factor(self.factors, fid, sv[0])
            if m == "carpool":
                f /= self.occupancy(site, a, b) or 2.0
            kg += c * dd * trips_pd * days_py * share * f
        return kg / 1000

    def esrs(self, out, put, scopes):
        """docs/kpis.md "ESRS E1-6 and E1-5": the baseline, the reporting period and the calendar years."""
        pipe = self.pipe
        for pid, (a, b, kind) in self.periods.items():
            if kind == "month":
                continue
            for sid, sites in scopes:
                g = lambda key: out.get((key, pid, sid))
                put("esrs.e1_5.total_energy_mwh", pid, sid, g("energy.total_mwh"))
                put("esrs.e1_5.fossil_mwh", pid, sid, g("energy.fossil_mwh"))
                put("esrs.e1_5.renewable_mwh", pid, sid, g("energy.renewable_mwh"))
                put("esrs.e1_5.renewable_share", pid, sid, g("energy.renewable_share"))
                for key, contract in (("esrs.e1_5.renewable_purchased_electricity_mwh", "green"),
                                      ("esrs.e1_5.grid_residual_mix_mwh", "grey")):
                    part = [s for s in sites if pipe["sites"][s]["contract"] == contract]
                    missing = any(not self.data(s, "electricity_offtake", a, b) for s in part)
                    put(key, pid, sid, None if missing else self.qsum(part, "electricity_offtake", a, b)[0] / 1000)
                grey = [s for s in sites if pipe["sites"][s]["contract"] != "green"]
                put("esrs.e1_5.nuclear_mwh", pid, sid, None if grey else 0.0)
                pv = [s for s in sites if s in self.pv_first_day and self.pv_first_day[s] <= b]
                sc = g("energy.electricity.self_consumed_kwh")
                put("esrs.e1_5.renewable_self_generated_mwh", pid, sid, (None if sc is None else sc / 1000) if pv else 0.0)
                fte = [pipe["sites"][s]["fte"] for s in sites]
                area = [pipe["sites"][s]["area"] for s in sites]
                fte = None if None in fte else sum(fte)
                area = None if None in area else sum(area)
                energy = g("energy.total_mwh")
                put("esrs.e1_5.energy_mwh_per_fte", pid, sid, energy / fte if energy is not None and fte else None)
                put("esrs.e1_5.energy_kwh_per_m2", pid, sid,
                    energy * 1000 / area if energy is not None and area else None)
                gas = any(self.has(s, "gas") for s in sites)
                s1 = g("co2.scope1_t") if gas else 0.0
                loc, mkt = g("co2.scope2_location_t"), g("co2.scope2_market_t")
                cat7 = [self.scope3_cat7(s, a, b) for s in sites]
                s3 = None if None in cat7 else sum(cat7)
                put("esrs.e1_6.gross_scope1_t", pid, sid, s1)
                put("esrs.e1_6.gross_scope2_location_t", pid, sid, loc)
                put("esrs.e1_6.gross_scope2_market_t", pid, sid, mkt)
                put("esrs.e1_6.scope3_cat7_commuting_t", pid, sid, s3)
                put("esrs.e1_6.gross_scope3_t", pid, sid, s3)
                for basis, s2 in (("location", loc), ("market", mkt)):
                    total = None if None in (s1, s2, s3) else s1 + s2 + s3
                    put(f"esrs.e1_6.total_{basis}_t", pid, sid, total)
                    put(f"esrs.e1_6.total_{basis}_t_per_fte", pid, sid,
                        total / fte if total is not None and fte else None)
                    put(f"esrs.e1_6.total_{basis}_kg_per_m2", pid, sid,
                        total * 1000 / area if total is not None and area else None)

    def daily_gas(self, sites, a, b):
        """local day -> gas kWh of the scope, complete days only (every hour of every gas series present)"""
        out = {}
        keys = [k for k in self.store if k[0] in sites and k[1] == "gas"]
        for d in days_of(a, b):
            tot = 0.0
            for k in keys:
                c = self.day_cells[k].get(d)
                if not c or c[1] != round(day_seconds(d) / 3600):
                    break
                tot += c[0]
            else:
                out[d] = tot
        return out

    def day_hdd(self, d):
        t = [self.temps.get(d - dt.timedelta(days=k)) for k in range(3)]
        if None in t:
            return None
        return max(0.0, 16.5 - (0.6 * t[0] + 0.3 * t[1] + 0.1 * t[2]))

    def gas_baseline(self, put, scopes):
        """docs/kpis.md: the last 365 days of the baseline before the reporting period; refused with > 10 % missing days"""
        ba, bb = self.pipe["baseline"]
        ra, rb = self.pipe["reporting"]
        wa = max(ba, min(bb, ra - dt.timedelta(days=1)) - dt.timedelta(days=364))
        wb = wa + dt.timedelta(days=364)
        for sid, sites in scopes:
            gas_sites = [s for s in sites if self.has(s, "gas")]
            model = None
            if gas_sites:
                dg = self.daily_gas(gas_sites, wa, wb)
                pts = [(self.day_hdd(d), v) for d, v in dg.items() if self.day_hdd(d) is not None]
                window = (wb - wa).days + 1
                if window >= 365 and (window - len(pts)) / window <= 0.10:
                    model = fit_gas_baseline(pts)
            put("baseline.gas.r2", "baseline", sid, model["r2"] if model else None)
            put("baseline.gas.cvrmse", "baseline", sid, model["cvrmse"] if model else None)
            put("baseline.gas.nmbe", "baseline", sid, model["nmbe"] if model else None)
            for pid, (a, b, kind) in self.periods.items():
                if not (ra <= a and b <= rb):
                    continue
                if not model:
                    put("baseline.gas.savings_kwh", pid, sid, None)
                    continue
                sav = 0.0
                for d, v in self.daily_gas(gas_sites, a, b).items():
                    h = self.day_hdd(d)
                    if h is not None:
                        sav += model["a"] + model["b"] * h - v
                put("baseline.gas.savings_kwh", pid, sid, sav)

    def coverage(self, sites, a, b):
        cov = expd = 0
        for (s, q, m) in self.store:
            if s in sites:
                r = self.qsum([s], q, a, b)
                cov += r[4]
                expd += r[3]
        return cov / expd if expd else None

    def hdd(self, a, b):
        tot = 0.0
        for d in days_of(a, b):
            t = [self.temps.get(d - dt.timedelta(days=k)) for k in range(3)]
            if None in t:
                return None
            teq = 0.6 * t[0] + 0.3 * t[1] + 0.1 * t[2]
            tot += max(0.0, 16.5 - teq)
        return tot

    def night_min(self, site, a, b):
        ss = [s for (si, q, _), s in self.store.items() if si == site and q == "water"]
        best = None
        complete = ndays = 0
        for d in days_of(a, b):
            ndays += 1
            flows = []
            ok = True
            for s in ss:
                t = dt.datetime(d.year, d.month, d.day, 1, tzinfo=TZ).astimezone(UTC)
                end = dt.datetime(d.year, d.month, d.day, 5, tzinfo=TZ).astimezone(UTC)
                while t < end:
                    r = s.r.get(t)
                    if r is None or r[1] is None:
                        ok = False
                        break
                    flows.append(r[1] / (r[0] / 3600))
                    t += dt.timedelta(seconds=r[0])
                if not ok:
                    break
            if ok and flows:
                complete += 1
                m = min(flows)
                best = m if best is None else min(best, m)
        return best, complete, ndays

    def comparisons(self, out, put, scopes):
        pipe = self.pipe
        ba, bb = pipe["baseline"]
        ra, rb = pipe["reporting"]
        for sid, sites in scopes:
            def e(a, b):
                return (out[("co2.scope1_t", "x", sid)] if False else None)
            # CO2 change: E = scope1 + scope2 market
            parts_ok = all(self.data(s, q, ba, bb) == self.data(s, q, ra, rb) and self.data(s, q, ba, bb)
                           for s in sites for q in ("electricity_offtake", "gas") if self.has(s, q))
            eb = (out[("co2.scope1_t", "baseline", sid)] or 0) + out[("co2.scope2_market_t", "baseline", sid)]
            er = (out[("co2.scope1_t", "reporting", sid)] or 0) + out[("co2.scope2_market_t", "reporting", sid)]
            # Every change against the baseline compares values per day (docs/kpis.md, "One basis: per day").
            db, dr = (bb - ba).days + 1, (rb - ra).days + 1

            def per_day(now, before):
                return (now / dr - before / db) / (before / db) * 100

            put("co2.change_vs_baseline_pct", "reporting", sid, per_day(er, eb) if parts_ok and eb else None)
            if any(self.has(s, "gas") for s in sites):
                gas_ok = all(self.data(s, "gas", ba, bb) == self.data(s, "gas", ra, rb) and self.data(s, "gas", ba, bb)
                             for s in sites if self.has(s, "gas"))
                gb, gr = out[("energy.gas_kwh", "baseline", sid)], out[("energy.gas_kwh", "reporting", sid)]
                put("energy.gas.change_vs_baseline_pct", "reporting", sid,
                    per_day(gr, gb) if gas_ok and gb and gr is not None else None)
            if ("water.m3", "baseline", sid) in out:
                wb, wr = out[("water.m3", "baseline", sid)], out[("water.m3", "reporting", sid)]
                put("water.change_vs_baseline_pct", "reporting", sid,
                    per_day(wr, wb) if wb and wr is not None else None)

    # ---- mobility
    def survey_in(self, site, a, b):
        """the site's latest survey (reference date 30 June) in [a, b]"""
        best = None
        for (s, y), modes in self.survey.items():
            if s == site and a <= dt.date(y, 6, 30) <= b and (best is None or y > best[0]):
                best = (y, modes)
        return best

    def occupancy(self, site, a, b):
        tr = [t for t in self.trips.get(site, []) if t["mode"] == "carpool" and a <= t["date"] <= b]
        km = sum(t["km"] for t in tr)
        return sum(t["km"] * t["occ"] for t in tr) / km if km else None

    def mobility(self, put, scopes):
        pipe, F = self.pipe, self.factors
        ba, bb = pipe["baseline"]
        ra, rb = pipe["reporting"]
        days_py, trips_pd = pipe["mobility"]
        fac = {m: factor(F, "transport." + m, 2024) for m in ("car", "bus", "tram", "train", "bike", "ebike", "walk")}
        for pid, (a, b, kind) in self.periods.items():
            for sid, sites in scopes:
                counts = defaultdict(float)
                n_surveys = 0
                for s in sites:
                    sv = self.survey_in(s, a, b)
                    if sv:
                        n_surveys += 1
                        for m, (c, _) in sv[1].items():
                            counts[m] += c
                    else:  # docs/kpis.md: from trip logs when no survey (flag trip_logs): trips per mode
                        for t in self.trips.get(s, []):
                            if a <= t["date"] <= b:
                                n_surveys += 1 if not counts else 0
                                counts[TRIP_MODES.get(t["mode"], t["mode"])] += 1
                if n_surveys:
                    tot = sum(counts.values())
                    for m in MODES.values():
                        put("mobility.share." + m, pid, sid, counts.get(m, 0.0) / tot)
        # shift, car-km and CO2: the reporting period, its years and the months inside it
        for pid, (a, b, kind) in self.periods.items():
            if not (ra <= a and b <= rb):
                continue
            for sid, sites in scopes:
                # surveys: now = the reporting period's latest (for a month: its year's), baseline = the baseline's
                if kind == "month":
                    na, nb = dt.date(a.year, 1, 1), dt.date(a.year, 12, 31)
                else:
                    na, nb = a, b
                ckm = co2 = 0.0
                ok = True
                cb_all, cn_all = defaultdict(float), defaultdict(float)
                for s in sites:
                    svb, svn = self.survey_in(s, ba, bb), self.survey_in(s, max(na, ra), min(nb, rb))
                    if not svb or not svn:
                        ok = False
                        continue
                    tb = sum(c for c, _ in svb[1].values())
                    tn = sum(c for c, _ in svn[1].values())
                    for m, (c, _) in svb[1].items():
                        cb_all[m] += c
                    for m, (c, _) in svn[1].items():
                        cn_all[m] += c
                    share_part = sum(
                        sum(1 for _ in days_of(max(a, dt.date(y, 1, 1)), min(b, dt.date(y, 12, 31))))
                        / (366 if y % 4 == 0 else 365) for y in range(a.year, b.year + 1))
                    pkm = sum(c * dd for c, dd in svn[1].values()) * trips_pd * days_py * share_part
                    occ = self.occupancy(s, na, nb) or 2.0
                    for m in set(svb[1]) | set(svn[1]):
                        ds = svb[1].get(m, (0, 0))[0] / tb - svn[1].get(m, (0, 0))[0] / tn
                        if m == "car":
                            ckm += ds * pkm
                            co2 += ds * pkm * fac["car"]
                        elif m == "carpool":
                            ckm += ds * pkm / occ
                            co2 += ds * pkm * fac["car"] / occ
                        elif m in fac:
                            co2 += ds * pkm * fac[m]
                        elif abs(ds) > 1e-12:
                            co2 = float("nan")
                put("mobility.car_km_avoided", pid, sid, ckm if ok else None)
                put("co2.avoided_modal_shift_t", pid, sid, (None if math.isnan(co2) else co2 / 1000) if ok else None)
                if kind != "month" and ok:
                    tb, tn = sum(cb_all.values()), sum(cn_all.values())
                    for m in MODES.values():
                        put("mobility.shift_pp." + m, pid, sid, (cn_all[m] / tn - cb_all[m] / tb) * 100)

    # ---- cost
    def cost(self, out, put, scopes):
        pipe = self.pipe
        ba, bb = pipe["baseline"]
        ra, rb = pipe["reporting"]
        bdays = (bb - ba).days + 1
        for pid, (a, b, kind) in self.periods.items():
            if not (ra <= a and b <= rb) or kind == "month":
                continue  # docs/kpis.md names no month rows for cost; kpis.json has none
            for sid, sites in scopes:
                eur = 0.0
                co2_av = 0.0
                ok = True
                for s in sites:
                    for q, carrier in (("electricity_offtake", "electricity"), ("gas", "gas")):
                        if not self.has(s, q):
                            continue
                        if not (self.data(s, q, ba, bb) and self.data(s, q, ra, rb)):
                            ok = False
                            continue
                        per_day = self.qsum([s], q, ba, bb)[0] / bdays
                        for y, meas in self.by_year([s], q, a, b).items():
                            nd = sum(1 for _ in days_of(max(a, dt.date(y, 1, 1)), min(b, dt.date(y, 12, 31))))
                            eur += (per_day * nd - meas) * pipe["prices"][carrier][y]
                ndays = (b - a).days + 1
                eb = (out[("co2.scope1_t", "baseline", sid)] or 0) + out[("co2.scope2_market_t", "baseline", sid)]
                er = (out[("co2.scope1_t", pid, sid)] or 0) + (out[("co2.scope2_market_t", pid, sid)] or 0)
                co2_av = eb / bdays * ndays - er
                cost = pipe["pilot_cost"] if sid is None else pipe["pilot_cost_by_site"].get(sid)
                put("cost.energy_avoided_eur", pid, sid, eur if ok else None)
                if kind != "reporting":
                    continue
                put("cost.eur_per_t_co2_avoided", pid, sid,
                    cost / co2_av if ok and cost is not None and co2_av > 0 else None)
                # per year: the period's share of its calendar years (as docs/pipeline.md annualises mobility)
                years = sum(sum(1 for _ in days_of(max(a, dt.date(y, 1, 1)), min(b, dt.date(y, 12, 31))))
                            / (366 if y % 4 == 0 else 365) for y in range(a.year, b.year + 1))
                put("cost.payback_years", pid, sid,
                    cost / (eur / years) if ok and cost is not None and eur > 0 else None)


# --------------------------------------------------------------------------------------------- statistics
def betacf(a, b, x):
    """continued fraction of the incomplete beta function (Numerical Recipes)"""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > 1e-300 else 1e-300)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > 1e-300 else 1e-300)
        c = 1.0 + aa / c if abs(1.0 + aa / c) > 1e-300 else 1e-300
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > 1e-300 else 1e-300)
        c = 1.0 + aa / c if abs(1.0 + aa / c) > 1e-300 else 1e-300
        de = d * c
        h *= de
        if abs(de - 1.0) < 1e-15:
            break
    return h


def betai(a, b, x):
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    lbt = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(1 - x)
    if x < (a + 1) / (a + b + 2):
        return math.exp(lbt) * betacf(a, b, x) / a
    return 1.0 - math.exp(lbt) * betacf(b, a, 1 - x) / b


def t_two_sided_p(t, dof):
    return betai(dof / 2.0, 0.5, dof / (dof + t * t))


def fit_gas_baseline(days, max_p=0.1):
    """days: [(hdd, kWh)] -> dict(model, a, b, r2, cvrmse, nmbe, p)"""
    n = len(days)
    xs = [h for h, _ in days]
    ys = [y for _, y in days]
    my = sum(ys) / n
    sst = sum((y - my) ** 2 for y in ys)
    # intercept-only
    best = {"model": "intercept", "a": my, "b": 0.0, "r2": 0.0, "adj": 0.0, "p_par": 1, "p": None}
    mx = sum(xs) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx > 0 and n > 2:
        b = sum((x - mx) * (y - my) for x, y in days) / sxx
        a = my - b * mx
        sse = sum((y - a - b * x) ** 2 for x, y in days)
        se_b = math.sqrt(sse / (n - 2) / sxx)
        t = b / se_b if se_b > 0 else float("inf")
        p = t_two_sided_p(t, n - 2) if math.isfinite(t) else 0.0
        r2 = 1 - sse / sst if sst else 0.0
        adj = 1 - (1 - r2) * (n - 1) / (n - 2)
        if a >= 0 and b >= 0 and p < max_p and adj > best["adj"]:
            best = {"model": "hdd", "a": a, "b": b, "r2": r2, "adj": adj, "p_par": 2, "p": p}
    a, b, pp = best["a"], best["b"], best["p_par"]
    sse = sum((y - a - b * x) ** 2 for x, y in days)
    best["cvrmse"] = math.sqrt(sse / (n - pp)) / my if my else None
    best["nmbe"] = sum(y - a - b * x for x, y in days) / ((n - pp) * my) if my else None
    return best


# --------------------------------------------------------------------------------------------- comparison
def family(key):
    if "#" in key:
        return "fields:" + key.split("#")[1]
    k = key.split(".")
    if k[0] == "energy" and k[1] in ("total_mwh", "fossil_mwh", "renewable_mwh", "renewable_share"):
        return "energy_mix"
    if k[0] == "energy" and k[1] == "pv" or key in ("energy.electricity.self_consumed_kwh",
                                                    "energy.electricity.pv_production_kwh", "co2.avoided_pv_t"):
        return "pv"
    if key == "co2.avoided_modal_shift_t":
        return "mobility"
    return k[0]


# Known kinds of mismatch with their analysis (issue #16 report); printed under the table with their counts.
ANALYSES = [
    ("pv-before-commissioning",
     lambda k, v, g: k[0] == "energy.pv.self_sufficiency_ratio" and v == 0 and g is None,
     "self-sufficiency of a period wholly before the PV start: docs/kpis.md 'offtake before the PV start ... counts with "
     "self-sufficiency 0' gives 0 (all consumption from the grid); the engine returns null because self-consumed "
     "has no data (EnergyKPIs.selfSufficiency takes selfConsumedReason). A definition gap: docs/kpis.md should say which."),
    ("spring-gap-interval-length",
     lambda k, v, g: k[0] == "energy.pv.self_sufficiency_ratio" and v and g and v < g,
     "the Fluvius row before the spring gap (`01:45 -> 03:00`, 15 real minutes) is stored with its wall-clock "
     "length, 75 min (Sources/ParkImpactReading/Fluvius.swift: length = naiveLength; only the autumn case is corrected), so PV "
     "matching marks 5 quarter-hour buckets 'broken' and drops their offtake (logistiek 2024-03-31, 53.775 kWh) "
     "from the self-sufficiency denominator."),
]


def close(x, y):
    if x is None or y is None:
        return x is None and y is None
    if isinstance(x, float) and math.isnan(x):
        return False
    return abs(x - y) <= max(REL_TOL * max(abs(x), abs(y)), ABS_TOL)


def fmt(v):
    if v is None:
        return "null"
    return f"{v:.10g}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("kpis")
    ap.add_argument("--input", default="input/demo-park")
    ap.add_argument("--pipeline", default="pipelines/demo-park.yaml")
    ap.add_argument("--factors", default="Sources/ParkImpactDefinition/Resources/emission-factors.csv")
    ap.add_argument("--all", action="store_true", help="also list the values that agree")
    ap.add_argument("--rounding", action="store_true", help="also list the values that differ by the JSON's rounding only")
    ap.add_argument("--dump", help="write the recomputed values as JSON to this file")
    args = ap.parse_args()
    pipe = read_pipeline(args.pipeline)
    rc = Recompute(args.input, pipe, read_factors(args.factors))
    mine = rc.kpis()
    doc = json.load(open(args.kpis, encoding="utf-8"))
    pilot_id = doc.get("pilot")
    got, unit = {}, {}
    decimals = defaultdict(int)  # unit -> decimals kpis.json writes (the most seen): its rounding
    for row in doc["kpis"]:
        site = row.get("site")
        if site in (None, "", pilot_id, "pilot", "*"):
            site = None
        k = (row["key"], row["period"], site)
        got[k] = row.get("value")
        unit[k] = row.get("unit")
        for field in ("coverage", "estimated_share"):
            kf = (row["key"] + "#" + field, row["period"], site)
            got[kf] = row.get(field)
            unit[kf] = "ratio"
        r = repr(row.get("value"))
        if isinstance(row.get("value"), float) and "." in r and "e" not in r:
            decimals[row.get("unit")] = max(decimals[row.get("unit")], len(r.split(".")[1]))
    if args.dump:
        json.dump([{"key": k, "period": p, "site": s, "value": v} for (k, p, s), v in sorted(
            mine.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or ""))], open(args.dump, "w"), indent=1)
    fam = defaultdict(lambda: {"compared": 0, "mismatch": 0, "rounding": 0, "not_emitted": 0, "not_recomputed": 0})
    bad = []
    my_keys = {k[0] for k in mine}
    # a key this script computes but not for this scope/period is null by its rule (e.g. PV KPIs of a site without PV)
    for k in got:
        if k[0] in my_keys and k not in mine:
            mine[k] = None
    for k, v in sorted(mine.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or "")):
        f = fam[family(k[0])]
        if k not in got:
            if v is not None:
                f["not_emitted"] += 1
                bad.append(("not in kpis.json", k, v, None))
            continue
        f["compared"] += 1
        g = got[k]
        if close(v, g):
            if args.all:
                print("ok", k, fmt(v))
            continue
        half_ulp = 0.5 * 10 ** -decimals.get(unit[k], 0) * (1 + 1e-9)
        if v is not None and g is not None and abs(v - g) <= half_ulp:
            f["rounding"] += 1  # only the JSON's rounding to its unit's decimals
            if args.rounding:
                bad.append(("rounding only", k, v, g))
            continue
        f["mismatch"] += 1
        bad.append(("mismatch", k, v, g))
    for k in got:
        if k not in mine and not ("#" in k[0] and got[k] is None):
            fam[family(k[0])]["not_recomputed"] += 1
    print(f"{'kind':16} {'key':42} {'period':10} {'site':10} {'expected':>16} {'got':>16}")
    for kind, (key, pid, site), v, g in bad:
        print(f"{kind:16} {key:42} {pid:10} {site or '(pilot)':10} {fmt(v):>16} {fmt(g):>16}")
    kinds = defaultdict(int)
    for kind, k, v, g in bad:
        for name, pred, _ in ANALYSES:
            if kind == "mismatch" and pred(k, v, g):
                kinds[name] += 1
                break
        else:
            kinds["unexplained"] += 1 if kind == "mismatch" else 0
    print()
    for name, _, text in ANALYSES:
        if kinds[name]:
            print(f"{kinds[name]:5d} x {name}: {text}")
    if kinds["unexplained"]:
        print(f"{kinds['unexplained']:5d} x unexplained (no analysis yet)")
    print()
    print("rounding: differs by more than the tolerance but less than half a unit of the decimals kpis.json writes "
          "for the unit (" + ", ".join(f"{u}: {d}" for u, d in sorted(decimals.items(), key=lambda x: str(x))) + ")")
    print(f"{'family':12} {'compared':>9} {'mismatch':>9} {'rounding':>9} {'not emitted':>12} {'not recomputed':>15}")
    tot = defaultdict(int)
    for name in sorted(fam):
        f = fam[name]
        for kk, vv in f.items():
            tot[kk] += vv
        print(f"{name:12} {f['compared']:9d} {f['mismatch']:9d} {f['rounding']:9d} {f['not_emitted']:12d} "
              f"{f['not_recomputed']:15d}")
    print(f"{'total':12} {tot['compared']:9d} {tot['mismatch']:9d} {tot['rounding']:9d} {tot['not_emitted']:12d} "
          f"{tot['not_recomputed']:15d}")
    return 1 if tot["mismatch"] or tot["not_emitted"] else 0


if __name__ == "__main__":
    sys.exit(main())
