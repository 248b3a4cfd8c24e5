"""Validate-then-write import of CSV and XLSX files, all or nothing.

Used for products and price lists (catalog), bulk order upload (orders) and sales targets
(scorecards); the file itself is read by `portal.core.spreadsheets`. The file
is read completely and every row is validated before anything is written; a file with any error
is rejected with a row-by-row report and writes nothing.

Usage::

    from portal.core.importer import Field, ImportSpec, ImportRejected, money, text, import_rows

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

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from portal.core.i18n import lazy_gettext as _l
from portal.core.money import MoneyError, format_money, parse_percent, parse_yuan
from portal.core.parse import to_int
from portal.core.spreadsheets import (  # noqa: F401  (importers catch and raise them from here)
    MAX_IMPORT_BYTES,
    MAX_REPORTED_ERRORS,
    MAX_ROWS,
    CellError,
    ImportRejected,
    RowError,
    _norm,
    read_table,
)


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
    return format_money(fen)
