"""What the form fuzz test (tests/test_fuzz_forms.py) is built from.

- `parse_page` reads a rendered page: its forms (action, method, fields with their default value,
  options and kind) and its links.
- `HOSTILE` holds the classes of hostile values as Hypothesis strategies, each with the kinds of
  field it is sent to.
- `fingerprint` sums up the database in one query (row counts, highest ids, versions, update
  stamps, status lengths) so that a refused request can be shown to have changed no row.
- `names_read_by` lists the query-string and form names a view function reads explicitly.
"""
from __future__ import annotations

import csv
import inspect
import io
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import sqlalchemy as sa
from hypothesis import strategies as st

# --------------------------------------------------------------------------------------------
# Reading rendered pages


@dataclass
class Field:
    name: str
    kind: str                 # text, number, date, select, checkbox, file, hidden, textarea, button
    default: str = ""
    options: list[str] = field(default_factory=list)
    multiple: bool = False
    selected: bool = False
    #: Not found on a page or in the view's code: a common name sent in case something reads it.
    common: bool = False


@dataclass
class Form:
    action: str               # the URL the form sends to (absolute path, with its query string)
    method: str               # GET or POST
    htmx: bool = False        # sent by htmx (hx-post / hx-get)
    hx_vals: dict = field(default_factory=dict)
    multipart: bool = False
    fields: dict[str, Field] = field(default_factory=dict)

    def baseline(self) -> dict[str, list[str]]:
        """The values a user sends without typing: defaults, checked boxes, selected options,
        the first submit button."""
        data: dict[str, list[str]] = {}
        for f in self.fields.values():
            if f.kind == "file":
                continue
            if f.kind == "button":
                data.setdefault(f.name, [f.default])
            elif f.kind == "checkbox":
                if f.default:
                    data.setdefault(f.name, []).append(f.default)
            else:
                data[f.name] = [f.default]
        return data


_FIELD_TAGS = {"input", "select", "textarea", "button"}


class _PageParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.links: list[str] = []
        self.hx_links: list[str] = []
        self._form: Form | None = None
        self._forms_by_id: dict[str, Form] = {}
        self._select: Field | None = None
        self._select_form: Form | None = None
        self._option: list | None = None
        self._textarea: Field | None = None
        self._textarea_text: list[str] = []

    def _url(self, href: str | None) -> str | None:
        if href is None:
            return None
        full = urljoin(self.page_url, href)
        parts = urlsplit(full)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "localhost"):
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def _owner(self, attrs: dict) -> Form | None:
        if attrs.get("form"):
            return self._forms_by_id.get(attrs["form"])
        return self._form

    def handle_starttag(self, tag, attrs_list):
        # htmx reads `data-hx-*` as `hx-*` (the portal writes the valid `data-` form).
        attrs = {k.removeprefix("data-"): (v if v is not None else "") for k, v in attrs_list}
        for key in ("hx-get", "hx-post"):
            if attrs.get(key) and tag != "form":
                url = self._url(attrs[key])
                if url:
                    self.hx_links.append(url)
        if tag == "a":
            url = self._url(attrs.get("href"))
            if url:
                self.links.append(url)
        elif tag == "form":
            method = (attrs.get("method") or "get").upper()
            target = attrs.get("action") or attrs.get("hx-post") or attrs.get("hx-get") or ""
            try:
                hx_vals = json.loads(attrs.get("hx-vals") or "{}")
            except ValueError:
                hx_vals = {}
            self._form = Form(action=self._url(target) or self._url(self.page_url) or "",
                              method="POST" if method == "POST" or attrs.get("hx-post") else "GET",
                              htmx=bool(attrs.get("hx-post") or attrs.get("hx-get")),
                              hx_vals={k: str(v) for k, v in hx_vals.items()},
                              multipart="multipart" in (attrs.get("enctype") or ""))
            self.forms.append(self._form)
            if attrs.get("id"):
                self._forms_by_id[attrs["id"]] = self._form
        elif tag in _FIELD_TAGS:
            owner = self._owner(attrs)
            name = attrs.get("name")
            if owner is None or not name:
                return
            if tag == "select":
                f = owner.fields.setdefault(name, Field(name, "select", multiple="multiple" in attrs))
                self._select, self._select_form = f, owner
            elif tag == "textarea":
                f = owner.fields.setdefault(name, Field(name, "textarea"))
                self._textarea, self._textarea_text = f, []
            elif tag == "button":
                if (attrs.get("type") or "submit") == "submit":
                    owner.fields.setdefault(name, Field(name, "button", attrs.get("value", "")))
            else:
                kind = (attrs.get("type") or "text").lower()
                if kind in ("submit", "image"):
                    owner.fields.setdefault(name, Field(name, "button", attrs.get("value", "")))
                elif kind in ("checkbox", "radio"):
                    f = owner.fields.setdefault(name, Field(name, "checkbox"))
                    f.options.append(attrs.get("value", "on"))
                    f.multiple = f.multiple or kind == "checkbox"
                    if "checked" in attrs and not f.default:
                        f.default = attrs.get("value", "on")
                elif kind not in ("reset",):
                    kind = {"email": "text", "search": "text", "tel": "text", "url": "text",
                            "password": "text", "month": "date", "datetime-local": "date"
                            }.get(kind, kind)
                    owner.fields.setdefault(name, Field(name, kind, attrs.get("value", "")))
        elif tag == "option" and self._select is not None:
            self._finish_option()
            self._option = [attrs.get("value"), "selected" in attrs, []]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea_text.append(data)
        if self._option is not None:
            self._option[2].append(data)

    def _finish_option(self):
        """A browser sends the selected option, else the first; the baseline takes the first
        option that is not empty, so that the other fields get past "required"."""
        if self._select is None or self._option is None:
            return
        value, selected, text = self._option
        value = value if value is not None else "".join(text).strip()
        select = self._select
        select.options.append(value)
        if selected and not select.selected:
            select.default, select.selected = value, True
        elif not select.selected and not select.default and value:
            select.default = value
        self._option = None

    def handle_endtag(self, tag):
        if tag == "option":
            self._finish_option()
        elif tag == "select":
            self._finish_option()
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._textarea.default = "".join(self._textarea_text)
            self._textarea = None
        elif tag == "form":
            self._form = None


def parse_page(page_url: str, html: str) -> _PageParser:
    parser = _PageParser(page_url)
    parser.feed(html)
    parser.close()
    return parser


def query_names(url: str) -> list[str]:
    return [k for k, _v in parse_qsl(urlsplit(url).query, keep_blank_values=True)]


# --------------------------------------------------------------------------------------------
# What a view reads

_READ = re.compile(r"request\.(args|form|values|files)(?:\.get(?:list)?\(|\[)\s*[\"']([\w\-]+)[\"']")


def names_read_by(view) -> dict[str, set[str]]:
    """{'args': {...}, 'form': {...}}: the names `view`, and the functions of its module it calls,
    read literally from the request."""
    found: dict[str, set[str]] = {"args": set(), "form": set()}
    target = inspect.unwrap(view)
    module = inspect.getmodule(target)
    try:
        source = inspect.getsource(target)
    except (OSError, TypeError):
        return found
    sources = [source]
    for name, member in vars(module).items() if module else ():
        if inspect.isfunction(member) and member is not target and \
                getattr(member, "__module__", None) == module.__name__ and f"{name}(" in source:
            try:
                sources.append(inspect.getsource(member))
            except (OSError, TypeError):
                pass
    for text in sources:
        for where, name in _READ.findall(text):
            found["args" if where == "args" else "form"].add(name)
    return found


_ROW = re.compile(r"^(.*?)([_\-])(\d+)((?:[_\-]\w+)?)$")


def row_representatives(names) -> list[str]:
    """Field names with the repeated rows of a form (`sku-0`, `sku-1`, `band-2-rate`…) reduced to
    the first row's: the other rows take the same path through the code."""
    kept, seen = [], set()
    for name in sorted(names, key=lambda n: (_ROW.sub(r"\1\2#\4", n), n)):
        match = _ROW.match(name)
        key = _ROW.sub(r"\1\2#\4", name) if match else name
        if key in seen:
            continue
        seen.add(key)
        kept.append(name)
    return kept


# --------------------------------------------------------------------------------------------
# Hostile values

