"""Every form and every list filter, for every role, receives hostile values.

The walk starts from the app's URL map, not from a list: for each role it opens every page the role
may see (the URLs of the route matrix, tests/routes/*.py, and the links found on those pages),
reads the forms rendered there, and adds every POST endpoint of the URL map the role may use, with
the names its view reads and a few common ones. Each field then receives, one at a time and with
the other fields as a user would leave them, values of each hostile class that applies to it
(tests/fuzzing.py `HOSTILE`): the fixed worst cases below as Hypothesis' explicit examples, and
generated ones after them. `<int:…>` path segments get ids too big for any table.

What must hold for every request:
- no 5xx (and no exception out of the view);
- no markup from the input appears unescaped in an HTML answer, nor in the page a redirect leads to;
- a refused request (4xx) changed no row (the database's fingerprint is the same as before);
- a redirect never leaves the portal;
- a path id too big for any table is a 404;
- no customer outside the role's scope is shown.

Every request runs in a savepoint rolled back afterwards, so each one meets the same world.
All failures are collected and listed at the end, grouped by endpoint and field; the count of
requests and the time taken are printed (also without -s). `FUZZ_ROLES=dealer_admin,admin` limits
a run to some roles while working on a fix.
"""
from __future__ import annotations

import io
import logging
import os
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException

from portal.extensions import db as _db
from tests import fuzzing
from tests.fuzzing import ANY, DATE, HOSTILE, ID, NUMERIC, URL, Field
from tests.routes import ROLES, all_routes

#: Generated examples per target (a form or a list), after the explicit worst cases.
GENERATED_PER_TARGET = 3
#: Names every list's query string and every form also receives.
COMMON_QUERY = ("page", "sort", "q", "status", "format", "next", "id")
COMMON_FORM = ("next", "id", "status", "action")
#: A path id no table holds (too big for a 64-bit integer; 5,000 digits exceed Python's int limit).
HUGE_IDS = ("99999999999999999999", "9" * 5000)
PUBLIC_ENDPOINTS = {"accounts.login", "accounts.logout", "accounts.set_language", "main.healthz"}
NOT_WALKED = {"static"}
ONLY_ROLES = [r for r in os.environ.get("FUZZ_ROLES", "").split(",") if r]

MARKUP_ALL = '<meta http-equiv=refresh content="0;url=https://example.org"><b>x</b>"><img src=x>'
#: The fixed worst cases, sent as explicit examples to every field they apply to: (class, value,
#: kind of field, sent by every role or only by the first role that meets the form).
WORST = [
    ("huge-number", "1e309", NUMERIC, True), ("huge-number", "1e30", NUMERIC, False),
    ("huge-number", "9" * 5000, NUMERIC, False), ("huge-number", "99999999999999999999", ID, False),
    ("exotic-digits", "²", NUMERIC, False), ("exotic-digits", "nan", NUMERIC, False),
    ("odd-date", "99999-01-01", DATE, False),
    ("markup", MARKUP_ALL, ANY, False),
    ("control-chars", "a\x00b\x01\x1f\r\n\u202e", ANY, False),
    ("long-string", "A" * 100_000, ANY, False),
    ("wrong-type", ["1", "2"], ANY, False),
    ("off-site-url", "https://evil.example/", URL, True),
]
#: What a common name (one no page or view shows to be read) receives: a few cases, not all.
WORST_COMMON = {"1e309", MARKUP_ALL, "https://evil.example/", "9" * 5000}
#: The table an id field points to, by the first word of its name (out-of-scope ids come from it).
FIELD_TABLES = {"customer": "customer", "other": "customer", "deal": "deal_registration",
                "dealer": "dealer", "user": "user", "owner": "user", "rep": "user",
                "order": "sales_order", "exception": "price_exception", "lead": "direct_lead",
                "case": "conflict_case", "statement": "rebate_statement", "step": "price_exception_step"}
#: Names never fuzzed: the CSRF token is switched off in tests (tests/test_security_csrf.py).
SKIPPED_NAMES = {"csrf_token"}
#: The worst cases a file field receives: one CSV per class, every cell of its rows hostile.
WORST_FILE = [("markup", MARKUP_ALL), ("huge-number", "1e309"), ("exotic-digits", "²"),
              ("control-chars", "a\x00b"), ("long-string", "B" * 130_000)]

