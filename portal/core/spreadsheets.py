"""Reading an uploaded CSV or XLSX file into rows of text, within limits, and the errors of an
import (`ImportRejected` lists them row by row; see `portal.core.importer`)."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from portal.core.errors import ValidationError
from portal.core.i18n import lazy_gettext as _l

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
MAX_REPORTED_ERRORS = 200
ALLOWED_TYPES = ("csv", "xlsx")


class CellError(ValueError):
    """A cell's value is wrong; `message` says why, for the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class RowError:
    row: int        #: as numbered in the spreadsheet (header = 1); 0 for the file itself
    column: str     #: the column's label ("" for the file or the whole row)
    message: Any    #: lazy translation


class ImportRejected(ValidationError):
    """The file was rejected; `errors` lists every problem found (up to MAX_REPORTED_ERRORS)."""

    def __init__(self, errors: list[RowError], message=None):
        super().__init__(message or _l("The file was not imported: %(n)d problem(s) found. "
                                       "Nothing was changed.", n=len(errors)))
        self.errors = errors  # type: ignore[assignment]


# --- reading files -------------------------------------------------------------------------------

#: Widest sheet read: columns beyond are never looked at (a sheet may claim `A1:XFD2000`).
MAX_COLUMNS = 50
#: Longest cell, in characters (a longer one rejects the file with a message).
MAX_CELL_CHARS = 2_000
#: Rows read at most, empty ones included, beyond the spec's own row limit: a sheet whose rows
#: run sparsely down to row 1,048,576 is refused after this many, not expanded.
EXTRA_ROWS_READ = 1_000
#: Largest size of the XML inside an .xlsx file once unpacked (a small zip may unpack to GBs).
MAX_XLSX_UNPACKED_BYTES = 64 * 1024 * 1024


def _too_many_rows(max_rows: int) -> ImportRejected:
    return ImportRejected([RowError(0, "", _l("Too many rows: at most %(n)d.", n=max_rows))])


def read_table(data: bytes, filename: str, max_bytes: int = MAX_IMPORT_BYTES,
               max_rows: int = MAX_ROWS) -> list[list[str]]:
    """The file's rows as lists of stripped strings (header first). Raises ImportRejected for a
    file of the wrong type, too large, unreadable, or beyond the row, column or cell limits.

    Both readers stream: the limits are enforced while reading, so what a file claims (a sheet's
    dimension, sparse rows, a huge cell) never costs more than the limits allow."""
    kind = (filename or "").rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    if kind not in ALLOWED_TYPES:
        raise ImportRejected([RowError(0, "", _l("Upload a .csv or .xlsx file."))])
    if not data:
        raise ImportRejected([RowError(0, "", _l("The file is empty."))])
    if len(data) > max_bytes:
        raise ImportRejected([RowError(0, "", _l("The file is larger than %(mb)s MB.",
                                                 mb=round(max_bytes / 1024 / 1024, 1)))])
    rows = _read_xlsx(data) if kind == "xlsx" else _read_csv(data)
    table: list[list[str]] = []
    limit = max_rows + 1 + EXTRA_ROWS_READ
    for cells in rows:
        if len(table) >= limit:
            raise _too_many_rows(max_rows)
        row = [_checked_cell(value, len(table) + 1) for value in cells[:MAX_COLUMNS]]
        table.append(row)
    return table


def _checked_cell(value: str, row: int) -> str:
    if len(value) > MAX_CELL_CHARS:
        raise ImportRejected([RowError(row, "", _l("A cell is longer than %(n)d characters.",
                                                   n=MAX_CELL_CHARS))])
    return value


def _read_csv(data: bytes) -> Iterable[list[str]]:
    if b"\x00" in data[:4096] or data.startswith(b"PK\x03\x04"):
        raise ImportRejected([RowError(0, "", _l("This is not a CSV text file."))])
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            content = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRejected([RowError(0, "", _l("Save the CSV file as UTF-8."))])
    if "\x00" in content:
        raise ImportRejected([RowError(0, "", _l("This is not a CSV text file."))])
    try:
        dialect = csv.Sniffer().sniff(content[:2048], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(content), dialect)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # a cell beyond csv's field limit, a stray quote
            raise ImportRejected([RowError(reader.line_num, "", _l(
                "Row %(row)d could not be read: a cell is too long or its quotes do not match.",
                row=reader.line_num))]) from exc
        yield [cell.strip() for cell in row]


def _read_xlsx(data: bytes) -> Iterable[list[str]]:
    from zipfile import BadZipFile, ZipFile

    from defusedxml import DefusedXmlException
    from openpyxl import load_workbook

    unreadable = ImportRejected([RowError(0, "", _l("The Excel file could not be read."))])
    if not data.startswith(b"PK\x03\x04"):
        raise ImportRejected([RowError(0, "", _l("This is not an Excel .xlsx file."))])
    try:
        with ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (BadZipFile, ValueError, OSError) as exc:
        raise unreadable from exc
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise ImportRejected([RowError(0, "", _l("The Excel file unpacks to more than %(mb)d MB.",
                                                 mb=MAX_XLSX_UNPACKED_BYTES // 1024 // 1024))])
    def refusal(exc: BaseException) -> ImportRejected:
        # openpyxl wraps what the XML parser raised (a ValueError whose cause is the refusal).
        while exc is not None and not isinstance(exc, DefusedXmlException):
            exc = exc.__cause__ or exc.__context__
        if exc is None:
            return unreadable
        return ImportRejected([RowError(0, "", _l(
            "The Excel file declares XML entities, which are not accepted."))])

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a malformed package
        raise refusal(exc) from exc
    try:
        ws = wb.worksheets[0]
        for row in ws.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            yield [_cell_text(v) for v in row]
    except ImportRejected:
        raise
    except Exception as exc:
        raise refusal(exc) from exc
    finally:
        wb.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        # Excel stores numbers as binary floats; repr gives the shortest text that round-trips.
        text_value = format(Decimal(repr(value)), "f")
        return text_value[:-2] if text_value.endswith(".0") else text_value
    return str(value).strip()


def _norm(header) -> str:
    return "".join(str(header or "").split()).casefold().replace("_", "").replace("*", "")


# --- validation ----------------------------------------------------------------------------------
