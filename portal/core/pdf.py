"""The one PDF renderer: a print template fed with plain dicts, WeasyPrint, bytes out.

Print templates live in `templates/pdf/` (or a domain's `pdf/` folder), extend nothing, and
pull in the shared print stylesheet with `<style>{% include "pdf/_print.css" %}</style>`
(A4, margins, page numbers, the embedded Chinese font).

Two safety rules are enforced here rather than trusted to each caller:

- The context must be plain data (dicts, lists, tuples, str, int, float, bool, None, Decimal,
  date, datetime, time). ORM objects are refused with `TypeError`: a template that can reach a
  model can lazy-load, see columns it was never meant to print, and would render differently
  once the row changes, while an issued statement's PDF must stay what it was.
- WeasyPrint fetches every URL a document mentions (images, stylesheets, fonts) through
  `PortalURLFetcher`, which serves only the app's own files under `static/` behind the
  `portal-static:` scheme (e.g. `portal-static:fonts/NotoSansSC-Regular.otf`) and refuses
  `file:`, `http(s):`, `data:` and everything else. A dealer- or customer-typed value that ends
  up in a `src` attribute therefore cannot make the renderer read local files or call out.
  WeasyPrint logs a refused resource and leaves it out; the document still renders.

Fonts: the print stylesheet declares two families, each in two weights:

- "Noto Sans SC" from `portal-static:fonts/NotoSansSC-Core-{Regular,Bold}.otf`: the Simplified
  Chinese face reduced to the characters statements are written in (Latin, punctuation,
  full-width forms, the 7,445 characters of GB 2312), about 8,000 glyphs instead of 65,535.
  WeasyPrint subsets every embedded face on every render and keeps all glyph slots up to the
  highest one used, so the full face cost ~45 ms per weight per statement and made 300 KB files;
  the reduced face costs ~6 ms and gives ~90 KB.
- "Noto Sans SC Full" from `portal-static:fonts/NotoSansSC-{Regular,Bold}.otf`: the whole face,
  second in every `font-family`, so a rare character in a dealer's name (e.g. 喆, 堃) still
  prints in the same design; only statements that contain one embed it.

A file of that name under `static/fonts/` wins. Otherwise the full face is extracted once from
the Noto Sans CJK collection that the `fonts-noto-cjk` package installs, and the reduced face is
built from it with fontTools (~15 s per weight, once per host, at `make setup` or else on first
use), into a cache directory (`PORTAL_FONT_CACHE`, default `instance/fonts/`), see `font_file`.
The collection itself cannot be served: it holds the Japanese, Korean, Simplified and
Traditional faces under one file and which face WeasyPrint picks from it depends on the
document's `lang` (English statements came out in the Japanese face). See
`static/js/VENDORED.md` for why the fonts are not committed.
"""
from __future__ import annotations

import logging
import os
import tempfile
import threading
from datetime import date, time
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger("portal.pdf")

PROJECT_ROOT = Path(__file__).resolve().parents[2]
STATIC_DIR = PROJECT_ROOT / "static"

#: The only URL scheme a print template may use for resources: `portal-static:<path under static/>`.
STATIC_SCHEME = "portal-static:"

#: What may be served from static/, by suffix, with the content type WeasyPrint is told.
SERVED_TYPES = {
    ".css": "text/css",
    ".otf": "font/otf",
    ".ttf": "font/ttf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
}

#: Fonts the print stylesheet uses → (collection file from fonts-noto-cjk, family of the face to take).
CJK_FONTS = {
    "NotoSansSC-Regular.otf": ("NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    "NotoSansSC-Bold.otf": ("NotoSansCJK-Bold.ttc", "Noto Sans CJK SC"),
}
#: Reduced faces (see the module docstring) → the font they are built from.
CORE_FONTS = {
    "NotoSansSC-Core-Regular.otf": "NotoSansSC-Regular.otf",
    "NotoSansSC-Core-Bold.otf": "NotoSansSC-Bold.otf",
}
#: Bump when `core_codepoints` or the build options change: the cached files are named after it.
CORE_BUILD = 2
#: OpenType features left out of the reduced face: regional forms (`locl`: Japanese, Korean and
#: Traditional shapes a zh-CN document never asks for) and vertical writing.
CORE_DROPPED_FEATURES = ("locl", "vert", "vrt2", "vkrn")
#: Where distributions put the Noto CJK collections (Debian/Ubuntu first).
SYSTEM_FONT_DIRS = (
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/noto-cjk"),
    Path("/usr/share/fonts/google-noto-cjk"),
    Path("/usr/local/share/fonts"),
)

PLAIN_SCALARS = (str, int, float, bool, Decimal, date, time, type(None))  # date covers datetime
PLAIN_CONTAINERS = (dict, list, tuple)


class ResourceRefused(ValueError):
    """A print document asked for a URL the renderer does not serve."""


# --- the context check --------------------------------------------------------------------------

def check_plain(context: object, name: str = "context") -> None:
    """Raise `TypeError` unless `context` is made only of plain data (see module docstring).

    The message names the offending path, e.g. `context['lines'][2]['dealer']`.
    """
    stack: list[tuple[object, str]] = [(context, name)]
    seen: set[int] = set()
    while stack:
        value, path = stack.pop()
        if hasattr(value, "_sa_instance_state") or hasattr(type(value), "__table__"):
            raise TypeError(f"{path} is an ORM object ({type(value).__name__}); print templates "
                            "get plain dicts — copy the fields the document shows")
        if isinstance(value, PLAIN_SCALARS):
            continue
        if not isinstance(value, PLAIN_CONTAINERS):
            raise TypeError(f"{path} is a {type(value).__name__}; print templates get only dicts, "
                            "lists, tuples, str, int, float, bool, None, Decimal, date, datetime")
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, PLAIN_SCALARS) or hasattr(key, "_sa_instance_state"):
                    raise TypeError(f"{path} has a key of type {type(key).__name__}")
                stack.append((item, f"{path}[{key!r}]"))
        else:
            stack.extend((item, f"{path}[{i}]") for i, item in enumerate(value))