FUZZ_SETTINGS = settings(max_examples=GENERATED_PER_TARGET, deadline=None, derandomize=True,
                         database=None, phases=[Phase.explicit, Phase.generate],
                         suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                HealthCheck.too_slow, HealthCheck.data_too_large,
                                                HealthCheck.large_base_example,
                                                HealthCheck.filter_too_much],
                         print_blob=False)


@dataclass
class Target:
    """One thing to fuzz: a form (POST) or a list's query string (GET) at a concrete URL."""
    role: str
    method: str
    endpoint: str
    url: str
    fields: dict[str, Field]
    baseline: dict[str, list[str]]
    htmx: bool = False
    file_header: list[str] = field(default_factory=list)

    def key(self):
        return (self.method, self.endpoint)


@dataclass(frozen=True)
class Failure:
    role: str
    method: str
    endpoint: str
    field: str
    value_class: str
    what: str
    example: str


class Fuzzer:
    def __init__(self, app, client, login_as, world):
        self.app, self.client, self.login_as, self.world = app, client, login_as, world
        self.conn = _db.session.get_bind()
        self.adapter = app.url_map.bind("localhost")
        self.failures: list[Failure] = []
        self.requests = 0
        self.fingerprint_sql = fuzzing.fingerprint_query(_db.metadata)
        self.pristine = self._fingerprint()
        self.matrix = [(r, r.resolve_url(world), r.resolve_data(world)) for r in all_routes()]
        self.users = {role: world.users[role] for role in ROLES if role != "anon"}
        self.user_ids = {role: u.id for role, u in self.users.items()}
        self.unfuzzed: list[str] = []
        #: (method, rule, field names) fuzzed with every worst case by an earlier role: later roles
        #: send only the worst cases marked "every role", out-of-scope ids and generated values.
        self.fuzzed: dict[tuple, set[str]] = defaultdict(set)
        self.writes = 0
        self.per_role: dict[str, int] = defaultdict(int)

    # -- one request ---------------------------------------------------------------------------

    def _count_writes(self, _conn, _cursor, statement, *_args):
        if statement.lstrip()[:6].upper() in {"INSERT", "UPDATE", "DELETE"}:
            self.writes += 1

    def _fingerprint(self):
        return tuple(self.conn.execute(self.fingerprint_sql).one())

    def _login(self, role):
        if role == "anon":
            with self.client.session_transaction() as sess:
                sess.clear()
        else:  # the world's objects are detached by now: log in a freshly loaded user
            from portal.accounts.models import User

            self.login_as(_db.session.get(User, self.user_ids[role]))

    def open(self, role, method, url, *, data=None, files=None, headers=None):
        """One request in a savepoint rolled back afterwards. Returns (status, body, location,
        changed, error); `changed` says whether a committed row differs from before."""
        _db.session.remove()
        savepoint = self.conn.begin_nested()
        status, body, location, changed, error = 500, "", "", False, ""
        writes_before = self.writes
        try:
            payload = None
            if data is not None or files:
                payload = [(k, v) for k, values in (data or {}).items() for v in values]
                payload = _multi(payload)
                for name, (content, filename) in (files or {}).items():
                    payload.add(name, (io.BytesIO(content), filename))
            self.requests += 1
            self.per_role[role] += 1
            try:
                response = self.client.open(url, method=method, data=payload, headers=headers or {})
            except HTTPException as exc:  # pragma: no cover - the app turns these into answers
                status = exc.code or 500
            except Exception as exc:  # an exception out of the view: a 500 for the user
                error = f"{type(exc).__name__}: {str(exc)[:120]}"
            else:
                status = response.status_code
                body = _text(response)
                location = response.headers.get("Location", "")
                response.close()
            if method == "POST" and self.writes > writes_before:
                _db.session.remove()
                changed = self._fingerprint() != self.pristine
            if 300 <= status < 400 and location and _local(location) and method == "POST":
                self.requests += 1
                try:
                    follow = self.client.get(_local(location))
                    body_after = _text(follow)
                    follow.close()
                    body += "\n" + body_after if follow.status_code < 500 else ""
                    if follow.status_code >= 500:
                        error = error or f"redirect target {_local(location)} answered {follow.status_code}"
                except Exception as exc:
                    error = error or f"redirect target raised {type(exc).__name__}: {str(exc)[:100]}"
        finally:
            _db.session.remove()
            if savepoint.is_active:
                savepoint.rollback()
            if method == "POST" and urlsplit(url).path in ("/logout", "/login"):
                self._login(role)
        return status, body, location, changed, error

    def check(self, role, target_method, endpoint, field_name, value_class, value, result, *,
              refused_must_not_change=True):
        status, body, location, changed, error = result
        problems = []
        if error:
            problems.append(f"500 {error.split(':')[0]}")
        elif status >= 500:
            problems.append(f"{status}")
        lowered = body
        for tell in fuzzing.MARKUP_TELLS:
            if tell in lowered:
                problems.append(f"markup unescaped ({tell})")
                break
        if refused_must_not_change and 400 <= status < 500 and changed:
            problems.append(f"refused ({status}) but rows changed")
        if location and not _local(location):
            problems.append(f"redirects off-site ({location[:40]})")
        for secret in self.secrets.get(role, ()):
            if secret in body:
                problems.append("out-of-scope customer shown")
                break
        for what in problems:
            self.failures.append(Failure(role, target_method, endpoint, field_name, value_class,
                                         what, _short(value)))

    # -- the walk ------------------------------------------------------------------------------

    def rule_for(self, url, method="GET"):
        try:
            rule, args = self.adapter.match(urlsplit(url).path, method=method, return_rule=True)
        except HTTPException:
            return None, None
        except Exception:  # a RequestRedirect (missing slash) and the like
            return None, None
        return rule, args

    def allowed(self, role, endpoint):
        view = self.app.view_functions[endpoint]
        roles = getattr(view, "allowed_roles", None)
        if roles is None:
            return endpoint in PUBLIC_ENDPOINTS
        return role != "anon" and role in {str(getattr(r, "value", r)) for r in roles}

    def crawl(self, role):
        """GET every page the role may see (matrix URLs, list URLs, links found on them); return
        {rule: url} of the pages that answered 200, their parsed forms, and query names seen."""
        self._login(role)
        queue = []
        for rule in self.app.url_map.iter_rules():
            if rule.endpoint in NOT_WALKED or "GET" not in rule.methods:
                continue
            if not self.allowed(role, rule.endpoint) or rule.endpoint == "accounts.logout" and role == "anon":
                continue
            if not rule.arguments:
                queue.append(self.adapter.build(rule.endpoint, {}))
        for route, url, _data in self.matrix:
            if route.method == "GET":
                queue.append(url)
        pages, forms, query_seen, file_templates = {}, [], defaultdict(set), {}
        tries: dict[str, int] = defaultdict(int)
        while queue:
            url = queue.pop(0)
            path = urlsplit(url).path
            rule, _args = self.rule_for(url)
            if rule is None or rule.endpoint in NOT_WALKED:
                continue
            query_seen[rule.rule].update(fuzzing.query_names(url))
            # one page per rule (a second try when the first URL was refused, e.g. another
            # dealer's object from the matrix)
            if rule.rule in pages or tries[rule.rule] >= 2:
                continue
            if not self.allowed(role, rule.endpoint) or (rule.endpoint == "accounts.logout"):
                continue
            tries[rule.rule] += 1
            self.requests += 1
            response = self.client.get(url)
            body = _text(response)
            response.close()
            if response.status_code != 200:
                continue
            self.check(role, "GET", rule.endpoint, "-", "crawl", url,
                       (response.status_code, body, "", False, ""))
            pages.setdefault(rule.rule, (rule, path))
            if "html" not in response.mimetype:
                continue
            parsed = fuzzing.parse_page(url, body)
            forms.extend(parsed.forms)
            for link in parsed.links + parsed.hx_links:
                if "template" in link and (".csv" in link or "=csv" in link):
                    file_templates[rule.rule] = link
                queue.append(link)
        return pages, forms, query_seen, file_templates

    def targets(self, role) -> list[Target]:
        pages, forms, query_seen, file_templates = self.crawl(role)
        self.pages = pages
        found: dict[tuple, Target] = {}
        # forms rendered on the role's pages
        for form in forms:
            rule, _args = self.rule_for(form.action, form.method)
            if rule is None or not self.allowed(role, rule.endpoint):
                continue
            if form.method == "GET":
                key = ("GET", rule.endpoint)
                url = urlsplit(form.action).path
            else:
                key = ("POST", rule.rule)
                url = form.action
            target = found.get(key)
            if target is None:
                target = found[key] = Target(role, form.method, rule.endpoint, url, {}, {},
                                             htmx=form.htmx)
            for name, f in form.fields.items():
                target.fields.setdefault(name, f)
            for name, values in form.baseline().items():
                target.baseline.setdefault(name, values)
            if any(f.kind == "file" for f in form.fields.values()):
                page_rule = self.rule_for(urlsplit(form.action).path)[0]
                template = file_templates.get(page_rule.rule) if page_rule else None
                target.file_header = self._file_header(template) if template else []
        # every POST rule of the URL map the role may use, found in a form or not
        for rule in self.app.url_map.iter_rules():
            if "POST" not in rule.methods or not self.allowed(role, rule.endpoint):
                continue
            key = ("POST", rule.rule)
            if key not in found:
                url = self._url_for_rule(rule, pages)
                if url is None:
                    self.unfuzzed.append(f"{role} POST {rule.rule}: no URL of an object known")
                    continue
                found[key] = Target(role, "POST", rule.endpoint, url, {}, {})
        # every list's query string: a page with a filter form, links with a query string to
        # itself, or a view that reads the query string
        for rule, path in pages.values():
            key = ("GET", rule.endpoint)
            seen = query_seen.get(rule.rule, set())
            reads = fuzzing.names_read_by(self.app.view_functions[rule.endpoint])["args"]
            if key not in found and not seen and not reads:
                continue
            target = found.setdefault(key, Target(role, "GET", rule.endpoint, path, {}, {}))
            for name in seen:
                target.fields.setdefault(name, Field(name, "text"))
        # names the views read, common names, the matrix's valid data as a baseline
        for target in found.values():
            view = self.app.view_functions[target.endpoint]
            read = fuzzing.names_read_by(view)
            names = read["form"] | set(COMMON_FORM) if target.method == "POST" else \
                read["args"] | set(COMMON_QUERY)
            for name in sorted(names - read["form"] - read["args"]):
                target.fields.setdefault(name, Field(name, "text", common=True))
            for name in sorted(read["form"] if target.method == "POST" else read["args"]):
                target.fields.setdefault(name, Field(name, "text"))
            if target.method == "POST":
                for route, _url, data in self.matrix:
                    if route.method == "POST" and route.endpoint == target.endpoint and isinstance(data, dict) and data:
                        for name, value in data.items():
                            target.fields.setdefault(name, Field(name, "text", str(value)))
                            if target.baseline.get(name) in (None, [""]):
                                target.baseline[name] = [str(value)]
        return sorted(found.values(), key=lambda t: (t.endpoint, t.method, t.url))

    def _file_header(self, template_url):
        self.requests += 1
        response = self.client.get(template_url)
        text = _text(response)
        response.close()
        first = text.lstrip("\ufeff").splitlines()[:1]
        return [c.strip() for c in first[0].split(",")] if first else []

    def _url_for_rule(self, rule, pages):
        """A concrete URL of the rule: a page the role saw, else the matrix's URL."""
        if rule.rule in pages:
            return pages[rule.rule][1]
        for _route, url, _data in self.matrix:
            matched, _args = self.rule_for(url, "POST")
            if matched is not None and matched.rule == rule.rule:
                return urlsplit(url).path
        if not rule.arguments:
            return self.adapter.build(rule.endpoint, {}, method="POST")
        return None

    # -- fuzzing one target -------------------------------------------------------------------

    def fuzz(self, target: Target):
        self._login(target.role)
        names = fuzzing.row_representatives(n for n in target.fields if n not in SKIPPED_NAMES)
        # A field an earlier role already received every worst case in (same method and rule)
        # gets only those marked for every role; common names only from the first role.
        done = self.fuzzed[(target.method, self.rule_for(target.url, target.method)[0].rule)]
        first_time = {n for n in names if n not in done}
        done.update(names)
        names = [n for n in names if n in first_time or not target.fields[n].common] or names
        if not names:
            names = ["id"]
            target.fields["id"] = Field("id", "text")
        traits = {name: fuzzing.field_traits(target.fields[name]) for name in names}
        classes = {c.name: c for c in HOSTILE}
        foreign_by_table = self.foreign_ids.get(target.role, {})

        def foreign_for(name):
            """Out-of-scope ids of the table the field names (`other_id` → customer), else any."""
            table = FIELD_TABLES.get(re.split(r"[_\-]", name.lower())[0])
            return sorted(foreign_by_table.get(table) or foreign_by_table.get("*") or ())

        def applicable(name):
            result = [c.name for c in HOSTILE if c.applies_to & traits[name]]
            if ID in traits[name] and foreign_for(name):
                result.append("foreign-id")
            if "file" in traits[name]:
                result = [c for c, _v in WORST_FILE]
            return result

        def strategy(name, class_name):
            if "file" in traits[name]:
                return classes[class_name].strategy
            if class_name == "foreign-id":
                return st.sampled_from(foreign_for(name)).map(str)
            return classes[class_name].strategy

        case = st.sampled_from(names).flatmap(
            lambda n: st.sampled_from(applicable(n)).flatmap(
                lambda c: st.tuples(st.just(n), st.just(c), strategy(n, c))))

        def send(case):
            name, class_name, value = case
            f = target.fields[name]
            data = {k: list(v) for k, v in target.baseline.items()}
            files = {}
            if "file" in traits[name]:
                header = target.file_header or ["name", "value"]
                cell = value if isinstance(value, str) else "".join(value)
                files[name] = (fuzzing.csv_upload(header, cell), "upload.csv")
            elif isinstance(value, list):
                data[name] = value
            else:
                data[name] = [value]
            for other, other_field in target.fields.items():
                if other_field.kind == "file" and other not in files and target.method == "POST":
                    files[other] = (fuzzing.csv_upload(target.file_header or ["x"], "1"), "ok.csv")
            headers = {"HX-Request": "true"} if target.htmx and target.method == "GET" else {}
            if target.method == "GET":
                query = urlencode([(k, v) for k, vs in data.items() for v in vs])
                result = self.open(target.role, "GET", f"{target.url}?{query}", headers=headers)
            else:
                result = self.open(target.role, "POST", target.url, data=data, files=files,
                                   headers=headers)
            self.check(target.role, target.method, target.endpoint, f.name, class_name, value,
                       result)

        run = given(case=case)(lambda case: send(case))
        for name in names:
            kinds = applicable(name)
            if "file" in traits[name]:
                for class_name, value in WORST_FILE if name in first_time else WORST_FILE[:1]:
                    run = example(case=(name, class_name, value))(run)
                continue
            common = target.fields[name].common
            for class_name, value, applies, every_role in WORST:
                if common and (isinstance(value, list) or value not in WORST_COMMON):
                    continue
                if (name in first_time or every_role) and class_name in kinds and \
                        (applies == ANY or applies in traits[name]):
                    run = example(case=(name, class_name, value))(run)
            if "foreign-id" in kinds and not common:
                run = example(case=(name, "foreign-id", str(foreign_for(name)[0])))(run)
        FUZZ_SETTINGS(run)()

    def fuzz_path_ids(self, role, pages):
        """Every `<int:…>` segment of a rule the role may use, with an id no table holds."""
        self._login(role)
        for rule in self.app.url_map.iter_rules():
            ints = [a for a, conv in rule._converters.items() if type(conv).__name__ == "IntegerConverter"]
            if not ints or not self.allowed(role, rule.endpoint):
                continue
            url = self._url_for_rule(rule, pages)
            if url is None:
                continue
            _rule, args = self.rule_for(url, next(iter(rule.methods - {"HEAD", "OPTIONS"})))
            if args is None:
                continue
            method = "GET" if "GET" in rule.methods else "POST"
            for arg in ints:
                for huge in HUGE_IDS:
                    placeholder = 987_654_321_012_345
                    built = self.adapter.build(rule.endpoint, {**args, arg: placeholder}, method=method)
                    bad_url = built.replace(str(placeholder), huge)
                    result = self.open(role, method, bad_url, data={} if method == "POST" else None)
                    status = result[0]
                    label = "huge-id" if len(huge) < 100 else "5000-digit-id"
                    self.check(role, method, rule.endpoint, f"<{arg}>", label, huge, result)
                    if status != 404 and not result[4]:
                        self.failures.append(Failure(role, method, rule.endpoint, f"<{arg}>", label,
                                                     f"{status} instead of 404", _short(huge)))

    # -- scope -----------------------------------------------------------------------------------

    def prepare_scopes(self):
        """Per role: ids of rows outside its scope (other dealer, other region) and the names of
        customers it must never see."""
        from portal.deals.models import Customer

        regions = {role: {r.id for r in u.regions} for role, u in self.users.items()}
        dealers = {role: u.dealer_id for role, u in self.users.items()}
        self.foreign_ids, self.secrets = {}, {}
        scoped_tables = [t for t in _db.metadata.sorted_tables
                         if {"dealer_id", "region_id"} & set(t.columns.keys()) and "id" in t.columns]
        customers = list(_db.session.execute(sa.select(Customer.id, Customer.name, Customer.dealer_id,
                                                       Customer.region_id)))
        for role in self.users:
            ids, secrets = defaultdict(set), set()
            own_dealer, own_regions = dealers[role], regions[role]
            if own_dealer is None and not own_regions:
                continue  # sees every region
            for table in scoped_tables:
                cols = table.columns
                if own_dealer is not None and table.name == "dealer":
                    cond = cols.id != own_dealer
                elif own_dealer is not None and "dealer_id" in cols:
                    cond = sa.and_(cols.dealer_id.is_not(None), cols.dealer_id != own_dealer)
                elif own_dealer is None and "region_id" in cols:
                    cond = sa.and_(cols.region_id.is_not(None), cols.region_id.not_in(own_regions))
                else:
                    continue
                found = set(self.conn.execute(sa.select(cols.id).where(cond)).scalars())
                ids[table.name] |= found
                ids["*"] |= found
            for _cid, name, dealer_id, region_id in customers:
                if own_dealer is not None and dealer_id is not None and dealer_id != own_dealer:
                    secrets.add(name)
                elif own_dealer is None and region_id is not None and region_id not in own_regions:
                    secrets.add(name)
            self.foreign_ids[role] = {k: v for k, v in ids.items() if v}
            self.secrets[role] = secrets


# -- small helpers ------------------------------------------------------------------------------


def _multi(pairs):
    from werkzeug.datastructures import MultiDict

    return MultiDict(pairs)


def _text(response) -> str:
    if response.direct_passthrough or response.mimetype not in (
            "text/html", "text/plain", "text/csv", "application/json", ""):
        return ""
    return response.get_data(as_text=True)


def _local(location: str) -> str:
    parts = urlsplit(location)
    if parts.netloc not in ("", "localhost") or parts.scheme not in ("", "http", "https"):
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _short(value) -> str:
    if isinstance(value, list):
        return repr([_short(v) for v in value])[:60]
    text = str(value)
    if len(text) > 40:
        return f"{text[:12]!r}…({len(text)} chars)"
    return repr(text)


def report(failures: list[Failure]) -> str:
    """Distinct failures grouped by endpoint and field: roles and value classes merged."""
    grouped: dict[tuple, dict] = {}
    for f in failures:
        entry = grouped.setdefault((f.method, f.endpoint, f.field, f.what),
                                   {"roles": set(), "classes": {}, })
        entry["roles"].add(f.role)
        entry["classes"].setdefault(f.value_class, f.example)
    lines = []
    for (method, endpoint, name, what), entry in sorted(grouped.items()):
        classes = ", ".join(f"{c} e.g. {v}" for c, v in sorted(entry["classes"].items()))
        lines.append(f"{method} {endpoint} [{name}] → {what}; {classes}; "
                     f"roles: {', '.join(sorted(entry['roles']))}")
    return "\n".join(lines)


