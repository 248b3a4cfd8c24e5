"""Helpers for the production-mode tests: real PostgreSQL, Redis, gunicorn and huey processes.

Used by tests/test_production_processes.py, tests/test_jobs_faults.py and
tests/test_migrations_real_data.py (this module holds no tests of its own).

- PostgreSQL: the server of `TEST_DATABASE_URL`, else the local one
  (postgresql://postgres@127.0.0.1:5432/test). These tests are about production mode, so they run
  on PostgreSQL even when the rest of the suite runs on SQLite: they create databases of their own
  on that server and drop them afterwards.
- Redis: `TEST_REDIS_URL`, else redis://127.0.0.1:6379/0; each run uses a key namespace of its
  own (`REDIS_NAMESPACE`) and deletes its keys at the end.
- Unreachable PostgreSQL or Redis: a failure in CI (`CI` set), a skip elsewhere.
- Processes are started in sessions of their own and always stopped (terminate → wait → kill of
  the whole process group), whatever happens in the test.
"""
from __future__ import annotations

import html
import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
DEMO_PASSWORD = "demo-pass-2026"


def unavailable(reason: str):
    """Fail in CI, skip elsewhere (a developer's machine may have no PostgreSQL or Redis)."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


# --- PostgreSQL ------------------------------------------------------------------------------------

def pg_server_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL") or ""
    return url if url.startswith("postgres") else DEFAULT_PG


def _sa_url(url: str, dbname: str | None = None) -> sa.engine.URL:
    parsed = sa.engine.make_url(url)
    parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.set(database=dbname) if dbname else parsed


def plain_url(url: sa.engine.URL) -> str:
    """A `postgresql://` URL as an operator would put it in DATABASE_URL."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class PgDatabases:
    """Creates empty databases on the test server and drops them (FORCE) at the end."""

    def __init__(self):
        self.server = pg_server_url()
        self.created: list[str] = []
        try:
            self._exec("SELECT 1")
        except Exception as exc:  # noqa: BLE001 - any connection problem means "unreachable"
            unavailable(f"PostgreSQL at {self.server} is unreachable: {type(exc).__name__}: {exc}")

    def _exec(self, sql: str) -> None:
        engine = sa.create_engine(_sa_url(self.server), isolation_level="AUTOCOMMIT",
                                  connect_args={"connect_timeout": 5})
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(sql))
        finally:
            engine.dispose()

    def create(self, label: str, template: str | None = None) -> str:
        """A new database, empty or a copy of `template`; returns its `postgresql://` URL."""
        name = f"portal_{label}_{uuid.uuid4().hex[:8]}"
        self._exec(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        self.created.append(name)
        return plain_url(_sa_url(self.server, name))

    def drop_all(self) -> None:
        for name in reversed(self.created):
            self._exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def pg():
    dbs = PgDatabases()
    yield dbs
    dbs.drop_all()


def migrate(url: str) -> None:
    """`flask db upgrade` on `url`, in this process."""
    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
                      "TESTING": True})
    with app.app_context():
        try:
            upgrade()
        finally:
            db.engine.dispose()


#: The migrated database with the demo loaded, made once per test run and copied per module.
_DEMO: dict[str, str] = {}


def demo_template(request) -> str:
    """The name of a database holding the schema and `flask seed demo`, seeded once per run.

    On a PostgreSQL run it starts as a copy of the suite's migrated template (`databases`);
    on a SQLite run it is created and migrated on the local PostgreSQL server. Dropped at the end
    of the run.
    """
    if "name" not in _DEMO:
        from tests.conftest import IS_PG

        if IS_PG:
            url = request.getfixturevalue("databases").new()  # dropped with the suite's databases
        else:
            dbs = PgDatabases()
            request.config.add_cleanup(dbs.drop_all)
            url = dbs.create("demo")
            migrate(url)
        url = plain_url(sa.engine.make_url(url))
        tmp = request.getfixturevalue("tmp_path_factory").mktemp("demo-seed")
        # Without REDIS_URL the jobs queued while seeding (e-mails, the demo statement's PDF) go to
        # a throw-away SQLite queue that nobody consumes: no test here needs them.
        flask_cmd(production_env(url, None, tmp), "seed", "demo", timeout=240)
        _DEMO["name"] = sa.engine.make_url(url).database
    return _DEMO["name"]


@pytest.fixture(scope="module")
def demo_db(request, pg) -> str:
    """A database of this module's own with the schema and the demo (`postgresql://` URL)."""
    return pg.create("demo", template=demo_template(request))


# --- Redis -----------------------------------------------------------------------------------------

@dataclass
class RedisSpace:
    url: str
    namespace: str

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=5)

    def keys(self) -> list[bytes]:
        return list(self.client().scan_iter(match=f"*{self.namespace}*", count=500))

    def flush(self) -> None:
        keys = self.keys()
        if keys:
            self.client().delete(*keys)


@pytest.fixture(scope="module")
def redis_space():
    url = os.environ.get("TEST_REDIS_URL") or DEFAULT_REDIS
    space = RedisSpace(url, f"portaltest{uuid.uuid4().hex[:10]}")
    try:
        space.client().ping()
    except Exception as exc:  # noqa: BLE001
        unavailable(f"Redis at {url} is unreachable: {type(exc).__name__}: {exc}")
    yield space
    space.flush()


