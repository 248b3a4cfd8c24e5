"""Phone numbers and web domains of customer records, as matching keys (DESIGN §3.4.1).

Phones are parsed with `phonenumbers` (Google's libphonenumber data, China as the default
region): a field may hold several numbers (/, 、, 或, ;) and extensions written 转, ext, x, # or
-8001 after a full landline. A number is its E.164 digits; its extension is kept apart, so two
extensions of one switchboard are told apart from one line.

Domains are reduced to the registrable domain by the Public Suffix List (`publicsuffixlist`, its
bundled copy; nothing is fetched): lenovo.com.cn, not mail.lenovo.com.cn. On shop and hosting
platforms and under government umbrella domains the whole host is the identity; free-mail
providers are no key at all.
"""
from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import NamedTuple
from urllib.parse import urlsplit

from portal.matching import lexicon as lx

_SEVERAL = re.compile(r"\s*(?:[/、,;，；|]|\bor\b|或|及|和)\s*")
_EXTENSION = re.compile(r"\s*(?:转分机|分机|转|ext\.?|extension|x|#)\s*(\d{1,6})\s*$")
#: A landline with its area code and then -NNNN: 0571-8888 1234-8001.
_DASH_EXTENSION = re.compile(r"^(\+?[\d\s()]*0?\d{2,3}[\s)-]+\d{3,4}[\s-]?\d{4})-(\d{1,5})$")
#: A Chinese landline with its trunk 0 and area code, or a mobile: read without the library.
_PLAIN_CN = re.compile(r"^(?:0[1-9]\d{9,10}|1[3-9]\d{9})$")
_HOST = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")


class Phone(NamedTuple):
    number: str      #: E.164 digits without +: 8657188881234
    extension: str   #: "" when none


@cache
def _psl():
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


@lru_cache(maxsize=65536)
def phones(value) -> tuple[Phone, ...]:
    """Every number in a phone field, in order; () when none parses."""
    import phonenumbers

    text = unicodedata.normalize("NFKC", str(value or "")).casefold().strip()
    found: list[Phone] = []
    for part in _SEVERAL.split(text):
        if not part:
            continue
        extension = ""
        ext = _EXTENSION.search(part)
        if ext:
            extension, part = ext.group(1), part[:ext.start()]
        else:
            dash = _DASH_EXTENSION.match(part)
            if dash and len(re.sub(r"\D", "", dash.group(1))) >= 10:
                part, extension = dash.group(1), dash.group(2)
        digits = re.sub(r"[^\d+]", "", part)
        if _PLAIN_CN.match(digits):  # the common case, as the library would read it
            national = digits[1:] if digits[0] == "0" else digits
            found.append(Phone(f"86{national}", extension))
            continue
        if digits.startswith("0086"):
            digits = "+" + digits[2:]
        elif digits.startswith("86") and len(digits) >= 12:
            digits = "+" + digits
        try:
            parsed = phonenumbers.parse(digits, "CN")
        except phonenumbers.NumberParseException:
            continue
        national = str(parsed.national_number)
        if len(national) < 7:
            continue
        found.append(Phone(f"{parsed.country_code}{national}", extension))
    return tuple(dict.fromkeys(found))


def normalize_phone(value) -> str | None:
    """The first number of a phone field as E.164 digits (8657188881234); None when none parses."""
    found = phones(value)
    return found[0].number if found else None


def phone_evidence(a, b) -> str | None:
    """"phone" when two fields share a line (the same number, and not two different extensions
    of it), "switchboard" when they share only a switchboard, else None."""
    left, right = phones(a), phones(b)
    if not left or not right:
        return None
    board = False
    for x in left:
        for y in right:
            if x.number == y.number:
                if x.extension and y.extension and x.extension != y.extension:
                    board = True
                else:
                    return "phone"
    return "switchboard" if board else None


@lru_cache(maxsize=65536)
def normalize_domain(value) -> str | None:
    """The identity of an e-mail address, a URL or a bare domain: its registrable domain by the
    Public Suffix List (lenovo.com.cn), or the whole host on a platform or a government umbrella
    (shop123.taobao.com, czj.hangzhou.gov.cn); None for free mail and what is not a domain."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip().casefold()
    if not text:
        return None
    if "@" in text and "://" not in text:
        host = re.split(r"[\s>;,/?#]", text.rsplit("@", 1)[1])[0]
    else:
        try:
            host = urlsplit(text if "://" in text else "//" + text).hostname or ""
        except ValueError:
            return None
    host = host.strip(".")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    if not _HOST.match(host) or host.rsplit(".", 1)[1].isdigit():
        return None
    if host.startswith("www."):
        host = host[4:]
    if host in lx.FREE_MAIL_DOMAINS:
        return None
    domain = _psl().privatesuffix(host) or host
    if domain in lx.FREE_MAIL_DOMAINS:
        return None
    if domain in lx.PLATFORM_DOMAINS or host.endswith(tuple("." + s for s in lx.UMBRELLA_SUFFIXES)):
        return host
    return domain
