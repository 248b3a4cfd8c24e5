"""Validate-then-write import of CSV and XLSX files, all or nothing.

Used for products and price lists here, and for bulk order upload by the orders domain. The file
is read completely and every row is validated before anything is written; a file with any error
is rejected with a row-by-row report and writes nothing.

Usage::

    from portal.catalog.importing import Field, ImportSpec, ImportRejected, money, text, import_rows

    SPEC = ImportSpec(
        fields=[Field("sku", _l("SKU"), text(40), aliases=("物料号",)),
                Field("price", _l("List price"), money())],
        checks=[unique("sku")],               # checks across rows, after each row is parsed
    )
    try:
        rows = import_rows(SPEC, upload)      # upload: werkzeug FileStorage (or bytes + filename)
    except ImportRejected as exc:
        exc.errors                            # [RowError(row=3, column="List price", message=…)]
    else:
        rows                                  # [Row(number=2, values={"sku": …, "price": 12345})]

A cell parser takes the cell's text (stripped; "" when empty) and returns the value or raises
`CellError(message)`. A `Field` that is not `required` gets `default` for an empty cell. A
`row_check(values)` on the spec returns `{field key: message}` for errors involving several cells
of one row (e.g. a SKU unknown to the catalogue). `checks(rows, spec)` see all parsed rows and return
`RowError`s (duplicates across rows). Row numbers are those the user sees in the spreadsheet:
the header is row 1. Messages are lazy translations, rendered in the user's language.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from portal.core.errors import ValidationError
from portal.core.i18n import lazy_gettext as _l
from portal.core.money import MoneyError, parse_percent, parse_yuan
from portal.core.parse import to_int

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


@dataclass(frozen=True)
class Field:
    key: str
    label: Any
    parse: Callable[[str], Any] = None  # type: ignore[assignment]
    required: bool = True
    default: Any = None
    #: Other header spellings accepted (e.g. the Chinese and English labels, snake_case key).
    aliases: tuple[str, ...] = ()

    def headers(self) -> set[str]:
        return {_norm(h) for h in (self.key, str(self.label), *self.aliases)}


@dataclass
class Row:
    number: int
    values: dict


@dataclass
class ImportSpec:
    fields: list[Field]
    row_check: Callable[[dict], dict] | None = None
    checks: list[Callable[[list[Row]], list[RowError]]] = field(default_factory=list)
    max_rows: int = MAX_ROWS
    max_bytes: int = MAX_IMPORT_BYTES

    def label(self, key: str) -> str:
        return next((str(f.label) for f in self.fields if f.key == key), key)


# --- cell parsers --------------------------------------------------------------------------------

def text(max_len: int = 200) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if len(value) > max_len:
            raise CellError(_l("Too long: at most %(n)d characters.", n=max_len))
        return value
    return parse


def money(minimum_fen: int = 0, maximum_fen: int = 2_000_000_000) -> Callable[[str], int]:
    """An amount in yuan (`1,234.50`, `¥99`) → fen."""
    def parse(value: str) -> int:
        try:
            fen = parse_yuan(value)
        except MoneyError as exc:
            if str(exc) == "too_many_decimals":
                raise CellError(_l("Use at most two decimal places.")) from exc
            raise CellError(_l("Not an amount: “%(value)s”.", value=value)) from exc
        if fen < minimum_fen:
            raise CellError(_l("Must be at least %(min)s.", min=_yuan(minimum_fen)))
        if fen > maximum_fen:
            raise CellError(_l("Must be at most %(max)s.", max=_yuan(maximum_fen)))
        return fen
    return parse


def percent_bp(maximum_bp: int = 9_999) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            bp = parse_percent(value)
        except MoneyError as exc:
            raise CellError(_l("Not a percentage: “%(value)s”.", value=value)) from exc
        if not 0 <= bp <= maximum_bp:
            raise CellError(_l("Must be between 0%% and %(max)s%%.", max=maximum_bp / 100))
        return bp
    return parse


def integer(minimum: int = 0, maximum: int = 10**9) -> Callable[[str], int]:
    def parse(value: str) -> int:
        cleaned = value[:-2] if value.endswith(".0") else value
        number = to_int(cleaned, -10**12, 10**12)
        if number is None:
            raise CellError(_l("Not a whole number: “%(value)s”.", value=value))
        if not minimum <= number <= maximum:
            raise CellError(_l("Must be between %(min)d and %(max)d.", min=minimum, max=maximum))
        return number
    return parse


TRUE_WORDS = {"1", "y", "yes", "true", "是", "启用", "有效", "active"}
FALSE_WORDS = {"0", "n", "no", "false", "否", "停用", "无效", "inactive"}


def boolean() -> Callable[[str], bool]:
    def parse(value: str) -> bool:
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise CellError(_l("Enter yes or no (是/否)."))
    return parse


def iso_date() -> Callable[[str], date]:
    def parse(value: str) -> date:
        try:
            return date.fromisoformat(value.replace("/", "-")[:10])
        except ValueError as exc:
            raise CellError(_l("Not a date (YYYY-MM-DD): “%(value)s”.", value=value)) from exc
    return parse


def unique(key: str) -> Callable[[list[Row]], list[RowError]]:
    """A cross-row check: the values of `key` must not repeat (compared case-insensitively)."""
    def check(rows: list[Row], spec: ImportSpec | None = None) -> list[RowError]:
        first: dict[str, int] = {}
        errors = []
        for row in rows:
            value = str(row.values.get(key, "")).casefold()
            if not value:
                continue
            if value in first:
                errors.append(RowError(row.number, spec.label(key) if spec else key,
                                       _l("Repeats row %(row)d.", row=first[value])))
            else:
                first[value] = row.number
        return errors
    return check


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

def parse_rows(spec: ImportSpec, table: list[list[str]]) -> list[Row]:
    """Parse and validate every row of `table`; raise ImportRejected listing every problem."""
    errors: list[RowError] = []
    while table and not any(table[-1]):
        table.pop()
    if not table:
        raise ImportRejected([RowError(0, "", _l("The file is empty."))])
    header = [_norm(h) for h in table[0]]
    positions: dict[str, int] = {}
    for f in spec.fields:
        names = f.headers()
        index = next((i for i, h in enumerate(header) if h in names), None)
        if index is None:
            if f.required:
                errors.append(RowError(1, str(f.label), _l("This column is missing.")))
        else:
            positions[f.key] = index
    if errors:
        raise ImportRejected(errors)
    body = table[1:]
    if len(body) > spec.max_rows:
        raise ImportRejected([RowError(0, "", _l("Too many rows: at most %(n)d.", n=spec.max_rows))])
    rows: list[Row] = []
    for offset, cells in enumerate(body):
        number = offset + 2
        if not any(cells):
            continue
        values, row_errors = {}, []
        for f in spec.fields:
            index = positions.get(f.key)
            raw = cells[index] if index is not None and index < len(cells) else ""
            if raw == "":
                if f.required:
                    row_errors.append(RowError(number, str(f.label), _l("This cell is empty.")))
                values[f.key] = f.default
                continue
            try:
                values[f.key] = f.parse(raw) if f.parse else raw
            except CellError as exc:
                row_errors.append(RowError(number, str(f.label), exc.message))
        if not row_errors and spec.row_check:
            row_errors += [RowError(number, spec.label(key), message)
                           for key, message in spec.row_check(values).items()]
        errors += row_errors
        rows.append(Row(number, values))
        if len(errors) >= MAX_REPORTED_ERRORS:
            break
    if not rows and not errors:
        raise ImportRejected([RowError(0, "", _l("The file has a header but no rows."))])
    if not errors:
        for check in spec.checks:
            errors += check(rows, spec)
    if errors:
        raise ImportRejected(errors[:MAX_REPORTED_ERRORS])
    return rows


def import_rows(spec: ImportSpec, upload, filename: str | None = None) -> list[Row]:
    """Read an upload (a werkzeug FileStorage, or bytes with `filename`) and validate all of it.

    Returns the parsed rows; raises ImportRejected (nothing to write) otherwise. The caller
    writes the rows in one transaction.
    """
    if isinstance(upload, (bytes, bytearray)):
        data, name = bytes(upload), filename or ""
    else:
        if upload is None or not getattr(upload, "filename", ""):
            raise ImportRejected([RowError(0, "", _l("Choose a file to upload."))])
        data = upload.read(spec.max_bytes + 1)
        name = upload.filename
    return parse_rows(spec, read_table(data, name, spec.max_bytes, spec.max_rows))


def template_response(spec: ImportSpec, fmt: str, filename: str, examples: Iterable[list]):
    """A download with the spec's headers and example rows, for users to fill in."""
    from portal.core.export import export_response

    return export_response("xlsx" if fmt == "xlsx" else "csv", filename,
                           [str(f.label) for f in spec.fields], examples)


def _yuan(fen: int) -> str:
    from portal.core.money import format_money

    return format_money(fen)
