"""The PDF renderer: Chinese text with an embedded font, plain-data contexts, no outside fetches.

Uses a throwaway Flask app pointed at the project's templates, so it runs without the app
factory or a database: `pytest --noconftest tests/unit/test_pdf.py`.
"""
from __future__ import annotations

import io
import logging
import urllib.request
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from pypdf import PdfReader

from portal.core import pdf

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def app():
    app = Flask(__name__, template_folder=str(ROOT / "templates"))
    with app.app_context():
        yield app


def statement(**overrides) -> dict:
    context = {
        "vendor_name": "华信科技有限公司",
        "title": "返利结算单",
        "number": "RB-2026Q4-D0001",
        "dealer_name": "北京恒通系统集成有限公司",
        "dealer_code": "D0001",
        "period": "2026-10-01 至 2026-12-31",
        "program": "2026年第四季度渠道返利",
        "issued_on": date(2027, 1, 8).isoformat(),
        "lines": [
            {"name": "服务器", "sales": "¥700,000.00", "rate": "3.00%", "amount": "¥21,000.00"},
            {"name": "存储", "sales": "¥500,000.00", "rate": "3.00%", "amount": "¥15,000.00"},
        ],
        "total": "¥36,000.00",
        "amount_in_words": "叁万陆仟元整",
    }
    context.update(overrides)
    return context


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def font_names(data: bytes) -> list[str]:
    names = []
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        names += [str(font.get_object()["/BaseFont"]) for font in fonts.values()]
    return names


def images_of(data: bytes) -> list:
    return [image for page in PdfReader(io.BytesIO(data)).pages for image in page.images]


@pytest.fixture
def no_urllib(monkeypatch):
    """Record any attempt to open a URL through urllib (what WeasyPrint's own fetcher uses)."""
    opened = []

    def refuse(self, url, *args, **kwargs):
        opened.append(getattr(url, "full_url", url))
        raise AssertionError(f"urllib asked to open {url}")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", refuse)
    return opened


def test_statement_text_is_chinese_with_amounts(app):
    data = pdf.render_pdf("pdf/sample.html", statement())

    assert data.startswith(b"%PDF-")
    text = text_of(data)
    assert "叁万陆仟元整" in text
    assert "返利结算单" in text and "北京恒通系统集成有限公司" in text
    assert "36,000.00" in text
    assert "RB-2026Q4-D0001" in text
    assert "1 / 1" in text  # page numbers from the print stylesheet


def test_the_chinese_font_from_the_print_stylesheet_is_embedded(app):
    names = font_names(pdf.render_pdf("pdf/sample.html", statement()))

    # Subset names look like "/ABCDEF+Noto-Sans-SC"; "Noto-Sans-SC" (not the system
    # "Noto-Sans-CJK-SC") shows the @font-face font was fetched, not a fallback.
    assert any("Noto-Sans-SC" in name for name in names), names
    assert all("Noto" in name for name in names), names


def test_a_rare_character_in_a_name_prints_from_the_full_face(app):
    # 喆, 堃 and 昇 are outside GB 2312, so outside the reduced face that statements are
    # printed with: they come from the full Noto Sans SC face, embedded only then.
    usual = font_names(pdf.render_pdf("pdf/sample.html", statement()))
    data = pdf.render_pdf("pdf/sample.html", statement(dealer_name="北京喆堃昇科技有限公司"))

    assert "北京喆堃昇科技有限公司" in text_of(data)
    names = [name.split("+")[1] for name in font_names(data)]
    assert "Noto-Sans-SC-Full" in names and "Noto-Sans-SC" in names, names
    assert not any("Full" in name for name in usual), usual


def test_the_reduced_face_has_every_character_statements_print():
    from portal.rebates.amount_words import amount_in_words

    chars = set("返利对账单经销商编号期间政策合格销售额达到档位计算方式出具日期按产品线率特价比例"
                "小计不入的原因调整金结应得净额大写已最高本由门户后再修改之更正将以补充形式"
                "全额累进追溯增量服务器存储网络软件退货扣减批准采购")
    chars |= set(amount_in_words(98_765_432_101)) | set("¥￥,.:：;；()（）《》“”、—–-−×≤·/%@#&")
    chars |= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ")
    core = pdf.core_codepoints()
    missing = {c for c in chars if ord(c) not in core}

    assert missing == set()


def test_english_statement_uses_the_same_simplified_chinese_face(app):
    chinese = pdf.render_pdf("pdf/sample.html", statement(lang="zh-CN"))
    english = pdf.render_pdf("pdf/sample.html", statement(lang="en"))

    assert [name.split("+")[1] for name in font_names(english)] == \
        [name.split("+")[1] for name in font_names(chinese)]