# --- fonts --------------------------------------------------------------------------------------

_font_lock = threading.RLock()


def font_cache_dir() -> Path:
    """Where extracted fonts are kept: $PORTAL_FONT_CACHE, else instance/fonts, else a private tmp dir."""
    configured = os.environ.get("PORTAL_FONT_CACHE")
    candidates = [Path(configured)] if configured else [PROJECT_ROOT / "instance" / "fonts"]
    candidates.append(Path(tempfile.gettempdir()) / f"portal-fonts-{os.getuid()}")
    for directory in candidates:
        try:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(directory, os.W_OK) and directory.stat().st_uid == os.getuid():
            return directory
    raise RuntimeError("no writable directory for the PDF font cache; set PORTAL_FONT_CACHE")


def _system_collection(filename: str) -> Path | None:
    for directory in SYSTEM_FONT_DIRS:
        path = directory / filename
        if path.is_file():
            return path
    return None


def font_file(name: str) -> Path:
    """The file behind `portal-static:fonts/<name>` for one of `CJK_FONTS`.

    `static/fonts/<name>` if someone vendored it; else the face extracted from the system
    collection. The cached file is named after the collection's size and mtime, so a package
    upgrade leads to a fresh extraction. Extraction takes about a second per weight, once per
    host; the file is written aside and renamed, so processes racing on a cold cache each
    write a complete file and the last rename wins.
    """
    vendored = STATIC_DIR / "fonts" / name
    if vendored.is_file():
        return vendored
    if name in CORE_FONTS:
        return _core_font_file(name)
    if name not in CJK_FONTS:
        raise ResourceRefused(f"unknown font {name!r}")
    collection_name, family = CJK_FONTS[name]
    collection = _system_collection(collection_name)
    if collection is None:
        raise RuntimeError(f"CJK font for PDFs not found: install the Debian package fonts-noto-cjk "
                           f"(provides {collection_name}) or put {name} in static/fonts/")
    stat = collection.stat()
    with _font_lock:
        target = font_cache_dir() / f"{Path(name).stem}-{stat.st_size}-{int(stat.st_mtime)}.otf"
        if not target.is_file():
            _extract_face(collection, family, target)
        return target


def _extract_face(collection: Path, family: str, target: Path) -> None:
    from fontTools.ttLib import TTCollection

    fonts = TTCollection(str(collection), lazy=True)
    for face in fonts.fonts:
        if face["name"].getDebugName(1) == family:
            break
    else:
        raise RuntimeError(f"{collection} has no face named {family!r}")
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".part")
    os.close(fd)
    try:
        face.save(tmp_name)  # tables are copied raw: the face stays byte-for-byte the packaged one
        os.replace(tmp_name, target)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    log.info("extracted %s from %s to %s", family, collection, target)


