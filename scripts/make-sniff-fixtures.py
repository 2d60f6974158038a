#!/usr/bin/env python3
"""Builds the byte-faithful (constructed, not real) fixtures of Tests/ParkImpactTests/Fixtures/sniff/.

Deterministic (no randomness): run it again and the bytes are the same. Headers, delimiters, quoting, date layouts
and line endings follow the exporters as documented in that folder's PROVENANCE.md; the numbers are made up."""
import datetime as dt
import os

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "ParkImpactTests", "Fixtures", "sniff")


def write(name, lines, newline="\n"):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write((newline.join(lines) + newline).encode("utf-8"))


def f3(x):
    return f"{x:.3f}"


# A. HomeWizard P1 meter export (15 min): registers, kWh, the L1-L3 max W columns the P1 meter adds.
regs = [8354.542, 4651.123, 3095.006, 7482.310]
rows = ["time,Import T1 kWh,Import T2 kWh,Export T1 kWh,Export T2 kWh,L1 max W,L2 max W,L3 max W"]
t = dt.datetime(2024, 1, 15)
for i in range(192):
    if i > 0:
        day_tariff = 7 <= t.hour < 23
        use = (50 + (i % 7) * 11) / 1000
        regs[1 if day_tariff else 0] += use
        if 10 <= t.hour < 15:
            regs[3] += (120 + (i % 5) * 7) / 1000
        regs = [round(r, 3) for r in regs]
    rows.append(",".join([t.strftime("%Y-%m-%d %H:%M")] + [f3(r) for r in regs]
                         + [str(400 + (i * 37) % 900), str(350 + (i * 53) % 800), str(300 + (i * 71) % 700)]))
    t += dt.timedelta(minutes=15)
write("homewizard_p1_15min.csv", rows)

# B. Supplier daily meter readings, newest first, `;`, decimal comma, CRLF.
regs = [12034.517, 9876.204, 2345.118, 1204.990]
readings = []
d = dt.date(2024, 1, 1)
for i in range(91):
    if i > 0:
        regs[0] += 6.25 + (i % 4) * 0.75
        regs[1] += 4.5 + (i % 3) * 0.5
        regs[2] += (i % 6) * 0.875
        regs[3] += (i % 5) * 0.25
        regs = [round(r, 3) for r in regs]
    readings.append(";".join([d.strftime("%d-%m-%Y")] + [f3(r).replace(".", ",") for r in regs]))
    d += dt.timedelta(days=1)
write("supplier_opnamedatum_newest_first.csv",
      ["OpnameDatum;StandNormaal;StandDal;TerugleveringNormaal;TerugleveringDal"] + readings[::-1], "\r\n")

# C. One value column, two quantities by `Type`; every field quoted; CRLF.
rows = ['"Datum","EAN","Verbruik","Type"']
d = dt.date(2024, 1, 1)
for i in range(31):
    rows.append(f'"{d.strftime("%d-%m-%Y")}","541448820012345678","{f3(12 + (i % 9) * 1.125)}","Elektriciteit"')
    rows.append(f'"{d.strftime("%d-%m-%Y")}","541448820012345678","{f3((i % 4) * 0.5)}","Teruglevering"')
    d += dt.timedelta(days=1)
write("verbruik_type_long.csv", rows, "\r\n")

# D. A UTC export: local-looking times, the header says UTC; hourly interval kWh across the spring clock change.
rows = ["Date/time UTC,Energy (kWh)"]
t = dt.datetime(2024, 3, 30)
for i in range(72):
    rows.append(f"{t.strftime('%Y-%m-%d %H:%M:%S')},{f3(0.25 + (i % 6) * 0.125)}")
    t += dt.timedelta(hours=1)
write("utc_hourly.csv", rows)

# E. Month-first dates that only row 289 settles (09/13/2024): hourly interval kWh.
rows = ["Date,Consumption (kWh)"]
t = dt.datetime(2024, 9, 1)
for i in range(336):
    rows.append(f"{t.strftime('%m/%d/%Y %H:%M')},{f3(0.5 + (i % 10) * 0.1)}")
    t += dt.timedelta(hours=1)
write("month_first_hourly.csv", rows)

# F. A meter-reading app export whose title says Strom (electricity), `;`, decimal comma.
rows = ["Strom;19.09.24;", ";;", "Datum;Zeit;Zählerstand"]
value = 381.0
d = dt.datetime(2022, 10, 29, 11, 39)
for i in range(10):
    rows.append(f"{d.strftime('%d.%m.%y')};{d.strftime('%H:%M')};{f3(value).replace('.', ',')}")
    value += 7.5 + i * 0.25
    d += dt.timedelta(days=3, minutes=17)
write("strom_zaehlerstand.csv", rows)

