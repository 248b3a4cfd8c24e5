"""Forms of the notifications: marking some (or all) of one's notifications read."""
from __future__ import annotations

from portal.core.fields import RowsForm
from portal.core.parse import to_id


class MarkReadForm(RowsForm):
    def ids(self) -> list[int] | None:
        """The ids ticked (`id`, repeated); None for all. Text that is no id is left out."""
        sent = self.formdata.getlist("id") if self.formdata else []
        return [i for i in map(to_id, sent) if i is not None] or None