MARKUP = (
    '<meta http-equiv=refresh content="0;url=https://example.org">',
    "<b>x</b>",
    '"><img src=x onerror=alert(1)>',
    "<script>alert(1)</script>",
    "<svg/onload=alert(1)>",
)
#: What must never appear literally in an HTML answer (the escaped form is fine).
MARKUP_TELLS = ("<meta http-equiv=refresh", "<b>x</b>", "<img src=x", "<script>alert(1)",
                "<svg/onload")

HUGE = ("1e30", "1e309", "-1e309", "9" * 5000, "99999999999999999999", "-99999999999999999999",
        "1e400", "9223372036854775808", "-9223372036854775809", "4294967296", "1" + "0" * 400)
TINY = ("-0", "0", "-1", "1e-30", "-1e-309", "5e-324", "0.0000001", "-0.01", "-2147483649")
EXOTIC = ("nan", "inf", "-inf", "NaN", "Infinity", "0x10", "0b11", "1_000", "+1", " 1 ", "1,000",
          "²", "١٢٣", "１２", "¹⁰", "½", "Ⅻ", "𝟗", "٣.٥", "1.5", "1e2", "0o7", "٫", "")
DATES = ("9999-12-31", "0000-00-00", "2024-02-30", "-001-01-01", "99999-01-01", "2024-13-01",
         "２０２４-０１-０１", "1970-01-01T00:00:00", "2024/01/01", "0001-01-01", "nan")
CONTROL_ALPHABET = st.characters(codec="utf-8", categories=("Cc", "Cf", "Zl", "Zp", "Zs"))


def _huge():
    return st.one_of(
        st.sampled_from(HUGE),
        st.integers(min_value=2**63).map(str),
        st.integers(max_value=-(2**63)).map(str),
        st.floats(min_value=1e20, allow_infinity=True, allow_nan=False).map(repr),
        st.integers(min_value=20, max_value=6000).map(lambda n: "9" * n),
    )


def _tiny():
    return st.one_of(
        st.sampled_from(TINY),
        st.floats(min_value=-1e-3, max_value=1e-3, allow_subnormal=True).map(repr),
        st.integers(min_value=-(2**63), max_value=0).map(str),
    )


def _exotic():
    digits = st.characters(categories=("Nd", "No", "Nl"), exclude_characters="0123456789")
    return st.one_of(st.sampled_from(EXOTIC), st.text(digits, min_size=1, max_size=6),
                     st.floats(allow_nan=True, allow_infinity=True).map(str))


def _markup():
    pad = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=4)
    return st.builds(lambda a, m, b: a + m + b, pad, st.sampled_from(MARKUP), pad)


def _control():
    return st.one_of(
        st.sampled_from(("\x00", "a\x00b", "\r\n\t", "\x1b[31m", "\u202e1", "\ufeff", "\x7f",
                         "\x00" * 64)),
        st.text(CONTROL_ALPHABET, min_size=1, max_size=32),
    )


def _long():
    return st.one_of(
        st.sampled_from(("A" * 100_000, "界" * 40_000, "9" * 100_000)),
        st.builds(lambda c, n: c * n, st.sampled_from("AZ界\x00 <"), st.integers(20_000, 100_000)),
    )


#: A missing field, an empty one, one sent twice, one sent many times.
WRONG_TYPE = ([], [""], ["1", "2"], ["", "x", "<b>x</b>"], ["1"] * 50)


def _wrong_type():
    return st.sampled_from(WRONG_TYPE)


def _dates():
    return st.one_of(st.sampled_from(DATES), st.text(max_size=12))


@dataclass(frozen=True)
class ValueClass:
    name: str
    strategy: object
    #: The kinds of field it is sent to ("*": all, "numeric", "id", "date", "file").
    applies_to: frozenset


NUMERIC, ID, DATE, URL, ANY = "numeric", "id", "date", "url", "*"
URL_NAMES = {"next", "return_to", "redirect", "url", "back"}
OFF_SITE = ("https://evil.example/", "//evil.example/", "/\\evil.example/", "https:evil.example",
            "javascript:alert(1)", " https://evil.example/", "http://localhost@evil.example/")

