"""CSV and XLSX exports of list pages, safe against formula injection.

An export never holds the whole file, nor all its rows, in memory: `export_rows` fetches the
rows a thousand at a time (a server-side cursor on PostgreSQL), a CSV is sent while it is
written, and an XLSX is written row by row (openpyxl's write-only mode) to a temporary file that
is then sent in chunks. A channel manager's quarter of orders (≈ 50,000 rows) costs the worker a
few megabytes however long the list is.
"""
from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime

from flask import Response, request, stream_with_context
from openpyxl import Workbook
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from portal.extensions import db

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


#: Rows fetched from the database at a time, and rows of a CSV sent at a time.
BATCH = 1000
#: Rows of a list's export at most.
EXPORT_ROWS = 50_000


def exporting() -> bool:
    """Whether this list request asks for a download (`?format=csv|xlsx`) rather than a page."""
    return request.args.get("format") in ("csv", "xlsx")


def export_rows(stmt, row: Callable) -> Iterator[list]:
    """`row(obj)` for each object of the ORM select `stmt`, fetched BATCH at a time.

    On PostgreSQL a read request runs outside a transaction (`portal.db.read_without_transaction`),
    where a server-side cursor cannot exist: the rows are then read by a session of their own,
    in a transaction of its own, closed when the last row is out (or the download is cut)."""
    stmt = stmt.execution_options(yield_per=BATCH)
    bind = db.session.get_bind()
    if isinstance(bind, Engine) and bind.dialect.name == "postgresql":
        with Session(bind, autoflush=False) as session:
            for obj in session.scalars(stmt):
                yield row(obj)
        return
    for obj in db.session.scalars(stmt):
        yield row(obj)


def export_response(fmt: str, filename: str, header: list[str], rows: Iterable) -> Response:
    """A CSV (UTF-8 with BOM, so Excel opens Chinese correctly) or XLSX download of `rows` (an
    iterable of lists, e.g. `export_rows`), built and sent without holding them all."""
    if fmt == "xlsx":
        return _xlsx_response(filename, header, rows)
    return Response(stream_with_context(_csv_chunks(header, rows)),
                    mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'})


def _csv_chunks(header, rows) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow([str(h) for h in header])
    for n, row in enumerate(rows, 1):
        writer.writerow([safe_cell(_text(v)) for v in row])
        if n % BATCH == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def _xlsx_response(filename: str, header, rows) -> Response:
    file = tempfile.TemporaryFile()  # noqa: SIM115 — closed by the generator below
    try:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet()
        ws.append([str(h) for h in header])
        for row in rows:
            ws.append([_xlsx_value(v) for v in row])
        wb.save(file)
        size = file.tell()
        file.seek(0)
    except BaseException:
        file.close()
        raise

    def chunks():
        with file:
            while block := file.read(64 * 1024):
                yield block

    return Response(chunks(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{filename}.xlsx"',
                             "Content-Length": str(size)})


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