# G. Gas register in m³ (hourly), `;`, decimal comma.
rows = ["Tijdstip;Gasstand (m³)"]
value = 4523.117
t = dt.datetime(2024, 2, 1)
for i in range(48):
    rows.append(f"{t.strftime('%d-%m-%Y %H:%M')};{f3(value).replace('.', ',')}")
    value = round(value + (0.125 if 6 <= t.hour < 22 else 0.0) + (i % 3) * 0.011, 3)
    t += dt.timedelta(hours=1)
write("gas_m3_register.csv", rows)

# H. KNMI daily download (etmgeg): 50 legend lines without `#`, the header `# STN,...` on line 52, TG in 0.1 °C.
legend = [
    "BRON / SOURCE: KONINKLIJK NEDERLANDS METEOROLOGISCH INSTITUUT (KNMI)",
    "Opmerking: door stationsverplaatsingen en veranderingen in waarneemmethodieken zijn deze tijdreeksen van dagwaarden mogelijk inhomogeen! Dat betekent dat deze reeks van gemeten waarden niet geschikt is voor trendanalyse. Voor studies naar klimaatverandering verwijzen we naar de gehomogeniseerde dagreeksen <http://www.knmi.nl/nederland-nu/klimatologie/daggegevens> of de Centraal Nederland Temperatuur <http://www.knmi.nl/kennis-en-datacentrum/achtergrond/centraal-nederland-temperatuur-cnt>.",
    "",
    "Comment: These time series are inhomogeneous because of station relocations and changes in observation techniques. As a result, these series are not suitable for trend analysis. For climate change studies we refer to the homogenized series of daily temperatures <http://www.knmi.nl/nederland-nu/klimatologie/daggegevens> or the Central Netherlands Temperature <http://www.knmi.nl/kennis-en-datacentrum/achtergrond/centraal-nederland-temperatuur-cnt>.",
    "",
    "STN      LON(east)   LAT(north)     ALT(m)  NAME",
    "260:         5.180       52.100       1.90  DE BILT",
    "",
    "YYYYMMDD  = Datum (YYYY=jaar MM=maand DD=dag) / Date (YYYY=year MM=month DD=day)",
    "DDVEC     = Vectorgemiddelde windrichting in graden (360=noord, 90=oost, 180=zuid, 270=west, 0=windstil/variabel). Zie http://www.knmi.nl/kennis-en-datacentrum/achtergrond/klimatologische-brochures-en-boeken / Vector mean wind direction in degrees (360=north, 90=east, 180=south, 270=west, 0=calm/variable)",
    "FHVEC     = Vectorgemiddelde windsnelheid (in 0.1 m/s). Zie http://www.knmi.nl/kennis-en-datacentrum/achtergrond/klimatologische-brochures-en-boeken / Vector mean windspeed (in 0.1 m/s)",
    "FG        = Etmaalgemiddelde windsnelheid (in 0.1 m/s) / Daily mean windspeed (in 0.1 m/s) ",
    "FHX       = Hoogste uurgemiddelde windsnelheid (in 0.1 m/s) / Maximum hourly mean windspeed (in 0.1 m/s)",
    "FHXH      = Uurvak waarin FHX is gemeten / Hourly division in which FHX was measured",
    "FHN       = Laagste uurgemiddelde windsnelheid (in 0.1 m/s) / Minimum hourly mean windspeed (in 0.1 m/s)",
    "FHNH      = Uurvak waarin FHN is gemeten / Hourly division in which FHN was measured",
    "FXX       = Hoogste windstoot (in 0.1 m/s) / Maximum wind gust (in 0.1 m/s)",
    "FXXH      = Uurvak waarin FXX is gemeten / Hourly division in which FXX was measured",
    "TG        = Etmaalgemiddelde temperatuur (in 0.1 graden Celsius) / Daily mean temperature in (0.1 degrees Celsius)",
    "TN        = Minimum temperatuur (in 0.1 graden Celsius) / Minimum temperature (in 0.1 degrees Celsius)",
    "TNH       = Uurvak waarin TN is gemeten / Hourly division in which TN was measured",
    "TX        = Maximum temperatuur (in 0.1 graden Celsius) / Maximum temperature (in 0.1 degrees Celsius)",
    "TXH       = Uurvak waarin TX is gemeten / Hourly division in which TX was measured",
    "T10N      = Minimum temperatuur op 10 cm hoogte (in 0.1 graden Celsius) / Minimum temperature at 10 cm above surface (in 0.1 degrees Celsius)",
    "T10NH     = 6-uurs tijdvak waarin T10N is gemeten / 6-hourly division in which T10N was measured; 6=0-6 UT, 12=6-12 UT, 18=12-18 UT, 24=18-24 UT ",
    "SQ        = Zonneschijnduur (in 0.1 uur) berekend uit de globale straling (-1 voor <0.05 uur) / Sunshine duration (in 0.1 hour) calculated from global radiation (-1 for <0.05 hour)",
    "SP        = Percentage van de langst mogelijke zonneschijnduur / Percentage of maximum potential sunshine duration",
    "Q         = Globale straling (in J/cm2) / Global radiation (in J/cm2)",
    "DR        = Duur van de neerslag (in 0.1 uur) / Precipitation duration (in 0.1 hour)",
    "RH        = Etmaalsom van de neerslag (in 0.1 mm) (-1 voor <0.05 mm) / Daily precipitation amount (in 0.1 mm) (-1 for <0.05 mm)",
    "RHX       = Hoogste uursom van de neerslag (in 0.1 mm) (-1 voor <0.05 mm) / Maximum hourly precipitation amount (in 0.1 mm) (-1 for <0.05 mm)",
    "RHXH      = Uurvak waarin RHX is gemeten / Hourly division in which RHX was measured",
    "PG        = Etmaalgemiddelde luchtdruk herleid tot zeeniveau (in 0.1 hPa) berekend uit 24 uurwaarden / Daily mean sea level pressure (in 0.1 hPa) calculated from 24 hourly values",
    "PX        = Hoogste uurwaarde van de luchtdruk herleid tot zeeniveau (in 0.1 hPa) / Maximum hourly sea level pressure (in 0.1 hPa)",
    "PXH       = Uurvak waarin PX is gemeten / Hourly division in which PX was measured",
    "PN        = Laagste uurwaarde van de luchtdruk herleid tot zeeniveau (in 0.1 hPa) / Minimum hourly sea level pressure (in 0.1 hPa)",
    "PNH       = Uurvak waarin PN is gemeten / Hourly division in which PN was measured",
    "VVN       = Minimum opgetreden zicht / Minimum visibility; 0: <100 m, 1:100-200 m, 2:200-300 m,..., 49:4900-5000 m, 50:5-6 km, 56:6-7 km, 57:7-8 km,..., 79:29-30 km, 80:30-35 km, 81:35-40 km,..., 89: >70 km)",
    "VVNH      = Uurvak waarin VVN is gemeten / Hourly division in which VVN was measured",
    "VVX       = Maximum opgetreden zicht / Maximum visibility; 0: <100 m, 1:100-200 m, 2:200-300 m,..., 49:4900-5000 m, 50:5-6 km, 56:6-7 km, 57:7-8 km,..., 79:29-30 km, 80:30-35 km, 81:35-40 km,..., 89: >70 km)",
    "VVXH      = Uurvak waarin VVX is gemeten / Hourly division in which VVX was measured",
    "NG        = Etmaalgemiddelde bewolking (bedekkingsgraad van de bovenlucht in achtsten, 9=bovenlucht onzichtbaar) / Mean daily cloud cover (in octants, 9=sky invisible)",
    "UG        = Etmaalgemiddelde relatieve vochtigheid (in procenten) / Daily mean relative atmospheric humidity (in percents)",
    "UX        = Maximale relatieve vochtigheid (in procenten) / Maximum relative atmospheric humidity (in percents)",
    "UXH       = Uurvak waarin UX is gemeten / Hourly division in which UX was measured",
    "UN        = Minimale relatieve vochtigheid (in procenten) / Minimum relative atmospheric humidity (in percents)",
    "UNH       = Uurvak waarin UN is gemeten / Hourly division in which UN was measured",
    "EV24      = Referentiegewasverdamping (Makkink) (in 0.1 mm) / Potential evapotranspiration (Makkink) (in 0.1 mm)",
    "",
    "",
]
assert len(legend) == 50, len(legend)
names = ["STN", "YYYYMMDD", "DDVEC", "FHVEC", "FG", "FHX", "FHXH", "FHN", "FHNH", "FXX", "FXXH", "TG", "TN", "TNH",
         "TX", "TXH", "T10N", "T10NH", "SQ", "SP", "Q", "DR", "RH", "RHX", "RHXH", "PG", "PX", "PXH", "PN", "PNH",
         "VVN", "VVNH", "VVX", "VVXH", "NG", "UG", "UX", "UXH", "UN", "UNH", "EV24"]
header = "# " + ",".join([names[0], names[1]] + [n.rjust(5) for n in names[2:]])
rows = legend + ["", header, ""]
d = dt.date(2024, 1, 1)
for i in range(31):
    tg = [-12, 5, 33, 48, 61, 27, -3, -25, -41, -18, 9, 22, 40, 56, 71, 64, 38, 12, -7, 0,
          15, 29, 46, 53, 68, 80, 74, 57, 35, 19, 6][i]
    values = [213 + i, 72, 77, 110, 14, 30, 24, 190, 13, tg, tg - 23, 1, tg + 31, 19, tg - 40, 24, 0, 0, 110, 0, 0,
              0, 0, 10124, 10140, 1, 10103, 24, 30, 1, 75, 14, 8, 92, 98, 4, 85, 14, 3]
    rows.append("  260," + d.strftime("%Y%m%d") + "," + ",".join(str(v).rjust(5) for v in values))
    d += dt.timedelta(days=1)
write("knmi_etmgeg_260.txt", rows, "\r\n")