HOSTILE = [
    ValueClass("huge-number", _huge(), frozenset({NUMERIC, ID})),
    ValueClass("tiny-number", _tiny(), frozenset({NUMERIC, ID})),
    ValueClass("exotic-digits", _exotic(), frozenset({NUMERIC, ID, DATE})),
    ValueClass("odd-date", _dates(), frozenset({DATE})),
    ValueClass("markup", _markup(), frozenset({ANY})),
    ValueClass("control-chars", _control(), frozenset({ANY})),
    ValueClass("long-string", _long(), frozenset({ANY})),
    ValueClass("wrong-type", _wrong_type(), frozenset({ANY})),
    ValueClass("off-site-url", st.sampled_from(OFF_SITE), frozenset({URL})),
]

#: Last words of a field's name that say it holds a number (`estimated_value`, `band-0-rate`…).
NUMBER_WORDS = {"id", "ids", "qty", "quantity", "amount", "price", "value", "page", "rate", "from",
                "to", "count", "version", "rows", "year", "days", "bp", "fen", "pct", "percent",
                "discount", "cap", "bonus", "level", "threshold", "limit", "min", "max", "sort",
                "floor", "per_page"}
#: Names that hold the id of a row (`customer`, `deal_id`, `line_ids`, `other_id`…).
ID_WORDS = {"dealer", "region", "customer", "deal", "product", "user", "owner", "other", "line",
            "rep", "program", "run", "order", "lead", "case", "step", "note", "exception",
            "statement", "object"}
_ROW_SUFFIX = re.compile(r"[_\-]\d+([_\-]\w+)?$")
_DATE_NAME = re.compile(r"date|_on$|until|_at$|^from$|^to$|_from$|_to$|period")


def field_traits(f: Field) -> set[str]:
    """Which hostile value classes apply to a field, from its kind, options and name."""
    if f.kind == "file":
        return {"file"}
    traits = {ANY}
    name = f.name.lower()
    words = re.split(r"[_\-]", name)
    base = _ROW_SUFFIX.sub("", name)
    last = words[-1] if not words[-1].isdigit() else (words[-2] if len(words) > 1 else "")
    numeric_options = [o for o in f.options if o.isdigit()]
    if f.kind == "number" or last in NUMBER_WORDS or re.fullmatch(r"-?\d+(\.\d+)?", f.default):
        traits.add(NUMERIC)
    if last in ("id", "ids") or base.removesuffix("_ids").removesuffix("_id") in ID_WORDS and \
            (base in ID_WORDS or base.endswith(("_id", "_ids"))) or \
            (f.kind in ("select", "checkbox") and numeric_options):
        traits |= {ID, NUMERIC}
    if f.kind == "date" or _DATE_NAME.search(name):
        traits.add(DATE)
    if name in URL_NAMES:
        traits.add(URL)
    return traits


def csv_upload(header: list[str], cell: str) -> bytes:
    """A CSV file with the given header and two rows whose every cell is `cell`."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerow([cell] * len(header))
    writer.writerow([cell] * len(header))
    return out.getvalue().encode("utf-8", "surrogatepass")


# --------------------------------------------------------------------------------------------
# The database's fingerprint


def fingerprint_query(metadata) -> sa.TextClause:
    """One SELECT of scalar subqueries over every table: count, highest id, sum of versions,
    latest update, sum of status lengths. Any committed change shows in at least one of them
    (every service also writes an audit entry, which the count of `audit_entry` shows)."""
    parts = []
    for table in metadata.sorted_tables:
        name = table.name
        q = f'"{name}"'
        parts.append(f"(SELECT count(*) FROM {q})")
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and isinstance(pk[0].type, sa.Integer):
            parts.append(f'(SELECT max("{pk[0].name}") FROM {q})')
        for column in table.columns:
            if column.name == "version_id":
                parts.append(f'(SELECT sum("version_id") FROM {q})')
            elif column.name == "updated_at":
                parts.append(f'(SELECT CAST(max("updated_at") AS VARCHAR(40)) FROM {q})')
            elif column.name in ("status", "read_at", "active", "value"):
                expr = f'"{column.name}"'
                if not isinstance(column.type, sa.String):
                    expr = f"CAST({expr} AS VARCHAR(40))"
                parts.append(f"(SELECT sum(length({expr})) FROM {q})")
    return sa.text("SELECT " + ", ".join(parts))
