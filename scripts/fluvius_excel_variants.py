#!/usr/bin/env python3
"""Derives the Excel re-saved Fluvius fixtures from the verbatim excerpt, and prints the totals the tests expect,
computed from the raw bytes with Decimal (independently of ParkImpact).

Run from the package root: python3 scripts/fluvius_excel_variants.py [--write]
"""
import sys
from decimal import Decimal

F = 'Tests/ParkImpactTests/Fixtures/fluvius/'
SRC = F + 'fluvius_en_electricity_15min_2023-11-01_excerpt.csv'


def unpad_date(d):  # 01/11/2023 -> 1/11/2023 (Excel, Belgian short date d/MM/yyyy)
    day, month, year = d.split('/')
    return f'{int(day)}/{month}/{year}'


def unpad_time(t):  # 00:15:00 -> 0:15:00 (Excel, H:mm:ss)
    h, m, s = t.split(':')
    return f'{int(h)}:{m}:{s}'


def excel_number(text, mark):  # 0,150 -> 0,15 and 0,000 -> 0 (Excel's General format)
    return format(Decimal(text.replace(',', '.')).normalize(), 'f').replace('.', mark)


def records(src=SRC):
    text = open(src, 'rb').read().decode('utf-8-sig')
    lines = text.split('\r\n')
    header = lines[0].split(';')
    return header, [line.split(';') for line in lines[1:] if line]


def excel_be(header, rows):
    """Opened in Excel (nl-BE) and saved as 'CSV (gescheiden door lijstscheidingsteken)': ; , Windows-1252, CRLF,
    no BOM, dates d/MM/yyyy, times H:mm:ss, the ="…" formula replaced by its text value."""
    out = [';'.join(header)]
    for r in rows:
        r = list(r)
        r[0], r[2] = unpad_date(r[0]), unpad_date(r[2])
        r[1], r[3] = unpad_time(r[1]), unpad_time(r[3])
        r[4] = r[4].removeprefix('="').removesuffix('"')
        r[8] = excel_number(r[8], ',')
        out.append(';'.join(r))
    return ('\r\n'.join(out) + '\r\n').encode('cp1252')


def excel_en_twice(header, rows):
    """That file saved again with English list settings: , delimiter, . decimals, text cells quoted, the EAN
    (now a plain number) shown in scientific notation 1.23457E+17, UTF-8 without BOM, CRLF."""
    def q(text):
        return '"' + text + '"'
    out = [','.join(q(h) for h in header)]
    for r in rows:
        r = list(r)
        date0, date2 = unpad_date(r[0]), unpad_date(r[2])
        fields = [date0, unpad_time(r[1]), date2, unpad_time(r[3]), '1.23457E+17', q(r[5]), q(r[6]), q(r[7]),
                  excel_number(r[8], '.'), q(r[9]), q(r[10]), r[11]]
        out.append(','.join(fields))
    return ('\r\n'.join(out) + '\r\n').encode('utf-8')


def totals(rows):
    sums = {}
    for r in rows:
        kind = 'offtake' if r[7].startswith('Offtake') else 'injection'
        day = r[0]
        sums[(kind, day)] = sums.get((kind, day), Decimal(0)) + Decimal(r[8].replace(',', '.'))
        sums[(kind, 'all')] = sums.get((kind, 'all'), Decimal(0)) + Decimal(r[8].replace(',', '.'))
    return sums


GAS = F + 'fluvius_en_gas_hourly_head40.csv'


def gas_m3_only():
    """The real gas excerpt without its kWh rows (a file whose kWh twins are absent): every other byte verbatim."""
    data = open(GAS, 'rb').read()
    lines = data.split(b'\r\n')
    kept = [line for line in lines if b';kWh;' not in line]
    return b'\r\n'.join(kept)


def gas_totals():
    header, rows = records(GAS)
    m3 = {}
    kwh = {}
    for r in rows:
        target = m3 if r[9] == 'm³' else kwh
        target[r[0]] = target.get(r[0], Decimal(0)) + Decimal(r[8].replace(',', '.'))
    return m3, kwh


if __name__ == '__main__':
    header, rows = records()
    m3, kwh = gas_totals()
    print('gas m3 per day', m3, 'sum', sum(m3.values()))
    print('gas kWh per day', kwh, 'sum', sum(kwh.values()))
    if '--write' in sys.argv:
        open(F + 'fluvius_en_gas_hourly_m3_only.csv', 'wb').write(gas_m3_only())
        gh, grows = records(F + 'fluvius_en_gas_hourly_m3_only.csv')
        open(F + 'fluvius_en_gas_m3_only_excel_be_resave.csv', 'wb').write(excel_be(gh, grows))
        open(F + 'fluvius_en_electricity_excel_be_resave.csv', 'wb').write(excel_be(header, rows))
        open(F + 'fluvius_en_electricity_excel_en_resave_ean_e17.csv', 'wb').write(excel_en_twice(header, rows))
    for key, value in sorted(totals(rows).items()):
        print(key, value)
    print('rows', len(rows))
