"""Forms of the catalogue domain."""
from __future__ import annotations

from flask import request

from portal.core.fields import MatrixForm, PercentText

#: A cell's sanity bound; the service answers discounts outside 0 … 99.99 % with its own message.
_ANY_BP = 10**9


def discount_matrix(tiers, lines) -> MatrixForm:
    """The tier × product line discounts (`<tier>-<line id>`, percent → basis points; empty = 0)."""
    cells = {f"{tier.value}-{line.id}": PercentText(minimum_bp=-_ANY_BP, maximum_bp=_ANY_BP)
             for tier in tiers for line in lines}
    return MatrixForm.of(cells, request.form)