# --- processes -------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(database_url: str, redis: RedisSpace | None, storage: Path, **extra) -> dict:
    """The environment of every process of one test deployment (`redis=None`: without Redis)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PORTAL_", "HUEY_", "GUNICORN_", "TEST_", "FLASK_"))}
    env.update({
        "PORTAL_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url,
        "SESSION_COOKIE_SECURE": "0",  # plain http in the test
        "STORAGE_DIR": str(storage),
        "HUEY_SQLITE_PATH": str(storage.parent / f"{storage.name}-jobs.db"),  # never instance/
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(ROOT),
    })
    if redis is not None:
        env.update({"REDIS_URL": redis.url, "REDIS_NAMESPACE": redis.namespace})
    if os.environ.get("PORTAL_FONT_CACHE"):
        env["PORTAL_FONT_CACHE"] = os.environ["PORTAL_FONT_CACHE"]
    env.update({k: str(v) for k, v in extra.items()})
    return env


def flask_cmd(env: dict, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `flask --app portal:create_app <args>` in `env`; fail the test with its output."""
    proc = subprocess.run([str(BIN / "flask"), "--app", "portal:create_app", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        pytest.fail(f"flask {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path
    #: gunicorn: SIGINT is its quick shutdown (SIGTERM waits for keep-alive clients);
    #: huey: SIGTERM stops at once (SIGINT waits for running tasks).
    stop_signal: int = signal.SIGTERM

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def alive(self) -> bool:
        return self.popen.poll() is None


@dataclass
class Processes:
    """Starts processes with their output in files; `stop_all` ends every one of them."""

    logdir: Path
    procs: list[Proc] = field(default_factory=list)

    def start(self, name: str, argv: list[str], env: dict, stop_signal=signal.SIGTERM) -> Proc:
        log = self.logdir / f"{name}.log"
        handle = open(log, "ab")  # noqa: SIM115 - the child keeps it open
        popen = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, start_new_session=True)
        handle.close()
        proc = Proc(name, popen, log, stop_signal)
        self.procs.append(proc)
        return proc

    def gunicorn(self, name: str, env: dict, port: int) -> Proc:
        return self.start(name, [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"),
                                 "--bind", f"127.0.0.1:{port}", "--workers", "1",
                                 "--threads", "4", "wsgi:app"], env, signal.SIGINT)

    def worker(self, name: str, env: dict, workers: int = 2) -> Proc:
        return self.start(name, [str(BIN / "huey_consumer"), "portal.worker.huey",
                                 "-w", str(workers), "-k", "process"], env)

    @staticmethod
    def kill(proc: Proc, sig=signal.SIGKILL) -> None:
        """Send `sig` to the process and every child of it (its own session)."""
        try:
            os.killpg(proc.popen.pid, sig)
        except ProcessLookupError:
            pass
        if sig == signal.SIGKILL:
            proc.popen.wait(timeout=10)

    def stop(self, proc: Proc, timeout: float = 5) -> None:
        if proc.alive():
            try:
                os.killpg(proc.popen.pid, proc.stop_signal)
            except ProcessLookupError:
                pass
            try:
                proc.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        # Whatever is left of the group (a gunicorn worker, a consumer thread stuck in C code).
        try:
            os.killpg(proc.popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass

    def stop_all(self) -> None:
        for proc in reversed(self.procs):
            self.stop(proc)


@pytest.fixture(scope="module")
def processes(tmp_path_factory):
    procs = Processes(tmp_path_factory.mktemp("proclogs"))
    yield procs
    procs.stop_all()


def wait_until(predicate, timeout: float, what: str, procs: list[Proc] = (), interval=0.1):
    """Poll `predicate` until it returns a true value; fail with the processes' logs on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        dead = [p for p in procs if not p.alive()]
        if dead or time.monotonic() > deadline:
            logs = "\n".join(f"--- {p.name} (exit {p.popen.poll()}) ---\n{p.output()[-3000:]}"
                             for p in procs)
            pytest.fail(f"{'process died' if dead else 'timed out'} waiting for {what}\n{logs}")
        time.sleep(interval)


def wait_http(base: str, proc: Proc, timeout: float = 30) -> None:
    def up():
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as resp:
                return resp.status == 200
        except OSError:  # HTTPError (503: a dependency is down) included
            return False

    wait_until(up, timeout, f"{proc.name} to answer on {base}", [proc])


# --- a tiny browser --------------------------------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Response:
    status: int
    headers: dict
    text: str

    def csrf_token(self) -> str:
        match = (re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.text)
                 or re.search(r'"X-CSRFToken":\s*"([^"]+)"', html.unescape(self.text)))
        assert match, f"no CSRF token on the page:\n{self.text[:2000]}"
        return match.group(1)


class Browser:
    """One user agent: a cookie jar shared by every port (cookies ignore ports, like a load
    balancer in front of several app servers), redirects not followed."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  _NoRedirect())

    def request(self, url: str, data: dict | None = None, headers: dict | None = None,
                timeout: float = 20) -> Response:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, headers={"Accept-Language": "en",
                                                              **(headers or {})})
        try:
            with self.opener.open(req, timeout=timeout) as resp:
                return Response(resp.status, dict(resp.headers), resp.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as exc:
            return Response(exc.code, dict(exc.headers), exc.read().decode("utf-8", "replace"))

    def get(self, url: str, **kw) -> Response:
        return self.request(url, **kw)

    def post_form(self, page_url: str, action_url: str, data: dict, **kw) -> Response:
        """GET `page_url` for its CSRF token, then POST `data` to `action_url`."""
        token = self.get(page_url).csrf_token()
        return self.request(action_url, {**data, "csrf_token": token}, **kw)

    def login(self, base: str, email: str, password: str = DEMO_PASSWORD) -> Response:
        return self.post_form(base + "/login", base + "/login",
                              {"email": email, "password": password})

    def session_cookie(self) -> str | None:
        for cookie in self.jar:
            if cookie.name == "session":
                return cookie.value
        return None