def core_codepoints() -> set[int]:
    """The characters of the reduced face: what statements are written in.

    Latin (ASCII, Latin-1, Latin Extended-A), general punctuation, currency symbols, letterlike
    symbols, number forms, arrows and mathematical operators (− × ≤), circled numbers, CJK
    symbols and punctuation, full-width forms, and every character of GB 2312: its 6,763 hanzi
    (all of 大写 amounts among them) and its symbols, kana, Greek and Cyrillic. Anything else
    falls back to the full face.
    """
    ranges = ((0x20, 0x7F), (0xA0, 0x180), (0x2000, 0x2070), (0x20A0, 0x20C1), (0x2100, 0x2200),
              (0x2190, 0x2300), (0x2460, 0x2500), (0x3000, 0x3040), (0xFF00, 0xFFF0))
    codepoints = {cp for start, stop in ranges for cp in range(start, stop)}
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                codepoints.update(map(ord, bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return codepoints


def _core_font_file(name: str) -> Path:
    source = font_file(CORE_FONTS[name])
    stat = source.stat()
    with _font_lock:
        target = font_cache_dir() / (f"{Path(name).stem}-{stat.st_size}-{int(stat.st_mtime)}"
                                     f"-b{CORE_BUILD}.otf")
        if not target.is_file():
            build_core_face(source, target)
        return target


def build_core_face(source: Path, target: Path) -> None:
    """Write the reduced face of `source` (see `core_codepoints`) to `target`, aside then renamed.

    Outlines, hinting, metrics and the kept layout features are copied unchanged, so the
    characters look exactly as in the full face. The same source gives the same bytes.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = [f for f in options.layout_features
                               if f not in CORE_DROPPED_FEATURES] + ["tnum", "pnum"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = True
    font = TTFont(str(source), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=core_codepoints())
    subsetter.subset(font)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".part")
    os.close(fd)
    try:
        font.save(tmp_name)
        os.replace(tmp_name, target)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    log.info("built the reduced face %s (%d glyphs) from %s", target, len(font.getGlyphOrder()), source)


_fonts_ready = False


def ensure_fonts() -> None:
    """Fail loudly, before rendering, when the Chinese font cannot be found.

    Without it WeasyPrint would fall back to whatever the system has and the statement might
    print boxes instead of characters. Workers may call this at start-up to warm the cache.
    """
    global _fonts_ready
    if not _fonts_ready:
        for name in (*CJK_FONTS, *CORE_FONTS):
            font_file(name)
        _fonts_ready = True


# --- fetching -----------------------------------------------------------------------------------

def resolve_static(relative: str) -> Path:
    """`fonts/x.otf` → the file under static/ (or the CJK font), refusing anything that leaves it."""
    relative = unquote(relative)
    parts = relative.split("/")
    if (not relative or relative.startswith("/") or "\\" in relative or "\0" in relative
            or any(part in ("", ".", "..") for part in parts)):
        raise ResourceRefused(f"bad static path {relative!r}")
    suffix = Path(relative).suffix.lower()
    if suffix not in SERVED_TYPES:
        raise ResourceRefused(f"static files of type {suffix or '(none)'} are not served to PDFs")
    candidate = (STATIC_DIR / relative).resolve()
    if not candidate.is_relative_to(STATIC_DIR.resolve()):
        raise ResourceRefused(f"{relative!r} leaves static/")
    if candidate.is_file():
        return candidate
    if len(parts) == 2 and parts[0] == "fonts" and (parts[1] in CJK_FONTS or parts[1] in CORE_FONTS):
        return font_file(parts[1])
    raise ResourceRefused(f"no static file {relative!r}")


class PortalURLFetcher(URLFetcher):
    """WeasyPrint's fetcher, narrowed to `portal-static:` URLs (see the module docstring).

    Every refusal is logged on `portal.pdf` and remembered in `refused`, so a test (or a
    developer wondering where a logo went) can see what a document tried to load.
    """

    def __init__(self) -> None:
        # No protocol allowed for the inherited urllib machinery, should anything reach it.
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self.served: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        try:
            if not url.startswith(STATIC_SCHEME) or "?" in url or "#" in url:
                raise ResourceRefused("only portal-static: URLs are served to PDFs")
            path = resolve_static(url[len(STATIC_SCHEME):])
        except ValueError as exc:
            self.refused.append(url)
            log.warning("PDF resource refused: %s (%s)", url[:200], exc)
            raise
        self.served.append(url)
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": SERVED_TYPES[path.suffix.lower()]})


# --- rendering ----------------------------------------------------------------------------------

_local = threading.local()


def _font_config() -> FontConfiguration:
    """One FontConfiguration per thread, reused across documents.

    A fresh one would re-read and re-register 33 MB of fonts for every PDF. Pango font maps
    are not thread-safe, hence one per thread rather than one per process; and not one
    inherited through fork(): its temporary font folder belongs to the parent.
    """
    config = getattr(_local, "font_config", None)
    if config is None or _local.pid != os.getpid():
        config = _local.font_config = FontConfiguration()
        _local.pid = os.getpid()
    return config


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Convert a print document's HTML to PDF bytes, fetching resources only via `PortalURLFetcher`.

    The same HTML gives the same bytes (no creation date is written unless the document
    sets `<meta name="dcterms.created">`).
    """
    ensure_fonts()
    document = HTML(string=html, base_url=base_url, url_fetcher=PortalURLFetcher())
    return document.write_pdf(font_config=_font_config())


def render_pdf(template_name: str, context: dict, *, base_url: str | None = None) -> bytes:
    """Render the print template `template_name` with `context` (plain data only) to PDF bytes.

    Needs an application context, not a request: the rebate worker calls it too. The template
    is rendered by the app's Jinja environment (same loader, filters and translations as pages)
    but, unlike `flask.render_template`, without the context processors, which read the
    request and the logged-in user and would hand the print template an ORM object.
    Raises `TypeError` for a context that is not plain data.
    """
    from flask import current_app, template_rendered

    if not isinstance(context, dict):
        raise TypeError("the PDF context is a dict")
    check_plain(context)
    app = current_app._get_current_object()
    template = app.jinja_env.get_template(template_name)
    html = template.render(context)
    template_rendered.send(app, _async_wrapper=app.ensure_sync, template=template, context=context)
    return html_to_pdf(html, base_url=base_url)
