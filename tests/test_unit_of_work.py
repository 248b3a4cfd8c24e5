"""One unit of work per request and per command (`portal.core.unit_of_work`), with real commits:
what a request that ends well wrote is there afterwards, what one that ends in an error (raised
or answered) wrote is not."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Blueprint, flash, redirect
from sqlalchemy import select

from portal import create_app
from portal.core.errors import InvalidState, ValidationError
from portal.core.jobs import enqueue_after_commit, task
from portal.core.settings import Setting
from portal.core.unit_of_work import CommandGroup, back_to, on_invalid
from portal.extensions import db
from tests.conftest import TEST_CONFIG

ROOT = Path(__file__).resolve().parents[1]
seen_by_job: list = []


@task()
def _count_rows(key: str) -> None:
    seen_by_job.append(db.session.get(Setting, key) is not None)


def _write(key: str) -> None:
    db.session.add(Setting(key=key, value=1))
    db.session.flush()


def _routes() -> Blueprint:
    bp = Blueprint("uow_test", __name__)

    @bp.post("/t/saved")
    def saved():
        _write("saved")
        enqueue_after_commit(_count_rows, "saved")
        flash("Saved.", "success")
        return redirect("/t/next")

    @bp.post("/t/answered-422")
    def answered():
        _write("answered")
        return "refused", 422

    @bp.post("/t/raised")
    def raised():
        _write("raised")
        flash("Saved.", "success")
        raise InvalidState("Not in this state.")

    @bp.post("/t/invalid")
    def invalid():
        on_invalid(lambda exc: f"form again: {exc.errors['amount']}")
        _write("invalid")
        raise ValidationError("Check the form.", {"amount": "Too large."})

    @bp.post("/t/invalid-back")
    def invalid_back():
        on_invalid(back_to("/t/form"))
        _write("invalid_back")
        raise ValidationError("Check the form.")

    @bp.post("/t/too-long-at-commit")
    def too_long():
        on_invalid(lambda exc: "form again: " + ", ".join(exc.errors))
        db.session.add(Setting(key="x" * 61, value=1))  # flushed by the commit, refused there
        return redirect("/t/next")

    @bp.get("/t/read")
    def read():
        return str(db.session.scalar(select(Setting.value).where(Setting.key == "saved")))

    return bp


@pytest.fixture
def uow_app(fresh_database, tmp_path):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": fresh_database(),
                      "STORAGE_DIR": str(tmp_path)})
    app.register_blueprint(_routes())
    yield app
    with app.app_context():
        db.engine.dispose()


def _stored(app) -> set[str]:
    with app.app_context():
        try:
            return set(db.session.scalars(select(Setting.key)))
        finally:
            db.session.remove()


def _flashes(client) -> list:
    with client.session_transaction() as sess:
        return [message for _category, message in sess.get("_flashes", [])]


def test_a_request_that_ends_well_commits_once_and_then_runs_its_jobs(uow_app):
    seen_by_job.clear()
    client = uow_app.test_client()
    resp = client.post("/t/saved")
    assert resp.status_code == 302
    assert _stored(uow_app) == {"saved"}
    assert seen_by_job == [True]  # queued after the commit: the job sees the row
    assert _flashes(client) == ["Saved."]
    assert client.get("/t/read").get_data(as_text=True) == "1"


def test_a_view_answering_4xx_keeps_none_of_its_writes(uow_app):
    resp = uow_app.test_client().post("/t/answered-422")
    assert resp.status_code == 422
    assert _stored(uow_app) == set()


def test_a_view_that_raises_keeps_no_writes_and_no_success_message(uow_app):
    client = uow_app.test_client()
    resp = client.post("/t/raised")
    assert resp.status_code == 409
    assert "Not in this state." in resp.get_data(as_text=True)
    assert _stored(uow_app) == set()
    assert _flashes(client) == []


def test_a_refused_form_is_rendered_again_with_422_and_nothing_written(uow_app):
    resp = uow_app.test_client().post("/t/invalid")
    assert resp.status_code == 422
    assert resp.get_data(as_text=True) == "form again: Too large."
    assert _stored(uow_app) == set()


def test_a_refused_action_goes_back_with_its_message(uow_app):
    client = uow_app.test_client()
    resp = client.post("/t/invalid-back")
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/t/form")
    assert _flashes(client) == ["Check the form."]
    assert _stored(uow_app) == set()


def test_a_value_refused_at_the_commit_re_renders_the_form(uow_app):
    resp = uow_app.test_client().post("/t/too-long-at-commit")
    assert resp.status_code == 422
    assert resp.get_data(as_text=True) == "form again: key"
    assert _stored(uow_app) == set()


def test_a_command_commits_when_it_returns_and_rolls_back_when_it_raises(uow_app):
    group = CommandGroup("uow", help="test")

    @group.command("good")
    def good():
        _write("good")

    @group.command("bad")
    def bad():
        _write("bad")
        raise RuntimeError("half done")

    uow_app.cli.add_command(group)
    runner = uow_app.test_cli_runner()
    assert runner.invoke(args=["uow", "good"]).exit_code == 0
    result = runner.invoke(args=["uow", "bad"])
    assert isinstance(result.exception, RuntimeError)
    assert _stored(uow_app) == {"good"}


def test_no_view_commits_or_rolls_back():
    """The request commits once (`portal.core.unit_of_work`); a view that needs the outcome of
    its writes flushes."""
    found = []
    for path in sorted((ROOT / "portal").rglob("views*.py")) + [ROOT / "portal/api/framework.py"]:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\.(commit|rollback)\(\)", line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []
