"""CSV and XLSX exports of list pages, safe against formula injection."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

from flask import Response
from openpyxl import Workbook

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: A plain number (`-5.00`, `+3`) starts like a formula but is none: it stays a number.
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def safe_cell(value):
    """Neutralise cells a spreadsheet would run as a formula (CSV injection, OWASP); plain
    numbers, negative amounts included, stay numbers."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES) \
            and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def export_response(fmt: str, filename: str, header: list[str], rows) -> Response:
    """Build a CSV (UTF-8 with BOM, so Excel opens Chinese correctly) or XLSX download."""
    if fmt == "xlsx":
        wb = Workbook(write_only=True)
        ws = wb.create_sheet()
        ws.append([str(h) for h in header])
        for row in rows:
            ws.append([_xlsx_value(v) for v in row])
        buf = io.BytesIO()
        wb.save(buf)
        return Response(
            buf.getvalue(),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{filename}.xlsx"'})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(_text(v)) for v in row])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'})


def _text(value):
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def _xlsx_value(value):
    if isinstance(value, str):
        return safe_cell(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value
