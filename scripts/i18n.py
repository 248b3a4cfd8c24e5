"""Translation catalogues, one per domain package: portal/<pkg>/translations/zh_CN/.../messages.po.

    python scripts/i18n.py extract            # update every package's .po from its sources
    python scripts/i18n.py missing [PKG]      # list msgids without a Chinese translation
    python scripts/i18n.py fill PKG FILE.json # set translations from {"msgid": "译文", ...}
    python scripts/i18n.py compile            # .po → .mo (done by the set-up command)

A package's sources are portal/<pkg>/**/*.py and templates/<pkg>/**/*.html; the `core` package
also owns portal/*.py and the shared templates (base.html, _macros/, errors/, pdf/).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = "zh_CN"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "N_": None, "pgettext": ((1, "c"), 2)}
SHARED_TEMPLATES = ["base.html", "_macros", "errors", "pdf"]


def packages() -> list[str]:
    return sorted(p.name for p in (ROOT / "portal").iterdir()
                  if p.is_dir() and (p / "__init__.py").exists())


def sources(pkg: str) -> list[Path]:
    files = list((ROOT / "portal" / pkg).rglob("*.py"))
    tdir = ROOT / "templates" / pkg
    files += list(tdir.rglob("*.html")) if tdir.exists() else []
    if pkg == "core":
        files += list((ROOT / "portal").glob("*.py"))
        for name in SHARED_TEMPLATES:
            path = ROOT / "templates" / name
            files += [path] if path.is_file() else list(path.rglob("*.html"))
    return sorted(f for f in files if "translations" not in f.parts)


def extract(pkg: str) -> Catalog:
    catalog = Catalog(locale=LOCALE, project="dealer-portal")
    for path in sources(pkg):
        method = "python" if path.suffix == ".py" else "jinja2"
        options = {"extensions": "jinja2.ext.do"} if method == "jinja2" else {}
        for lineno, message, comments, context in extract_from_file(
                method, str(path), keywords=KEYWORDS, options=options):
            catalog.add(message, None, [(str(path.relative_to(ROOT)), lineno)],
                        auto_comments=comments, context=context)
    return catalog


def po_path(pkg: str) -> Path:
    return ROOT / "portal" / pkg / "translations" / LOCALE / "LC_MESSAGES" / "messages.po"


def load(pkg: str) -> Catalog | None:
    path = po_path(pkg)
    if not path.exists():
        return None
    with path.open("rb") as fh:
        return read_po(fh, locale=LOCALE)


def save(pkg: str, catalog: Catalog) -> None:
    path = po_path(pkg)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        # File names without line numbers, and the header's date kept: a change elsewhere in a
        # source file, or two people extracting at once, leaves the catalogue as it is.
        write_po(fh, catalog, width=100, sort_output=True, omit_header=False,
                 include_lineno=False)


def cmd_extract() -> None:
    for pkg in packages():
        template = extract(pkg)
        if not len(template):
            continue
        catalog = load(pkg) or Catalog(locale=LOCALE, project="dealer-portal")
        created = catalog.creation_date
        catalog.update(template, no_fuzzy_matching=True)
        catalog.creation_date = created
        catalog.obsolete.clear()
        save(pkg, catalog)
        print(f"{pkg}: {len(template)} messages")


def missing(pkg: str) -> list[str]:
    catalog = load(pkg)
    if catalog is None:
        return [m.id for m in extract(pkg) if m.id]
    return [m.id if isinstance(m.id, str) else m.id[0] for m in catalog
            if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))]


def cmd_missing(pkgs: list[str]) -> int:
    total = 0
    for pkg in pkgs or packages():
        for msgid in missing(pkg):
            print(f"{pkg}\t{msgid}")
            total += 1
    return total


def cmd_fill(pkg: str, json_file: str) -> None:
    mapping = json.loads(Path(json_file).read_text(encoding="utf-8"))
    catalog = load(pkg)
    filled = 0
    for message in catalog:
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in mapping:
            value = mapping[key]
            message.string = tuple(value) if isinstance(message.id, tuple) else value
            message.flags.discard("fuzzy")
            filled += 1
    save(pkg, catalog)
    print(f"{pkg}: {filled} translations set")


def cmd_compile() -> None:
    for pkg in packages():
        catalog = load(pkg)
        if catalog is None:
            continue
        with po_path(pkg).with_suffix(".mo").open("wb") as fh:
            write_mo(fh, catalog)


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    if args[0] == "extract":
        cmd_extract()
    elif args[0] == "missing":
        sys.exit(1 if cmd_missing(args[1:]) else 0)
    elif args[0] == "fill":
        cmd_fill(args[1], args[2])
    elif args[0] == "compile":
        cmd_compile()
    else:
        sys.exit(__doc__)
