"""Every message of the project has a Chinese translation (Flask-Babel, zh_CN and en).

The messages are extracted from the sources exactly as `scripts/i18n.py extract` does; a msgid
that is not in its package's catalogue, or has no translation there, fails the test with the
list of what is missing and the command that fixes it.
"""
from __future__ import annotations

import re

import pytest

from scripts.i18n import extract, load, missing, packages

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


def _key(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _untranslated(pkg: str) -> list[str]:
    catalog = load(pkg)
    found = set(missing(pkg))
    for message in extract(pkg):
        if not message.id:
            continue
        stored = catalog.get(message.id, context=message.context) if catalog is not None else None
        if stored is None or not stored.string or \
                (isinstance(stored.string, tuple) and not all(stored.string)):
            found.add(_key(message))
    return sorted(found)


@pytest.mark.parametrize("pkg", packages())
def test_every_message_has_a_chinese_translation(pkg):
    gaps = _untranslated(pkg)
    assert not gaps, (
        f"{len(gaps)} message(s) of portal/{pkg} lack a Chinese translation:\n  "
        + "\n  ".join(gaps)
        + f"\nRun: python scripts/i18n.py extract && python scripts/i18n.py missing {pkg}, "
          f"then python scripts/i18n.py fill {pkg} FILE.json")


@pytest.mark.parametrize("pkg", packages())
def test_translations_keep_the_placeholders(pkg):
    catalog = load(pkg)
    if catalog is None:
        return
    broken = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            if text and set(PLACEHOLDER.findall(text)) != wanted:
                broken.append(f"{_key(message)!r} → {text!r}")
    assert not broken, "placeholders differ:\n  " + "\n  ".join(broken)


def test_the_same_message_reads_the_same_in_every_package():
    """All catalogues are merged into one at run time, the later overriding the earlier: a msgid
    translated differently in two packages would show whichever loads last, on every page."""
    translations: dict[tuple, dict[str, list[str]]] = {}
    for pkg in packages():
        catalog = load(pkg)
        for message in catalog or []:
            if message.id and isinstance(message.id, str) and message.string:
                # A message with a context (pgettext) is a different message at run time.
                key = (message.context, message.id) if message.context else message.id
                translations.setdefault(key, {}).setdefault(message.string, []).append(pkg)
    differing = {msgid: variants for msgid, variants in translations.items() if len(variants) > 1}
    assert not differing, (
        "the same msgid is translated differently (agree on one, or use a distinct msgid):\n  "
        + "\n  ".join(f"{msgid!r}: {variants}" for msgid, variants in sorted(differing.items(), key=str)))


def test_the_check_sees_a_missing_translation(monkeypatch):
    """The test above can fail: an extracted msgid absent from the catalogue is reported."""
    from babel.messages.catalog import Catalog

    import scripts.i18n as i18n

    fake = Catalog(locale="zh_CN")
    fake.add("A brand-new message nobody translated", None)
    monkeypatch.setattr(i18n, "extract", lambda pkg: fake)
    monkeypatch.setitem(globals(), "extract", lambda pkg: fake)
    assert "A brand-new message nobody translated" in _untranslated("main")


def test_compiled_catalogues_are_used(client):
    body = client.get("/login", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "<title>登录 · 经销商门户</title>" in body
    body = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<title>Log in · Dealer Portal</title>" in body
