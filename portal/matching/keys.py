"""The keys a customer record is found by (DESIGN §3.4.1): detection looks candidates up in one
indexed key table by any of them — name keys (`n:`), USCC (`u:`), domain (`d:`), phone (`p:`) —
and only then compares each candidate (`portal.matching.compare`)."""
from __future__ import annotations

import re
from collections.abc import Mapping

from portal.core.uscc import UsccError, validate_uscc
from portal.matching.contact_keys import normalize_domain, phones
from portal.matching.names import CJK_CHAR, CJK_RUN, MIN_CORE, NON_WORD, name_parts, readings, record_names
from portal.matching.pinyin import pinyin_of


def blocking_keys(name) -> set[str]:
    """Short keys for the indexed candidate search (at most 8 per name).

    The core itself; for Chinese text its pinyin (an English name spelling it shares it) and its
    character bigrams (a variant that keeps an unlisted industry word, 京东世纪 / 京东, still
    shares one); for Latin text the first word and the first and last four letters."""
    parts = name_parts(name)
    core = parts.core
    if not core:
        return set()
    keys = [core]
    if CJK_CHAR.search(core):
        spelled = pinyin_of(core)
        if spelled != core and len(spelled) >= 4:
            keys.append(spelled)
    else:
        first = re.split(r"(?<=[a-z])(?=[^a-z])|(?<=[^a-z])(?=[a-z])", core)[0]
        keys += [first, core[:4], core[-4:]]
        words = NON_WORD.sub(" ", parts.normalized).split()
        if words:
            keys.append(words[0])
    bigrams = [run[i:i + 2] for run in CJK_RUN.findall(core) for i in range(len(run) - 1)]
    keys += bigrams[:2] + bigrams[2:][-2:]  # both ends of a long name
    return set(list(dict.fromkeys(key for key in keys if len(key) >= MIN_CORE))[:8])


def identity_name_keys(record: Mapping) -> set[str]:
    """The name keys of a record that carry a whole trade name (the core of each reading of its
    name and aliases, its pinyin, an English name's first word), as opposed to the bigram and
    prefix keys that only find look-alikes: a candidate sharing none of these, nor a USCC,
    domain or phone, can only be a look-alike, which decides nothing unless nearly identical."""
    keys: set[str] = set()
    for name in record_names(record):
        for parts in readings(name):
            if not parts.core:
                continue
            keys.add(f"n:{parts.core}")
            if CJK_CHAR.search(parts.core):
                keys.add(f"n:{pinyin_of(parts.core)}")
            else:
                words = NON_WORD.sub(" ", parts.normalized).split()
                keys.update(f"n:{w}" for w in words[:1])
    return keys



def valid_uscc(value) -> str | None:
    try:
        return validate_uscc(value) if value else None
    except UsccError:
        return None



def record_keys(record: Mapping) -> set[str]:
    """Every blocking key of a customer record, prefixed by kind (n: name and aliases, u: USCC,
    d: domain, p: phone), for one indexed key table that finds candidates on any signal."""
    keys = {f"n:{key}" for name in record_names(record) for key in blocking_keys(name)}
    keys.update(f"n:{parts.core}" for name in record_names(record) for parts in readings(str(name))[1:]
                if len(parts.core) >= MIN_CORE)
    domain = normalize_domain(record.get("domain"))
    if value := valid_uscc(record.get("uscc")):
        keys.add(f"u:{value}")
    if domain:
        keys.add(f"d:{domain}")
    keys.update(f"p:{phone.number}" for phone in phones(record.get("phone")))
    return keys