def test_every_form_and_filter_survives_hostile_input(app, client, world, login_as, capsys):
    started = time.perf_counter()
    fuzzer = Fuzzer(app, client, login_as, world)
    fuzzer.prepare_scopes()
    targets_count = 0
    engine = _db.session.get_bind().engine
    sa.event.listen(engine, "before_cursor_execute", fuzzer._count_writes)
    logging.disable(logging.INFO)  # one log line per request would cost more than the request
    try:
        for role in [r for r in ROLES if not ONLY_ROLES or r in ONLY_ROLES]:
            targets = fuzzer.targets(role)
            targets_count += len(targets)
            for target in targets:
                fuzzer.fuzz(target)
            fuzzer.fuzz_path_ids(role, fuzzer.pages)
    finally:
        logging.disable(logging.NOTSET)
        sa.event.remove(engine, "before_cursor_execute", fuzzer._count_writes)
    seconds = time.perf_counter() - started
    summary = (f"form fuzz: {fuzzer.requests} requests to {targets_count} targets over "
               f"{len(ROLES)} roles in {seconds:.1f} s; {len(fuzzer.failures)} failing requests "
               f"(per role: {dict(fuzzer.per_role)})")
    with capsys.disabled():
        print(f"\n{summary}")
    assert not fuzzer.failures, f"{summary}\n{report(fuzzer.failures)}"