def test_same_input_gives_the_same_document(app):
    first = pdf.render_pdf("pdf/sample.html", statement())
    second = pdf.render_pdf("pdf/sample.html", statement())

    assert text_of(first) == text_of(second)
    assert first == second  # no creation date or random ids: a re-render is the same file


def test_plain_values_are_accepted(app):
    pdf.check_plain({"amount": Decimal("1.00"), "on": date.today(), "rows": [(1, "a", None, True)],
                     "rate": 0.5})


class FakeModel:
    """Quacks like a SQLAlchemy-mapped instance."""

    def __init__(self):
        self._sa_instance_state = object()
        self.name = "北京恒通"


class Mapped:
    __table__ = object()


@pytest.mark.parametrize("context", [
    {"dealer": FakeModel()},
    {"lines": [{"name": "服务器", "product_line": FakeModel()}]},
    {"rows": ({"x": Mapped()},)},
    {"dealer": object()},
    {"names": {"a", "b"}},
])
def test_orm_objects_and_other_objects_are_refused(app, context):
    with pytest.raises(TypeError):
        pdf.render_pdf("pdf/sample.html", statement(**context))


def test_refusal_names_where_the_object_is(app):
    with pytest.raises(TypeError, match=r"\['lines'\]\[1\]\['dealer'\].*ORM"):
        pdf.check_plain({"lines": [{}, {"dealer": FakeModel()}]})


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://example.com/x.png",
    "https://example.com/x.png",
    "data:image/png;base64,iVBORw0KGgo=",
    "portal-static:../portal/config.py",
    "portal-static:fonts/../../instance/portal.db",
    "portal-static:js/app.js",
])
def test_fetcher_serves_nothing_but_static_fonts_and_css(url, no_urllib):
    fetcher = pdf.PortalURLFetcher()

    with pytest.raises(ValueError):
        fetcher.fetch(url)
    assert fetcher.refused == [url]
    assert no_urllib == []


@pytest.mark.parametrize("name", ["NotoSansSC-Regular.otf", "NotoSansSC-Core-Regular.otf",
                                  "NotoSansSC-Core-Bold.otf"])
def test_fetcher_serves_the_print_font(no_urllib, name):
    response = pdf.PortalURLFetcher().fetch(f"portal-static:fonts/{name}")

    assert response.read(4) == b"OTTO"
    assert response.content_type == "font/otf"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://example.com/x.png"])
def test_template_value_pointing_outside_is_not_fetched(app, url, no_urllib, caplog):
    caplog.set_level(logging.WARNING, logger="portal.pdf")

    data = pdf.render_pdf("pdf/sample.html", statement(logo_url=url))

    assert "叁万陆仟元整" in text_of(data)  # the document still renders...
    assert images_of(data) == []  # ...without the image
    assert any(url in record.getMessage() for record in caplog.records if record.name == "portal.pdf")
    assert no_urllib == []


def test_stylesheet_and_css_urls_pointing_outside_are_not_fetched(app, no_urllib, caplog):
    caplog.set_level(logging.WARNING, logger="portal.pdf")
    html = """<html><head>
      <link rel="stylesheet" href="https://example.com/evil.css">
      <style>@import url("file:///etc/hosts"); body { background: url(http://example.com/bg.png) }</style>
      </head><body><p>返利</p><img src="file:///etc/passwd"></body></html>"""

    data = pdf.html_to_pdf(html)

    refused = " ".join(record.getMessage() for record in caplog.records if record.name == "portal.pdf")
    for url in ("https://example.com/evil.css", "file:///etc/hosts", "http://example.com/bg.png",
                "file:///etc/passwd"):
        assert url in refused
    assert images_of(data) == []
    assert no_urllib == []


@pytest.mark.slow
def test_building_the_reduced_face_keeps_its_characters_and_gives_the_same_file(tmp_path):
    # Built from the reduced face itself (8 s rather than 15 s from the full face): the build
    # is idempotent, so a host, a rebuild after an upgrade and a colleague's host agree.
    from fontTools.ttLib import TTFont

    source = pdf.font_file("NotoSansSC-Core-Regular.otf")
    target = tmp_path / "rebuilt.otf"
    pdf.build_core_face(source, target)

    assert target.read_bytes() == source.read_bytes()
    cmap = TTFont(str(target)).getBestCmap()
    assert {ord(c) for c in "叁万陆仟元整¥，（）喂"} <= cmap.keys()
    assert not {ord(c) for c in "喆堃"} & cmap.keys()  # these come from the full face
