#!/usr/bin/env python3
"""Generate the synthetic Fluvius and SMA exports of the `demo-park` pilot.

    python3 scripts/generate-demo-data.py [--out input/demo-park] [--expected scripts/demo-expected-totals.json]

Python 3 standard library only, deterministic: the same command writes byte-identical files (every random
number comes from random.Random with a fixed seed; nothing depends on the clock, the locale, the tz database
or PYTHONHASHSEED). The pipeline definition that reads these files is pipelines/demo-park.yaml.

What is written
---------------
input/demo-park/<site>/  one file per meter per calendar year (2023 = baseline, 2024 = reporting):
  acme       "ACME Metaal NV"        electricity 15 min + gas hourly, NL *new* header (`Van (datum)`, ..., `Omschrijving`)
  brouwerij  "Brouwerij De Kaai BV"  electricity 15 min + gas hourly, NL *old* header (`Van datum`, ..., no description)
  logistiek  "Logistiek Schelde NV"  electricity 15 min only, EN header (`From (date)`, ..., `Description`), CRLF
input/demo-park/logistiek-pv/  the rooftop inverter's SMA WebUI CSV3 export for 2024 (15-minute rows from
  commissioning, 2024-04-01 00:00 local, to 2025-01-01 00:00): the shape of the real daily sample
  (Tests/Fixtures/samples/sma_webui_daily_head20.csv: BOM, `sep=,`, `Version CSV3|...`, blank line, device, model,
  serial, channel and `Analog` rows, units row `DD.MM.YYYY hh:mm:ss,[Wh],...`), `Metering.TotWhOut` = the lifetime
  yield register in integer Wh (difference consecutive rows), the grid channels at 0 / NaN as an inverter without
  SMA Energy Meter writes them. About 1.1 MB (5-minute rows would be 3.3 MB).

The other KPI families (small files, their own random streams; the files above do not change with them):
  weather/uccle_daily_2022-2024.csv   RMI/KMI open-data daily shape `code,timestamp,temp_avg,temp_max,temp_min`,
                                      station 6447, 2022-12-30 .. 2024-12-31: the synthetic temperatures below
  acme-water/                         HomeWizard `time,water usage dl` (running total), HOURLY rows 2023-2024 (15 min
                                      would be 1.7 MB); a ~28 l/h leak until 2024-02-14; 4 rows missing 2024-09-10
  waste/                              collector's report `Datum;Vestiging;Euralcode;Omschrijving;Gewicht (kg);
                                      Verwerkingscode;Inzamelaar`, monthly collections of the three sites; less
                                      residual waste in 2024, some 2023 residual collections to landfill (D1)
  mobility-survey/                    commuting survey, long layout, 2023 (baseline) and 2024 (reporting) per site
  mobility-trips/                     ACME's 2024 carpool and station-shuttle trip log `start,mode,distance_km,occupancy`
Their oracle fields are in the site's year entries ("2023", "2024"): water_m3 (null without a water meter),
waste_kg {total, recycling (R2-R11), energy_recovery (R1), disposal (D), residual (20 03 01), hazardous (*)},
commute {commuters per mode, total}.

Byte format as in the real samples (Tests/Fixtures/samples/fluvius_*): UTF-8 BOM, `;`, decimal comma with three
decimals, EAN as `="541448820000000011"`, dates dd-MM-yyyy (NL) or dd/MM/yyyy (EN), times HH:mm:ss in local
Belgian time without offset. NL files use LF and (like the real NL gas export) no newline after the last line;
the EN file uses CRLF and ends with CRLF.

Clock changes (Europe/Brussels, EU rule: last Sunday of March/October at 01:00 UTC), implemented here without
the tz database: intervals are generated in UTC and both ends are written in local wall-clock time.
  * Spring (2023-03-26, 2024-03-31): no 02:xx rows; 92 quarters / 23 hours. The interval before the gap is
    written `01:45:00 -> 03:00:00` (electricity) and `01:00:00 -> 03:00:00` (gas) (not confirmed by a real file).
  * Autumn (2023-10-29, 2024-10-27): 100 quarters / 25 hours. Rows are ordered by wall-clock start and, for
    equal starts, summer time first, as in the real sample: 02:00 (summer), 02:00 (winter), 02:15 (summer), ...
    The last summer quarter is `02:45:00 -> 02:00:00`, the winter one `02:45:00 -> 03:00:00`; the summer gas
    hour is `02:00:00 -> 02:00:00`, the winter one `02:00:00 -> 03:00:00`.
  * The last interval of a year ends on 01-01 of the next year at 00:00:00.

Statuses: `Gevalideerd`/`Read` (measured), about 0.3 % `Geschat`/`Estimated` (with a value, sometimes the
injection row of an estimated quarter is `Geen verbruik`), about 0.2 % `Geen verbruik`/`No consumption` with an
EMPTY volume (= missing, not zero), plus one whole missing day (brouwerij electricity, 2023-06-14).

The story
---------
  acme       metal workshop, two shifts on weekdays, collective summer holiday and Christmas shutdown. LED retrofit
             and better controls (compressed air, ventilation, heating) commissioned during the Christmas
             shutdown 2023, effective 2024-01-02: about -9 % electricity and -12 % gas (weather-normalised; the
             raw gas change also depends on the synthetic weather of each year).
  brouwerij  brewery: refrigeration around the clock (temperature-dependent), brewing Mon-Thu, bottling Tue/Thu,
             green electricity contract; gas = heating + brewing process load. Modest changes in 2024.
  logistiek  warehouse: lighting, docks, night-time forklift charging. Rooftop PV 150 kWp from 2024-04-01 00:00
             local: per quarter self-consumed = min(load, pv), offtake = load - self-consumed,
             injection = pv - self-consumed. No gas meter.
Weather: one synthetic daily mean temperature series for Belgium (Uccle-like climatology + AR(1) anomalies);
gas heating is proportional to the Belgian degree days max(0, 16.5 - Teq), Teq = 0.6 T(d) + 0.3 T(d-1) + 0.1 T(d-2)
(the definition the weather-normalised baseline uses), with a milder setback on days off and small hourly noise.

The oracle: scripts/demo-expected-totals.json
--------------------------------------------
Computed from the values exactly as written (integers in thousandths of a kWh, so no float drift), per site,
per year ("2023") and per local calendar month ("2023-01"); an interval belongs to the period of its LOCAL START.
  offtake_kwh / injection_kwh   sum of the electricity rows that have a volume (measured + estimated)
  gas_kwh / gas_m3              sum of the gas kWh / m3 rows that have a volume; null for a site without gas
  electricity.intervals         quarters in the period (every quarter has one offtake and one injection row)
  electricity.offtake|injection {present: rows with a volume, estimated: of which Geschat, missing: empty volume}
  gas.intervals, gas.present|estimated|missing   the same per hour, counted on the kWh rows
  hdd_16_5                      heating degree days of the synthetic weather (information only; not in the CSVs)
  pv_production_kwh             sum of the quarter-hour PV production as the SMA register counts it (integer Wh);
                                null where the site has no PV data in the period (logistiek before 2024-04, others)
  self_consumed_kwh             sum over the MATCHED quarters (production known, and the injection and offtake rows
                                have a volume) of min(max(production - injection, 0), production), from the values as
                                written; null like pv_production_kwh
  pv.intervals / pv.matched     quarters with PV data in the period / of which matched (the self-consumed coverage)
Missing intervals are not zero: coverage = present / intervals.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import sys
import zlib
from pathlib import Path

YEARS = (2023, 2024)
REPO = Path(__file__).resolve().parent.parent

# --------------------------------------------------------------------------------------------------------------
# Sites and meters
# --------------------------------------------------------------------------------------------------------------

SITES = [
    {
        "id": "acme", "name": "ACME Metaal NV", "fte": 120, "floor_area_m2": 5400, "contract": "grey",
        "dialect": "nl_new",
        "electricity": {"ean": "541448820000000011", "meter": "1SAG1100000011"},
        "gas": {"ean": "541448860000000012", "meter": "7FLO1100000012"},
    },
    {
        "id": "brouwerij", "name": "Brouwerij De Kaai BV", "fte": 45, "floor_area_m2": 2600, "contract": "green",
        "dialect": "nl_old",
        "electricity": {"ean": "541448820000000021", "meter": "1SAG1100000021"},
        "gas": {"ean": "541448860000000022", "meter": "7FLO1100000022"},
    },
    {
        "id": "logistiek", "name": "Logistiek Schelde NV", "fte": 80, "floor_area_m2": 12000, "contract": "grey",
        "dialect": "en",
        "electricity": {"ean": "541448820000000031", "meter": "1SAG1100000031"},
        "gas": None,
    },
]

ACME_RETROFIT_FROM = dt.date(2024, 1, 2)          # LED + controls, after the Christmas shutdown
LOGISTIEK_PV_FROM_LOCAL = dt.datetime(2024, 4, 1)  # local wall clock; PV counts from this quarter on
LOGISTIEK_PV_KWP = 150.0
WHOLE_MISSING_DAY = ("brouwerij", dt.date(2023, 6, 14))  # electricity, all 96 quarters `Geen verbruik`

# --------------------------------------------------------------------------------------------------------------
# Dialects (header variants of the Fluvius portal)
# --------------------------------------------------------------------------------------------------------------

DIALECTS = {
    "nl_old": {
        "date_fmt": "{d:02d}-{m:02d}-{y:04d}", "eol": "\n", "final_eol": False,
        "elec_header": "Van datum;Van tijdstip;Tot datum;Tot tijdstip;EAN;Meter;Metertype;Register;Volume;Eenheid;"
                       "Validatiestatus",
        "gas_header": "Van datum;Van tijdstip;Tot datum;Tot tijdstip;EAN-code;Meter;Metertype;Register;Volume;"
                      "Eenheid;Validatiestatus;Calorische Bovenwaarde",
        "description": False,
        "meter_type": "Digitale Meter",
        "registers": {("off", "day"): "Afname Dag", ("off", "night"): "Afname Nacht",
                      ("inj", "day"): "Injectie Dag", ("inj", "night"): "Injectie Nacht"},
        "gas_register": "Afname", "calorific_word": "Voorlopig", "gas_kwh_first": True,
        "status": {"measured": "Gevalideerd", "estimated": "Geschat", "missing": "Geen verbruik"},
        "elec_file": "Verbruikshistoriek_elektriciteit_{ean}_{frm}_{to}_kwartiertotalen.csv",
        "gas_file": "Verbruikshistoriek_gas_{ean}_{frm}_{to}_uurtotalen.csv",
    },
    "nl_new": {
        "date_fmt": "{d:02d}-{m:02d}-{y:04d}", "eol": "\n", "final_eol": False,
        "elec_header": "Van (datum);Van (tijdstip);Tot (datum);Tot (tijdstip);EAN-code;Meter;Metertype;Register;"
                       "Volume;Eenheid;Validatiestatus;Omschrijving",
        "gas_header": "Van (datum);Van (tijdstip);Tot (datum);Tot (tijdstip);EAN-code;Meter;Metertype;Register;"
                      "Volume;Eenheid;Validatiestatus;Calorische Bovenwaarde;Omschrijving",
        "description": True,
        "meter_type": "Digitale Meter",
        "registers": {("off", "day"): "Afname Dag", ("off", "night"): "Afname Nacht",
                      ("inj", "day"): "Injectie Dag", ("inj", "night"): "Injectie Nacht"},
        "gas_register": "Afname", "calorific_word": "Voorlopig", "gas_kwh_first": True,
        "status": {"measured": "Gevalideerd", "estimated": "Geschat", "missing": "Geen verbruik"},
        "elec_file": "Verbruikshistoriek_elektriciteit_{ean}_{frm}_{to}_kwartiertotalen.csv",
        "gas_file": "Verbruikshistoriek_gas_{ean}_{frm}_{to}_uurtotalen.csv",
    },
    "en": {
        "date_fmt": "{d:02d}/{m:02d}/{y:04d}", "eol": "\r\n", "final_eol": True,
        "elec_header": "From (date);From (time);Until (date);Until (time);EAN code;Meter;Meter type;Register;Volume;"
                       "Unit;Validation status;Description",
        "gas_header": "From (date);From (time);Until (date);Until (time);EAN code;Meter;Meter type;Register;Volume;"
                      "Unit;Validation status;Caloric upper value;Description",
        "description": True,
        "meter_type": "Digital meter",
        "registers": {("off", "day"): "Offtake Day", ("off", "night"): "Offtake Night",
                      ("inj", "day"): "Injection Day", ("inj", "night"): "Injection Night"},
        # The real EN gas export writes the m3 row first and leaves the calorific column empty.
        "gas_register": "Offtake", "calorific_word": "", "gas_kwh_first": False,
        "status": {"measured": "Read", "estimated": "Estimated", "missing": "No consumption"},
        "elec_file": "Consumption_history_electricity_{ean}_{frm}_{to}_15 minute totals.csv",
        "gas_file": "Consumption_history_gas_{ean}_{frm}_{to}_hourly totals.csv",
    },
}

# --------------------------------------------------------------------------------------------------------------
# Time: Europe/Brussels by the EU rule (valid since 1996), no tz database needed
# --------------------------------------------------------------------------------------------------------------

def last_sunday(year: int, month: int) -> dt.date:
    d = dt.date(year, month + 1, 1) - dt.timedelta(days=1) if month < 12 else dt.date(year, 12, 31)
    return d - dt.timedelta(days=(d.weekday() - 6) % 7)


_DST_CACHE: dict[int, tuple[dt.datetime, dt.datetime]] = {}


def utc_offset(t_utc: dt.datetime) -> dt.timedelta:
    """UTC offset of Europe/Brussels at naive-UTC instant t_utc: +2 h between the last Sundays of March and
    October at 01:00 UTC, else +1 h."""
    y = t_utc.year
    if y not in _DST_CACHE:
        _DST_CACHE[y] = (dt.datetime.combine(last_sunday(y, 3), dt.time(1)),
                         dt.datetime.combine(last_sunday(y, 10), dt.time(1)))
    start, end = _DST_CACHE[y]
    return dt.timedelta(hours=2) if start <= t_utc < end else dt.timedelta(hours=1)


def local_midnight_utc(d: dt.date) -> dt.datetime:
    """UTC instant of local 00:00 on date d (midnight is never inside a clock change in Brussels)."""
    guess = dt.datetime.combine(d, dt.time(0)) - dt.timedelta(hours=1)
    return dt.datetime.combine(d, dt.time(0)) - utc_offset(guess)


def intervals(year: int, minutes: int):
    """(utc_start, local_start, local_end) for every interval whose local start lies in the year, in UTC order."""
    step = dt.timedelta(minutes=minutes)
    t = local_midnight_utc(dt.date(year, 1, 1))
    end = local_midnight_utc(dt.date(year + 1, 1, 1))
    out = []
    while t < end:
        out.append((t, t + utc_offset(t), t + step + utc_offset(t + step)))
        t += step
    return out

# --------------------------------------------------------------------------------------------------------------
# Calendar: Belgian public holidays, company closures
# --------------------------------------------------------------------------------------------------------------

def easter(y: int) -> dt.date:
    a, b, c = y % 19, y // 100, y % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month = (h + l - 7 * m + 114) // 31
    day = (h + l - 7 * m + 114) % 31 + 1
    return dt.date(y, month, day)


def be_holidays(y: int) -> set[dt.date]:
    e = easter(y)
    return {dt.date(y, 1, 1), e + dt.timedelta(days=1), dt.date(y, 5, 1), e + dt.timedelta(days=39),
            e + dt.timedelta(days=50), dt.date(y, 7, 21), dt.date(y, 8, 15), dt.date(y, 11, 1),
            dt.date(y, 11, 11), dt.date(y, 12, 25)}


HOLIDAYS = set().union(*(be_holidays(y) for y in (2022,) + YEARS + (2025,)))
# ACME: three weeks collective summer holiday and closed between Christmas and New Year.
ACME_SUMMER_CLOSURE = [(dt.date(2023, 7, 17), dt.date(2023, 8, 4)), (dt.date(2024, 7, 15), dt.date(2024, 8, 2))]


def acme_closed(d: dt.date) -> bool:
    if any(a <= d <= b for a, b in ACME_SUMMER_CLOSURE):
        return True
    return (d.month == 12 and d.day >= 24) or (d.month == 1 and d.day == 1)

# --------------------------------------------------------------------------------------------------------------
# Deterministic randomness and weather
# --------------------------------------------------------------------------------------------------------------

def rng(*parts) -> random.Random:
    return random.Random(zlib.crc32("/".join(str(p) for p in parts).encode("utf-8")))


def daily_temperatures() -> dict[dt.date, float]:
    """Synthetic daily mean temperature (degC) for 2022-12-01 .. 2025-01-31: Uccle-like climatology
    (annual mean ~11, coldest mid-January) plus AR(1) anomalies."""
    r = rng("weather", "uccle-like")
    out = {}
    d = dt.date(2022, 12, 1)
    anomaly = 0.0
    while d <= dt.date(2025, 1, 31):
        doy = d.timetuple().tm_yday
        clim = 10.9 - 7.0 * math.cos(2 * math.pi * (doy - 19) / 365.25)
        anomaly = 0.78 * anomaly + r.gauss(0.0, 2.0)
        out[d] = round(clim + anomaly, 1)
        d += dt.timedelta(days=1)
    return out


TEMPERATURE = daily_temperatures()


def hdd(d: dt.date) -> float:
    return max(0.0, 16.5 - TEMPERATURE[d])


def hdd_teq(d: dt.date) -> float:
    """Belgian degree days of the day: max(0, 16.5 - Teq), Teq = 0.6 T(d) + 0.3 T(d-1) + 0.1 T(d-2). A building's
    heat demand follows the last days' weather (thermal mass), which is why the Belgian method uses Teq; the gas
    models below use it, so the weather-normalised baseline (same definition) fits them as a real one would."""
    teq = 0.6 * TEMPERATURE[d] + 0.3 * TEMPERATURE[d - dt.timedelta(days=1)] + 0.1 * TEMPERATURE[d - dt.timedelta(days=2)]
    return max(0.0, 16.5 - teq)


def seasonal_winter(d: dt.date) -> float:
    """+1 in mid-January, -1 in mid-July."""
    return math.cos(2 * math.pi * (d.timetuple().tm_yday - 15) / 365.25)


def is_workday(d: dt.date) -> bool:
    return d.weekday() < 5 and d not in HOLIDAYS

# --------------------------------------------------------------------------------------------------------------
# Sun and PV (logistiek)
# --------------------------------------------------------------------------------------------------------------

LAT, LON = math.radians(51.22), 4.40  # Antwerp port area


def sun_sin_elevation(t_utc: dt.datetime) -> float:
    doy = t_utc.timetuple().tm_yday
    hours = t_utc.hour + t_utc.minute / 60.0 + t_utc.second / 3600.0
    decl = math.radians(23.44) * math.sin(2 * math.pi * (284 + doy) / 365.0)
    b = 2 * math.pi * (doy - 81) / 364.0
    eot_min = 9.87 * math.sin(2 * b) - 7.53 * math.cos(b) - 1.5 * math.sin(b)
    solar_time = hours + LON / 15.0 + eot_min / 60.0
    omega = math.radians(15.0 * (solar_time - 12.0))
    return math.sin(LAT) * math.sin(decl) + math.cos(LAT) * math.cos(decl) * math.cos(omega)


def clear_sky_ghi(sin_el: float) -> float:
    """Haurwitz clear-sky global horizontal irradiance, W/m2."""
    if sin_el <= 0.0:
        return 0.0
    return 1098.0 * sin_el * math.exp(-0.057 / sin_el)


PV_PERFORMANCE = 0.88  # flat east-west roof array incl. losses: ~850 kWh/kWp in a full year


class CloudModel:
    """Daily clearness drawn from a seasonal beta distribution; within a day an AR(1) wobble that is largest
    on broken-cloud days."""

    def __init__(self, seed_parts):
        self.r = rng(*seed_parts)
        self.day = None
        self.k = 1.0
        self.e = 0.0

    def clearness(self, local_day: dt.date) -> float:
        if local_day != self.day:
            self.day = local_day
            mean = 0.50 - 0.16 * seasonal_winter(local_day)
            c = 2.4
            self.k = self.r.betavariate(mean * c, (1 - mean) * c)
            self.e = 0.0
        self.e = 0.8 * self.e + self.r.gauss(0.0, 0.9 * self.k * (1 - self.k))
        return min(1.08, max(0.04, self.k + self.e))

# --------------------------------------------------------------------------------------------------------------
# Load models, kW at the interval midpoint (wall-clock hour h in 0..24)
# --------------------------------------------------------------------------------------------------------------

def ramp(h: float, start: float, end: float, width: float = 0.5) -> float:
    """1 between start and end, linear ramps of `width` hours centred on both edges."""
    if h <= start - width / 2 or h >= end + width / 2:
        return 0.0
    up = min(1.0, (h - (start - width / 2)) / width)
    down = min(1.0, ((end + width / 2) - h) / width)
    return max(0.0, min(up, down))


class AcmeModel:
    def __init__(self, year):
        self.r = rng("acme", year, "activity")
        self.activity = {}
        self.saturday_maintenance = {}

    def kw(self, d: dt.date, h: float, t_utc: dt.datetime) -> float:
        if d not in self.activity:
            self.activity[d] = self.r.uniform(0.88, 1.08)
            self.saturday_maintenance[d] = self.r.random() < 0.3
        winter = seasonal_winter(d)
        retrofit = d >= ACME_RETROFIT_FROM
        base = 56.0 * (1.0 + 0.06 * winter)                        # compressors, ventilation, IT, standby
        prod = light = 0.0
        if is_workday(d) and not acme_closed(d):
            end = 20.0 if d.weekday() == 4 else 22.0               # Friday: late shift stops at 20:00
            on = ramp(h, 6.0, end)
            shape = 1.0
            if 12.0 <= h < 12.5 or 17.5 <= h < 18.0:
                shape = 0.72                                       # breaks
            elif 13.75 <= h < 14.25:
                shape = 0.85                                       # shift change
            prod = 205.0 * on * shape * self.activity[d]
            light = 30.0 * ramp(h, 5.75, end + 0.25) * (1.0 + 0.4 * winter)
        elif d.weekday() == 5 and d not in HOLIDAYS and not acme_closed(d) and self.saturday_maintenance[d]:
            prod = 55.0 * ramp(h, 7.0, 12.0)
            light = 20.0 * ramp(h, 7.0, 12.0)
        if retrofit:
            base *= 0.91      # compressed-air leak programme, ventilation on demand
            light *= 0.45     # LED + presence/daylight control
            prod *= 0.985
        return base + prod + light


class BrouwerijModel:
    def __init__(self, year):
        self.year = year
        self.r = rng("brouwerij", year, "activity")
        self.activity = {}

    def kw(self, d: dt.date, h: float, t_utc: dt.datetime) -> float:
        if d not in self.activity:
            self.activity[d] = self.r.uniform(0.9, 1.1)
        doy = d.timetuple().tm_yday
        temp = TEMPERATURE[d] + 3.0 * math.sin(2 * math.pi * (h - 9.0) / 24.0)   # afternoon warmer
        cooling = 27.0 + 1.5 * max(0.0, temp - 8.0)                               # fermentation + cold store
        base = 9.0
        office = brewing = bottling = 0.0
        if is_workday(d):
            office = 7.0 * ramp(h, 8.0, 17.0)
            season = 1.0 + 0.15 * math.sin(2 * math.pi * (doy - 80) / 365.25)     # more beer in summer
            if d.weekday() <= 3:
                brewing = 58.0 * ramp(h, 6.0, 15.0) * season * self.activity[d]
            if d.weekday() in (1, 3):
                bottling = 42.0 * ramp(h, 7.0, 15.5) * season
        if self.year == 2024:
            cooling *= 0.96   # condenser replaced
            brewing *= 1.04   # a little more volume
        return cooling + base + office + brewing + bottling


class LogistiekModel:
    def __init__(self, year):
        self.r = rng("logistiek", year, "activity")
        self.activity = {}
        self.year = year

    def kw(self, d: dt.date, h: float, t_utc: dt.datetime) -> float:
        if d not in self.activity:
            self.activity[d] = self.r.uniform(0.85, 1.12)
        winter = seasonal_winter(d)
        base = 31.0 + 3.0 * winter                                               # IT, ventilation, standby
        outdoor = 12.0 if sun_sin_elevation(t_utc) < -0.05 else 0.0              # yard lighting, dusk to dawn
        hall = docks = forklifts = 0.0
        if is_workday(d):
            hall = 52.0 * ramp(h, 6.0, 22.0) * (1.0 + 0.25 * winter)
            docks = 42.0 * ramp(h, 7.0, 19.0) * self.activity[d]
        elif d.weekday() == 5 and d not in HOLIDAYS:
            hall = 40.0 * ramp(h, 6.0, 14.0) * (1.0 + 0.25 * winter)
            docks = 20.0 * ramp(h, 6.5, 13.5)
        prev = d - dt.timedelta(days=1)
        if (h >= 22.0 and is_workday(d)) or (h < 4.0 and is_workday(prev)):
            forklifts = 44.0
        load = base + outdoor + hall + docks + forklifts
        return load * (1.02 if self.year == 2024 else 1.0)


MODELS = {"acme": AcmeModel, "brouwerij": BrouwerijModel, "logistiek": LogistiekModel}

# --------------------------------------------------------------------------------------------------------------
# Statuses: runs of estimated or missing intervals
# --------------------------------------------------------------------------------------------------------------

class StatusModel:
    def __init__(self, seed_parts, p_missing=0.002, p_estimated=0.003, max_run=8):
        self.r = rng(*seed_parts)
        self.mean_run = (1 + max_run) / 2.0
        self.p_missing = p_missing / self.mean_run
        self.p_estimated = p_estimated / self.mean_run
        self.max_run = max_run
        self.left = 0
        self.current = "measured"

    def next(self) -> str:
        if self.left > 0:
            self.left -= 1
            return self.current
        x = self.r.random()
        if x < self.p_missing:
            self.current = "missing"
        elif x < self.p_missing + self.p_estimated:
            self.current = "estimated"
        else:
            return "measured"
        self.left = self.r.randint(1, self.max_run) - 1
        return self.current

# --------------------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------------------

def milli(x: float) -> int:
    """kWh -> integer thousandths, as written (three decimals)."""
    return int(round(x * 1000.0))


def fmt_milli(v: int) -> str:
    return f"{v // 1000},{v % 1000:03d}"


class Formatter:
    def __init__(self, dialect):
        self.dialect = dialect
        self.date_cache = {}

    def date(self, t: dt.datetime) -> str:
        key = (t.year, t.month, t.day)
        s = self.date_cache.get(key)
        if s is None:
            s = self.dialect["date_fmt"].format(d=t.day, m=t.month, y=t.year)
            self.date_cache[key] = s
        return s

    def prefix(self, ls: dt.datetime, le: dt.datetime) -> str:
        return f"{self.date(ls)};{ls:%H:%M:%S};{self.date(le)};{le:%H:%M:%S}"


def write_csv(path: Path, dialect, header: str, lines: list[str]) -> None:
    eol = dialect["eol"]
    text = "\ufeff" + header + eol + eol.join(lines) + (eol if dialect["final_eol"] else "")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(text.encode("utf-8"))
    os.replace(tmp, path)


def new_bucket(has_gas: bool):
    return {
        "off": 0, "inj": 0, "gas_kwh": 0, "gas_m3": 0,
        "q": 0, "off_c": {"present": 0, "estimated": 0, "missing": 0},
        "inj_c": {"present": 0, "estimated": 0, "missing": 0},
        "h": 0, "gas_c": {"present": 0, "estimated": 0, "missing": 0},
        "has_gas": has_gas,
        "pv": 0, "self": 0, "pv_q": 0, "pv_matched": 0,
    }


def count(c, status):
    if status == "missing":
        c["missing"] += 1
    else:
        c["present"] += 1
        if status == "estimated":
            c["estimated"] += 1


def generate_electricity(site, year, buckets, out_dir: Path, stats):
    dialect = DIALECTS[site["dialect"]]
    fmt = Formatter(dialect)
    ean, meter = site["electricity"]["ean"], site["electricity"]["meter"]
    mtype = dialect["meter_type"]
    regs = dialect["registers"]
    stat_words = dialect["status"]
    desc = ";" if dialect["description"] else ""
    model = MODELS[site["id"]](year)
    noise_r = rng(site["id"], year, "electricity-noise")
    est_r = rng(site["id"], year, "estimates")
    status_model = StatusModel((site["id"], year, "electricity-status"))
    clouds = CloudModel(("logistiek", year, "clouds")) if site["id"] == "logistiek" else None
    noise = 0.0
    records = []
    for t, ls, le in intervals(year, 15):
        d = ls.date()
        h = ls.hour + ls.minute / 60.0 + 0.125
        noise = 0.75 * noise + noise_r.gauss(0.0, 0.025)
        load_kwh = max(0.0, model.kw(d, h, t) * (1.0 + noise + noise_r.gauss(0.0, 0.02))) * 0.25
        pv_kwh = 0.0
        if clouds is not None:
            k = clouds.clearness(d)   # drawn every quarter, so the cloud sequence does not depend on PV start
            if ls >= LOGISTIEK_PV_FROM_LOCAL:
                ghi = clear_sky_ghi(sun_sin_elevation(t + dt.timedelta(minutes=7, seconds=30)))
                pv_kwh = LOGISTIEK_PV_KWP * ghi / 1000.0 * k * PV_PERFORMANCE * 0.25
        self_used = min(load_kwh, pv_kwh)
        off_v, inj_v = milli(load_kwh - self_used), milli(pv_kwh - self_used)
        status = status_model.next()
        if WHOLE_MISSING_DAY == (site["id"], d):
            status = "missing"
        off_s = inj_s = status
        if status == "estimated":
            off_v = milli((load_kwh - self_used) * est_r.uniform(0.85, 1.15))
            inj_v = milli((pv_kwh - self_used) * est_r.uniform(0.85, 1.15))
            if pv_kwh == 0.0 and est_r.random() < 0.15:
                inj_s = "missing"   # as in the real sample: offtake estimated, injection without value
        tariff = "day" if (d.weekday() < 5 and 7 <= ls.hour < 22) else "night"
        pre = fmt.prefix(ls, le)
        common = f';="{ean}";{meter};{mtype};'
        off_line = f"{pre}{common}{regs[('off', tariff)]};{'' if off_s == 'missing' else fmt_milli(off_v)};kWh;" \
                   f"{stat_words[off_s]}{desc}"
        inj_line = f"{pre}{common}{regs[('inj', tariff)]};{'' if inj_s == 'missing' else fmt_milli(inj_v)};kWh;" \
                   f"{stat_words[inj_s]}{desc}"
        records.append((ls, t, off_line, inj_line))
        # oracle
        for key in (f"{ls.year}", f"{ls.year}-{ls.month:02d}"):
            b = buckets[key]
            b["q"] += 1
            count(b["off_c"], off_s)
            count(b["inj_c"], inj_s)
            if off_s != "missing":
                b["off"] += off_v
            if inj_s != "missing":
                b["inj"] += inj_v
        stats["load"] += milli(load_kwh)
        stats["pv"] += milli(pv_kwh)
        stats["self"] += milli(self_used)
        if clouds is not None:
            # What the SMA export and the PV oracle need: production in Wh as the inverter register counts it, and
            # the grid rows exactly as written (value and status).
            stats["quarters"].append((ls, le, milli(pv_kwh), inj_v, inj_s, off_s))
    # Wall-clock order; for the repeated autumn hour, summer time (earlier UTC) first.
    records.sort(key=lambda r: (r[0], r[1]))
    lines = []
    for _, _, a, b in records:
        lines.append(a)
        lines.append(b)
    name = dialect["elec_file"].format(ean=ean, frm=f"{year}0101", to=f"{year}1231")
    path = out_dir / site["id"] / name
    write_csv(path, dialect, dialect["elec_header"], lines)
    return path


# The logistiek inverter (one 150 kW string inverter on the warehouse roof) as its WebUI names it. The channels are
# those of the daily sample (Tests/Fixtures/samples/sma_webui_daily_head20.csv): the inverter has no SMA Energy Meter,
# so the grid registers stay at 0 (TotWh*) or NaN (AbsWh*), as in the sample.
SMA_DEVICE = {"name": "SHP 150-20 417", "model": "SUNNY HIGHPOWER PEAK3 150", "serial": "3012345417"}
SMA_CHANNELS = ["Metering.TotWhOut", "Metering.GridMs.TotWhOut", "Metering.GridMs.AbsWhOut",
                "Metering.GridMs.TotWhIn", "Metering.GridMs.AbsWhIn"]


def generate_sma(site, year, quarters, buckets, out_dir: Path):
    """SMA WebUI CSV3 export of the logistiek inverter, 15-minute rows from commissioning (2024-04-01 00:00 local)
    to 01.01. of the next year 00:00 (the last reading closes the last quarter). `Metering.TotWhOut` is the lifetime
    yield register in Wh: the reading at a row's time is the sum of the quarters before it, so the difference of
    two consecutive rows is the production of the quarter starting at the first one (integer Wh, exact).
    Local wall-clock times in UTC order: the repeated autumn hour appears twice, summer time first."""
    eol = "\r\n"
    n = len(SMA_CHANNELS)
    lines = ["sep=,", "Version CSV3|Tool WebUI|Linebreaks CR/LF|Delimiter comma", "",
             "," + ",".join([SMA_DEVICE["name"]] * n), "," + ",".join([SMA_DEVICE["model"]] * n),
             "," + ",".join([SMA_DEVICE["serial"]] * n), "," + ",".join(SMA_CHANNELS), "," + ",".join(["Analog"] * n),
             "DD.MM.YYYY hh:mm:ss," + ",".join(["[Wh]"] * n)]
    register = 0
    last_end = None
    for ls, le, pv_wh, inj_v, inj_s, off_s in quarters:
        if ls < LOGISTIEK_PV_FROM_LOCAL:
            continue
        lines.append(f"{ls:%d.%m.%Y %H:%M:%S},{register},0,NaN,0,NaN")
        register += pv_wh
        last_end = le
        # oracle: production of every quarter; self-consumed of the matched quarters (production, injection and
        # offtake all with a value), min(max(production - injection, 0), production), in Wh as written
        matched = inj_s != "missing" and off_s != "missing"
        for key in (f"{ls.year}", f"{ls.year}-{ls.month:02d}"):
            b = buckets[key]
            b["pv_q"] += 1
            b["pv"] += pv_wh
            if matched:
                b["pv_matched"] += 1
                b["self"] += min(max(pv_wh - inj_v, 0), pv_wh)
    lines.append(f"{last_end:%d.%m.%Y %H:%M:%S},{register},0,NaN,0,NaN")
    name = f"{SMA_DEVICE['name'].replace(' ', '_')}_{SMA_DEVICE['serial']}_{year}_15min.csv"
    path = out_dir / f"{site['id']}-pv" / name
    text = "\ufeff" + eol.join(lines) + eol
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(text.encode("utf-8"))
    os.replace(tmp, path)
    return path


def generate_gas(site, year, buckets, out_dir: Path):
    dialect = DIALECTS[site["dialect"]]
    fmt = Formatter(dialect)
    ean, meter = site["gas"]["ean"], site["gas"]["meter"]
    mtype = dialect["meter_type"]
    reg = dialect["gas_register"]
    stat_words = dialect["status"]
    desc = ";" if dialect["description"] else ""
    noise_r = rng(site["id"], year, "gas-noise")
    est_r = rng(site["id"], year, "gas-estimates")
    cv_r = rng(site["id"], year, "calorific")
    status_model = StatusModel((site["id"], year, "gas-status"), max_run=6)
    cv_by_day = {}
    # Day-to-day variation of the heat demand that degree days do not explain (wind, sun, doors, occupancy): its own
    # random stream, one draw per day.
    day_r = rng(site["id"], year, "gas-day-noise")
    day_noise = {}

    def weight(d: dt.date, hour: int) -> float:
        workday = is_workday(d) and not (site["id"] == "acme" and acme_closed(d))
        if workday:
            if 5 <= hour < 8:
                return 1.6          # morning boost
            if 8 <= hour < 21:
                return 1.0
            return 0.35             # night setback
        return 0.45                 # weekend / holiday / closure: frost and comfort setback

    def day_factor(d: dt.date) -> float:
        # Heat demand on days off: the setback saves less than it seems (the building's heat loss goes on, and the
        # morning boost of the next workday recovers it).
        workday = is_workday(d) and not (site["id"] == "acme" and acme_closed(d))
        return 1.0 if workday else 0.85

    norm = {}
    records = []
    for t, ls, le in intervals(year, 60):
        d = ls.date()
        if d not in norm:
            norm[d] = sum(weight(d, hh) for hh in range(24))
            cv = 11.2 + 0.1 * math.sin(2 * math.pi * d.timetuple().tm_yday / 365.25) + cv_r.gauss(0.0, 0.04)
            cv_by_day[d] = round(min(11.38, max(11.02, cv)), 3)          # observed 11.0-11.4 kWh/m3 (HHV)
            day_noise[d] = max(0.0, 1.0 + day_r.gauss(0.0, 0.07))
        hour = ls.hour
        if site["id"] == "acme":
            k = 292.0 * (0.88 if d >= ACME_RETROFIT_FROM else 1.0)       # kWh per degree day
            heat_day = k * hdd_teq(d) * day_factor(d)
            process = 0.0
        else:
            k = 82.0 * (0.98 if year == 2024 else 1.0)
            heat_day = k * hdd_teq(d) * day_factor(d)
            process = 5.0                                                # hot water, CIP
            if is_workday(d) and d.weekday() <= 3 and 6 <= hour < 14:
                process += 20.0 * (0.93 if year == 2024 else 1.0)        # wort boiling; heat recovery in 2024
        kwh = heat_day * day_noise[d] * weight(d, hour) / norm[d]
        kwh = max(0.0, kwh * (1.0 + noise_r.gauss(0.0, 0.08))) + max(0.0, process * (1.0 + noise_r.gauss(0.0, 0.05)))
        status = status_model.next()
        if status == "estimated":
            kwh *= est_r.uniform(0.85, 1.15)
        cv = cv_by_day[d]
        kwh_v = milli(kwh)
        m3_v = int(round(kwh_v / cv))        # thousandths of m3 from the written kWh
        pre = fmt.prefix(ls, le)
        common = f';="{ean}";{meter};{mtype};{reg};'
        word = stat_words[status]
        if status == "missing":
            kwh_line = f"{pre}{common};kWh;{word};{desc}"
            m3_line = f"{pre}{common};m³;{word};{desc}"
        else:
            kwh_line = f"{pre}{common}{fmt_milli(kwh_v)};kWh;{word};{dialect['calorific_word']}{desc}"
            m3_line = f"{pre}{common}{fmt_milli(m3_v)};m³;{word};{desc}"
        records.append((ls, t, kwh_line, m3_line))
        for key in (f"{ls.year}", f"{ls.year}-{ls.month:02d}"):
            b = buckets[key]
            b["h"] += 1
            count(b["gas_c"], status)
            if status != "missing":
                b["gas_kwh"] += kwh_v
                b["gas_m3"] += m3_v
    records.sort(key=lambda r: (r[0], r[1]))
    lines = []
    for _, _, kwh_line, m3_line in records:
        if dialect["gas_kwh_first"]:
            lines += [kwh_line, m3_line]
        else:
            lines += [m3_line, kwh_line]
    name = dialect["gas_file"].format(ean=ean, frm=f"{year}0101", to=f"{year}1231")
    path = out_dir / site["id"] / name
    write_csv(path, dialect, dialect["gas_header"], lines)
    return path


# --------------------------------------------------------------------------------------------------------------
# The other KPI families: weather, water, waste, mobility (small files, their own random streams, so the Fluvius
# and SMA files above stay byte-identical)
# --------------------------------------------------------------------------------------------------------------

WEATHER_STATION = "6447"                     # RMI/KMI station code of Uccle/Ukkel
WEATHER_FROM, WEATHER_TO = dt.date(2022, 12, 30), dt.date(2024, 12, 31)   # Teq of 1 Jan 2023 needs 30 and 31 Dec


def fmt_c(v: float) -> str:
    return f"{round(v, 1) + 0.0:.1f}"      # + 0.0: never "-0.0"


def generate_weather(out_dir: Path):
    """RMI/KMI open-data daily file (aws_1day shape, `code,timestamp,temp_avg,temp_max,temp_min`): temp_avg is the
    synthetic series that drives the gas models; min/max are decoration from their own random stream."""
    r = rng("weather", "rmi-min-max")
    lines = ["code,timestamp,temp_avg,temp_max,temp_min"]
    d = WEATHER_FROM
    while d <= WEATHER_TO:
        t = TEMPERATURE[d]
        lines.append(f"{WEATHER_STATION},{d:%Y-%m-%d}T00:00:00,{fmt_c(t)},{fmt_c(t + r.uniform(2.0, 6.5))},"
                     f"{fmt_c(t - r.uniform(2.0, 6.5))}")
        d += dt.timedelta(days=1)
    path = out_dir / "weather" / "uccle_daily_2022-2024.csv"
    write_bytes(path, "\n".join(lines) + "\n")
    return path


WATER_SITE = "acme"
WATER_LEAK_REPAIRED = dt.date(2024, 2, 14)   # running toilet valve + leaking hose tap, found by the night flow
WATER_REGISTER_START_DL = 4_812_345          # the meter's register on 2023-01-01 00:00 (481 m3)
WATER_GAP = (dt.datetime(2024, 9, 10, 11), dt.datetime(2024, 9, 10, 14))  # Wi-Fi outage: these local rows absent


def generate_water(out_dir: Path, oracle_dl: dict):
    """HomeWizard water export of ACME's main meter, HOURLY rows (15-minute rows for two years would be 1.7 MB):
    `time,water usage dl`, the running total in decilitres at local wall-clock time, LF, no BOM (as the sample).
    Workdays: sanitary + process water 06-22 h; a leak of ~28 l/h day and night until WATER_LEAK_REPAIRED, so the
    night minimum flow drops from ~0.028 m3/h (2023) to 0 (2024). Oracle: decilitres per year of the local start."""
    r = rng(WATER_SITE, "water")
    register = WATER_REGISTER_START_DL
    lines = ["time,water usage dl"]
    t = local_midnight_utc(dt.date(2023, 1, 1))
    end = local_midnight_utc(dt.date(2025, 1, 1))
    while t <= end:
        ls = t + utc_offset(t)
        if not (WATER_GAP[0] <= ls <= WATER_GAP[1]):
            lines.append(f"{ls:%Y-%m-%d %H:%M},{register}")
        if t == end:
            break
        d, h = ls.date(), ls.hour
        use = 0.0
        if is_workday(d) and not acme_closed(d):
            if 6 <= h < 22:
                use = 3700.0 * (1.5 if h in (6, 12, 14, 18) else 1.0) * r.uniform(0.7, 1.3)
                use *= 0.95 if d.year == 2024 else 1.0          # waterless urinals with the retrofit
            elif h == 22:
                use = 1500.0 * r.uniform(0.6, 1.2)               # cleaning crew
        elif 8 <= h < 16 and r.random() < 0.15:
            use = r.uniform(50.0, 400.0)                         # weekend: security round, sprinkler test
        if 1 <= h < 5 and r.random() < 0.02:
            use += r.uniform(60.0, 120.0)                        # the odd night-time flush
        if d < WATER_LEAK_REPAIRED:
            use += 280.0 + r.uniform(-8.0, 8.0)                  # the leak, ~28 l/h
        dl = int(round(use))
        register += dl
        oracle_dl[ls.year] = oracle_dl.get(ls.year, 0) + dl
        t += dt.timedelta(hours=1)
    path = out_dir / "acme-water" / "HomeWizard_water_ACME_hoofdmeter_2023-2024_hourly.csv"
    write_bytes(path, "\n".join(lines) + "\n")
    return path


# Streams per site: (EURAL, description, collections per year (months), mean kg per collection 2023, 2024 factor).
WASTE_STREAMS = {
    "acme": [("20 03 01", "Gemengd bedrijfsafval", 12, 1450.0, 0.72),
             ("15 01 01", "Papier en karton", 12, 380.0, 1.10),
             ("15 01 02", "PMD-verpakkingen", 12, 95.0, 1.15),
             ("17 04 05", "IJzer en staal", 12, 3900.0, 1.00),
             ("16 06 01*", "Loodaccu's", 2, 160.0, 1.00)],
    "brouwerij": [("20 03 01", "Gemengd bedrijfsafval", 12, 620.0, 0.80),
                  ("15 01 01", "Papier en karton", 12, 540.0, 1.05),
                  ("15 01 02", "PMD-verpakkingen", 12, 210.0, 1.10)],
    "logistiek": [("20 03 01", "Gemengd bedrijfsafval", 12, 980.0, 0.78),
                  ("15 01 01", "Papier en karton", 12, 1650.0, 1.06),
                  ("15 01 02", "PMD-verpakkingen (folie)", 12, 310.0, 1.12),
                  ("16 06 01*", "Loodaccu's (heftrucks)", 1, 850.0, 1.00)],
}
WASTE_TREATMENT = {"20 03 01": "R1", "15 01 01": "R3", "15 01 02": "R4", "16 06 01*": "R4", "17 04 05": "R4"}
WASTE_D1_MONTHS_2023 = (3, 6, 9, 12)          # 2023: the residual-waste contract sent these collections to landfill
WASTE_COLLECTOR = {"20 03 01": "Afvalpunt Schelde NV", "15 01 01": "Recyclo BV", "15 01 02": "Recyclo BV",
                   "16 06 01*": "Bebat-partner Accu Recycling BV", "17 04 05": "Metaalhandel Van Dijck BV"}


def waste_class(eural: str, treatment: str) -> str:
    if treatment == "R1":
        return "energy_recovery"
    if treatment.startswith("D"):
        return "disposal"
    return "recycling"


def generate_waste(out_dir: Path, oracle: dict):
    """One collector's report for the three sites, 2023-2024, one row per collection:
    `Datum;Vestiging;Euralcode;Omschrijving;Gewicht (kg);Verwerkingscode;Inzamelaar`, dates dd-MM-yyyy, mass in kg
    with one decimal (decimal comma), UTF-8 BOM, CRLF (an Excel export). Residual waste falls in 2024 (sorting
    at source), some 2023 residual collections went to landfill (D1). Oracle: tenths of kg per site, year, class."""
    rows = []
    for site in ("acme", "brouwerij", "logistiek"):
        for year in YEARS:
            for eural, text, per_year, mean_kg, factor_2024 in WASTE_STREAMS[site]:
                r = rng("waste", site, year, eural)
                months = range(1, 13) if per_year == 12 else ((5, 11) if per_year == 2 else (9,))
                for month in months:
                    d = dt.date(year, month, 1) + dt.timedelta(days=r.randint(3, 20))
                    while not is_workday(d):
                        d += dt.timedelta(days=1)
                    kg = mean_kg * (factor_2024 if year == 2024 else 1.0) * r.uniform(0.8, 1.2)
                    tenths = int(round(kg * 10))
                    treatment = WASTE_TREATMENT[eural]
                    if eural == "20 03 01" and year == 2023 and month in WASTE_D1_MONTHS_2023:
                        treatment = "D1"
                    rows.append((d, site, eural, text, tenths, treatment, WASTE_COLLECTOR[eural]))
                    o = oracle.setdefault(site, {}).setdefault(year, {"total": 0, "recycling": 0, "energy_recovery": 0,
                                                                      "disposal": 0, "residual": 0, "hazardous": 0})
                    o["total"] += tenths
                    o[waste_class(eural, treatment)] += tenths
                    if eural == "20 03 01":
                        o["residual"] += tenths
                    if eural.endswith("*"):
                        o["hazardous"] += tenths
    rows.sort(key=lambda x: (x[0], x[1], x[2]))
    lines = ["Datum;Vestiging;Euralcode;Omschrijving;Gewicht (kg);Verwerkingscode;Inzamelaar"]
    for d, site, eural, text, tenths, treatment, collector in rows:
        lines.append(f"{d:%d-%m-%Y};{site};{eural};{text};{tenths // 10},{tenths % 10};{treatment};{collector}")
    path = out_dir / "waste" / "afvalrapport_inzamelaar_2023-2024.csv"
    write_bytes(path, "\ufeff" + "\r\n".join(lines) + "\r\n")
    return path


# Home-work survey (company survey on the reference date 30 June): commuters per main mode and the average one-way
# distance (km). 2023 = baseline, 2024 = after the bike plan (e-bike leasing, carpool app, station shuttle). The
# motorbike count stays the same per site: the catalogue has no motorbike factor, and a changed motorbike share makes
# the modal-shift CO2 null (leaving it out would bias the result).
SURVEY_MODES = [("car", "Auto (alleen)"), ("carpool", "Carpool"), ("motorbike", "Motorfiets"), ("bus", "Bus"),
                ("train", "Trein"), ("bike", "Fiets"), ("ebike", "Elektrische fiets"), ("walk", "Te voet")]
SURVEY = {
    "acme": {2023: {"car": 84, "carpool": 6, "motorbike": 3, "bus": 4, "train": 3, "bike": 12, "ebike": 6, "walk": 2},
             2024: {"car": 74, "carpool": 11, "motorbike": 3, "bus": 5, "train": 3, "bike": 14, "ebike": 8, "walk": 2}},
    "brouwerij": {2023: {"car": 27, "carpool": 3, "motorbike": 1, "bus": 2, "train": 2, "bike": 7, "ebike": 2,
                         "walk": 1},
                  2024: {"car": 24, "carpool": 4, "motorbike": 1, "bus": 2, "train": 2, "bike": 8, "ebike": 3,
                         "walk": 1}},
    "logistiek": {2023: {"car": 61, "carpool": 5, "motorbike": 2, "bus": 3, "train": 1, "bike": 5, "ebike": 2,
                         "walk": 1},
                  2024: {"car": 56, "carpool": 8, "motorbike": 2, "bus": 3, "train": 1, "bike": 6, "ebike": 4,
                         "walk": 0}},
}
SURVEY_DISTANCE_KM = {"car": 21.5, "carpool": 24.0, "motorbike": 17.0, "bus": 11.5, "train": 32.0, "bike": 6.5,
                      "ebike": 12.5, "walk": 1.5}
SURVEY_SITE_DISTANCE = {"acme": 1.0, "brouwerij": 0.8, "logistiek": 1.2}


def generate_survey(out_dir: Path, oracle: dict):
    """Commuting survey, long layout `vestiging;jaar;vervoerwijze;aantal;gemiddelde afstand (km)`, Dutch mode names,
    decimal comma, UTF-8 BOM, CRLF. A mode with 0 commuters is left out (as a survey tool does)."""
    lines = ["vestiging;jaar;vervoerwijze;aantal;gemiddelde afstand (km)"]
    for site in ("acme", "brouwerij", "logistiek"):
        for year in YEARS:
            counts = SURVEY[site][year]
            for mode, word in SURVEY_MODES:
                n = counts[mode]
                if n == 0:
                    continue
                km = round(SURVEY_DISTANCE_KM[mode] * SURVEY_SITE_DISTANCE[site], 1)
                lines.append(f"{site};{year};{word};{n};{f'{km:.1f}'.replace('.', ',')}")
            oracle.setdefault(site, {})[year] = {**{m: counts[m] for m, _ in SURVEY_MODES},
                                                 "total": sum(counts.values())}
    path = out_dir / "mobility-survey" / "woon-werkverkeer_enquete_2023-2024.csv"
    write_bytes(path, "\ufeff" + "\r\n".join(lines) + "\r\n")
    return path


# ACME's 2024 trip log: the carpool app (five crews, to work and back) and the shuttle between Antwerpen-Berchem
# station and the park (one run in the morning, one in the evening).
CARPOOL_CREWS = [(18.4, 2), (26.9, 3), (14.2, 2), (31.5, 2), (22.7, 3)]   # one-way km, people in the car
SHUTTLE_KM = 9.6


def generate_trips(out_dir: Path):
    """`start,mode,distance_km,occupancy`, local times `yyyy-MM-dd HH:mm`, LF. ACME workdays of 2024 only."""
    r = rng("acme", 2024, "trips")
    lines = ["start,mode,distance_km,occupancy"]
    d = dt.date(2024, 1, 1)
    while d.year == 2024:
        if is_workday(d) and not acme_closed(d):
            rows = [(dt.datetime.combine(d, dt.time(6, 10)), "shuttle", SHUTTLE_KM, r.randint(3, 9))]
            for i, (km, people) in enumerate(CARPOOL_CREWS):
                if r.random() < 0.85:
                    n = people - (1 if r.random() < 0.1 else 0)
                    if n >= 2:
                        rows.append((dt.datetime.combine(d, dt.time(5, 20 + 5 * i)), "carpool", km, n))
                        rows.append((dt.datetime.combine(d, dt.time(22, 5 + 5 * i)), "carpool", km, n))
            rows.append((dt.datetime.combine(d, dt.time(22, 15)), "shuttle", SHUTTLE_KM, r.randint(2, 8)))
            for start, mode, km, n in sorted(rows):
                lines.append(f"{start:%Y-%m-%d %H:%M},{mode},{km:.1f},{n}")
        d += dt.timedelta(days=1)
    path = out_dir / "mobility-trips" / "acme_carpool_shuttle_ritten_2024.csv"
    write_bytes(path, "\n".join(lines) + "\n")
    return path


def write_bytes(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(text.encode("utf-8"))
    os.replace(tmp, path)


def kwh(v: int) -> float:
    """Thousandths -> a float whose shortest repr is the exact three-decimal value."""
    return float(f"{v // 1000}.{v % 1000:03d}")


def bucket_json(b, period_days):
    out = {
        "offtake_kwh": kwh(b["off"]),
        "injection_kwh": kwh(b["inj"]),
        "gas_kwh": kwh(b["gas_kwh"]) if b["has_gas"] else None,
        "gas_m3": kwh(b["gas_m3"]) if b["has_gas"] else None,
        "electricity": {"intervals": b["q"], "offtake": b["off_c"], "injection": b["inj_c"]},
        "gas": ({"intervals": b["h"], **b["gas_c"]} if b["has_gas"] else None),
        "hdd_16_5": round(sum(hdd(d) for d in period_days), 1),
        "pv_production_kwh": kwh(b["pv"]) if b["pv_q"] else None,
        "self_consumed_kwh": kwh(b["self"]) if b["pv_q"] else None,
        "pv": {"intervals": b["pv_q"], "matched": b["pv_matched"]} if b["pv_q"] else None,
    }
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(REPO / "input" / "demo-park"), help="output folder (input/demo-park)")
    ap.add_argument("--expected", default=str(REPO / "scripts" / "demo-expected-totals.json"),
                    help="where to write the oracle totals (scripts/demo-expected-totals.json)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    out_dir = Path(args.out)

    oracle = {}
    written = []
    for site in SITES:
        buckets = {}
        period_days = {}
        for year in YEARS:
            keys = [f"{year}"] + [f"{year}-{m:02d}" for m in range(1, 13)]
            for key in keys:
                buckets[key] = new_bucket(site["gas"] is not None)
                period_days[key] = []
            d = dt.date(year, 1, 1)
            while d.year == year:
                period_days[f"{year}"].append(d)
                period_days[f"{year}-{d.month:02d}"].append(d)
                d += dt.timedelta(days=1)
            stats = {"load": 0, "pv": 0, "self": 0, "quarters": []}
            written.append(generate_electricity(site, year, buckets, out_dir, stats))
            if any(q[0] >= LOGISTIEK_PV_FROM_LOCAL for q in stats["quarters"]):
                written.append(generate_sma(site, year, stats["quarters"], buckets, out_dir))
            if site["gas"] is not None:
                written.append(generate_gas(site, year, buckets, out_dir))
            if not args.quiet:
                extra = ""
                if stats["pv"]:
                    extra = (f", pv {kwh(stats['pv']):.0f} kWh, self-consumed {kwh(stats['self']):.0f} kWh"
                             f" (consumption {kwh(stats['load']):.0f} kWh)")
                print(f"{site['id']} {year}: offtake {kwh(buckets[str(year)]['off']):.0f} kWh, injection "
                      f"{kwh(buckets[str(year)]['inj']):.0f} kWh"
                      + (f", gas {kwh(buckets[str(year)]['gas_kwh']):.0f} kWh" if site["gas"] else "") + extra,
                      file=sys.stderr)
        oracle[site["id"]] = {key: bucket_json(b, period_days[key]) for key, b in buckets.items()}

    # The other families (weather, water, waste, mobility): their own files and random streams; their oracle
    # fields sit in the site's year entries.
    written.append(generate_weather(out_dir))
    water_dl = {}
    written.append(generate_water(out_dir, water_dl))
    waste = {}
    written.append(generate_waste(out_dir, waste))
    survey = {}
    written.append(generate_survey(out_dir, survey))
    written.append(generate_trips(out_dir))
    for site in SITES:
        for year in YEARS:
            entry = oracle[site["id"]][f"{year}"]
            entry["water_m3"] = (water_dl[year] / 10000.0) if site["id"] == WATER_SITE else None
            w = waste[site["id"]][year]
            entry["waste_kg"] = {k: v / 10.0 for k, v in w.items()}
            entry["commute"] = survey[site["id"]][year]

    expected = Path(args.expected)
    expected.parent.mkdir(parents=True, exist_ok=True)
    expected.write_text(json.dumps(oracle, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    known = {p.resolve() for p in written}
    strays = sorted(p for p in out_dir.rglob("*") if p.is_file() and p.resolve() not in known)
    if strays:
        print("warning: files not written by this generator are in the output folder (the pipeline will read "
              "them too):", *[f"  {p}" for p in strays], sep="\n", file=sys.stderr)
    if not args.quiet:
        for p in written:
            print(f"{p.stat().st_size:>10}  {p}", file=sys.stderr)
        print(f"oracle: {expected}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
