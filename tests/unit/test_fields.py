"""The shared form fields (`portal.core.fields`): what a user types becomes an int in bounds, fen,
basis points or a date — or the field's message, never an exception."""
from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form

from portal.core.fields import DateText, IdList, IdText, IntegerText, MoneyText, PercentText


class Sample(Form):
    days = IntegerText(minimum=0, maximum=365)
    dealer = IdText()
    amount = MoneyText(maximum_fen=100_000_00)
    rate = PercentText()
    on = DateText()


def submit(**values) -> Sample:
    form = Sample(MultiDict(values))
    form.validate()
    return form


def test_typed_values_become_numbers_fen_basis_points_and_dates():
    form = submit(days="１２", dealer="7", amount="¥1,234.5", rate="12.5%", on="2026-03-31")
    assert form.errors == {}
    assert (form.days.data, form.dealer.data, form.amount.data, form.rate.data, form.on.data) == \
        (12, 7, 123450, 1250, date(2026, 3, 31))


def test_a_timestamp_gives_its_date():
    assert submit(on="2026-03-31T23:59:00").on.data == date(2026, 3, 31)


def test_empty_fields_are_none_and_no_error():
    form = submit(days="", amount="  ")
    assert form.errors == {}
    assert form.days.data is None and form.amount.data is None and form.on.data is None


@pytest.mark.parametrize(("field", "text"), [
    ("days", "366"), ("days", "-1"), ("days", "1.5"), ("days", "²"), ("days", "9" * 40),
    ("dealer", "0"), ("dealer", str(2**31)), ("amount", "100000.01"), ("amount", "1.001"),
    ("amount", "abc"), ("amount", "1e5"), ("rate", "100.01"), ("rate", "-1"), ("rate", "1.005"),
    ("on", "2026-02-30"), ("on", "tomorrow"), ("on", "2026-01-01x"), ("on", "2026-01-01 junk"),
    ("on", "20260101"), ("on", "2026-01-01T"), ("on", "2026-01-01Tnoon"),
])
def test_text_that_does_not_parse_or_is_out_of_bounds_is_the_fields_error(field, text):
    form = submit(**{field: text})
    assert list(form.errors) == [field]
    assert getattr(form, field).data is None
    assert getattr(form, field)._value() == text  # shown again as typed


def test_a_value_set_by_the_view_is_shown_formatted():
    form = Sample(data={"amount": 1250, "on": date(2026, 1, 2), "rate": 250})
    assert form.amount._value() == "12.50"
    assert form.on._value() == "2026-01-02"
    assert form.rate._value() == "2.5"


class Ticked(Form):
    lines = IdList(message="Unknown product line.")


def test_ticked_ids_become_a_list_and_one_that_is_no_id_is_the_fields_error():
    form = Ticked(MultiDict([("lines", "3"), ("lines", "１2")]))
    assert form.validate() and form.lines.data == [3, 12]
    empty = Ticked(MultiDict())
    assert empty.validate() and empty.lines.data == []
    for bad in ("x", "0", "9" * 30, "<b>1</b>"):
        form = Ticked(MultiDict([("lines", "3"), ("lines", bad)]))
        assert not form.validate()
        assert form.lines.errors == ["Unknown product line."] and form.lines.data == [3]
