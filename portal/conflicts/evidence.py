"""The matcher's signals as sentences for people (DESIGN §3.4.1: evidence in words, never codes)."""
from __future__ import annotations

from portal.core.i18n import lazy_gettext as _l

SENTENCES = {
    "uscc": _l("Same unified social credit code."),
    "uscc_differs": _l("Two different unified social credit codes: two legal entities."),
    "branch_own_uscc": _l("A branch with a credit code of its own: the same company."),
    "name_exact": _l("Same company name once the region, industry words and legal form are set aside."),
    "name_near": _l("Company names that differ only by a slip of the pen (%(similarity)s%% alike)."),
    "name_fuzzy": _l("Similar company names (%(similarity)s%% alike)."),
    "trade_name_other_business": _l("Same trade name, but in another line of business."),
    "pinyin": _l("The English name spells the Chinese trade name in pinyin."),
    "region_differs": _l("The names agree but name two different regions."),
    "alias": _l("Matched on another name of the customer (an alias or a former name)."),
    "domain": _l("Same e-mail or web domain."),
    "phone": _l("Same phone number."),
    "switchboard": _l("Two extensions of one switchboard (not evidence by itself)."),
    "linked by head office": _l("Linked by head office as the same customer."),
    "same customer record": _l("The same customer record."),
}


def sentences(signals) -> list[str]:
    """Each signal as a translated sentence; unknown signals are left out, never shown as codes."""
    out = []
    for signal in signals or ():
        code, _sep, value = str(signal).partition(":")
        sentence = SENTENCES.get(code)
        if sentence is None:
            continue
        if value:
            try:
                out.append(str(sentence) % {"similarity": round(float(value) * 100)})
                continue
            except (TypeError, ValueError):
                pass
        out.append(str(sentence).replace("%(similarity)s%%", "").replace("%%", "%"))
    return out
