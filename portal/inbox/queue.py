"""Reading the inbox: what awaits one head-office user's decision, counted and a page at a time.

The kinds and what each reads are in `portal.inbox.kinds`; their due times in `portal.inbox.due`.
A page of a large inbox is read in two statements whatever its depth (a small one, up to
READ_WHOLE matching items, in one, sorted here):

1. the keys of the page: a UNION ALL of each kind's waiting items — only their key, start of
   waiting and SLA, each kind in the order it started waiting (its index) and cut at the page's
   end — ordered by due time in SQL, with LIMIT and OFFSET: the database merges the kinds and
   returns the page's 25 keys, not each kind's first thousand rows;
2. the page's items with their names (dealer, region, title), by those keys.

Within a kind the due time grows with the start of waiting (one SLA for all items of the kind;
a start at the weekend counts as from the Friday before at the same time, so at most the items
of one weekend may change places with that Friday's at a page's edge). Exception steps have a
target each: their kind is read whole (few wait). Counts are bounded: each kind is counted up to
a cap, from the columns the filters read only (the kinds' partial indexes answer them).
Statements are built from the actor's role, id and regions only, so one statement serves every
user of a role (and the dashboard's figures).
"""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Integer,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)

from portal.accounts.models import Dealer
from portal.core.cache import per_app
from portal.core.permissions import Role
from portal.core.settings import setting_value
from portal.extensions import db
from portal.inbox.due import due_after, due_key
from portal.inbox.kinds import (  # noqa: F401  (re-exported: the inbox's names in one place)
    BULK_KINDS,
    COLUMNS,
    CONFLICT,
    EXCEPTION,
    EXTENSION,
    INBOX_ROLES,
    KINDS,
    ORDER,
    OVERLAP,
    REGISTRATION,
    Item,
    part_statements,
)
from portal.main.dashboard import ActorParams

#: The columns the first statement of a page reads of each kind (besides what filters read).
PAGE_KEYS = ("kind", "id", "step_id", "since", "sla_days")


def _filter_columns(shape: tuple) -> set[str]:
    """The columns the filters of `shape` read."""
    names = shape[1]
    keep = {"id"}
    if "region" in names:
        keep.add("region_id")
    if "min" in names or "max" in names:
        keep.add("value_fen")
    if "dealer" in names:
        keep.add("dealer_id")
    return keep


#: The dealers a dealer filter matches (its code, or a part of its name): read once per statement.
_DEALERS = select(Dealer.id).where(or_(
    func.lower(Dealer.code) == bindparam("f_dealer_lower"),
    Dealer.name.like(bindparam("f_dealer_like"), escape="\\"))).cte("dealer_match")


def _filtered(kind: str, stmt, shape: tuple, *, keep: set[str] | None = None):
    """The kind's statement as a subquery, limited by the filters named in `shape` (their values
    are bound parameters), or None when the filters leave the kind out. `keep`: only these
    columns and those the filters read (a count, a page's keys: the joins for names drop out of
    the plan, and an index alone may answer)."""
    kind_filter, names, id_kinds = shape
    if keep is not None:
        keep = set(keep) | _filter_columns(shape)
        stmt = stmt.with_only_columns(*[c for c in stmt.selected_columns if c.key in keep],
                                      maintain_column_froms=True)
    sub = stmt.subquery(kind)
    query = select(sub)
    if kind_filter and kind_filter != kind or id_kinds is not None and kind not in id_kinds:
        return sub, None
    if "dealer" in names:
        query = query.where(sub.c.dealer_id.in_(select(_DEALERS.c.id)))
    if "region" in names:
        query = query.where(sub.c.region_id == bindparam("f_region", type_=Integer))
    if "min" in names:
        query = query.where(sub.c.value_fen >= bindparam("f_min", type_=BigInteger))
    if "max" in names:
        query = query.where(sub.c.value_fen <= bindparam("f_max", type_=BigInteger))
    if id_kinds is not None:
        query = query.where(sub.c.id.in_(bindparam(f"ids_{kind}", type_=Integer, expanding=True)))
    return sub, query


def _shape(filters: dict | None) -> tuple:
    filters = filters or {}
    names = tuple(n for n in ("dealer", "region", "min", "max") if filters.get(n) not in (None, ""))
    ids = filters.get("ids")
    return (filters.get("kind") or "", names, tuple(sorted(ids)) if ids is not None else None)


def _params(actor, filters: dict | None) -> dict:
    """The bound values: the user's, and the filters'."""
    filters = filters or {}
    params = {"actor_id": actor.id, "actor_region_ids": list(actor.region_ids)
              if actor.role == Role.CHANNEL_MANAGER else []}
    if filters.get("dealer"):
        needle = filters["dealer"]
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params.update(f_dealer_lower=needle.lower(), f_dealer_like=f"%{escaped}%")
    for name in ("region", "min", "max"):
        if filters.get(name) is not None:
            params[f"f_{name}"] = filters[name]
    for kind, ids in (filters.get("ids") or {}).items():
        params[f"ids_{kind}"] = ids
    return params


def _cached(role, what: str, shape: tuple, build):
    """Statements are built once per role, filter shape and process (building them costs more
    than running them); the user's values and the filters' are bound parameters."""
    cache = per_app("inbox")
    key = (str(role), what, shape)
    if key not in cache:
        cache[key] = build(part_statements(ActorParams(role)))
    return cache[key]


#: The navigation counts at most this many of each kind (a badge says "99+"); a kind of a large
#: region holds ten thousand waiting registrations, and counting them on every page is not free.
NAV_CAP = 100


def _counts(parts: dict, shape: tuple, cap: str, prefix: str) -> list:
    """Each kind's count (of the kinds the filters keep), at most the bound parameter `cap`, as
    columns named `prefix` + kind. Counted from the columns the filters read only."""
    columns = [select(func.count()).select_from(
        query.limit(bindparam(cap, type_=Integer)).subquery()).scalar_subquery().label(prefix + kind)
        for kind, stmt in parts.items()
        for _sub, query in [_filtered(kind, stmt, shape, keep={"id"})] if query is not None]
    return columns or [literal(0, Integer).label(prefix)]


def count(actor, filters: dict | None = None, *, upto: int | None = None):
    """How many items await `actor`, each kind counted up to NAV_CAP; with `upto`, also how
    many match `filters`, each kind counted up to `upto`: (matching, all). One statement, each
    kind counted once when no filter is set."""
    if actor.role not in INBOX_ROLES:
        return (0, 0) if upto else 0
    params = _params(actor, filters)
    if not upto:
        stmt = _cached(actor.role, "count", (), lambda parts: select(
            *_counts(parts, _shape(None), "f_cap", "all_")))
        return sum(db.session.execute(stmt, {**params, "f_cap": NAV_CAP}).one())
    shape = _shape(filters)
    unfiltered = shape == _shape(None)
    stmt = _cached(actor.role, "count2", shape, lambda parts: select(
        *_counts(parts, shape, "f_cap", "shown_"),
        *([] if unfiltered else _counts(parts, _shape(None), "nav_cap", "all_"))))
    row = db.session.execute(stmt, {**params, "f_cap": max(upto, NAV_CAP),
                                    "nav_cap": NAV_CAP}).one()._mapping
    shown = sum(min(n, upto) for name, n in row.items() if name.startswith("shown_"))
    total = sum(min(n, NAV_CAP) for name, n in row.items()
                if name.startswith("shown_" if unfiltered else "all_"))
    return shown, total


def _items(rows) -> list[Item]:
    """Items of the rows, soonest due first (then by kind and id, as the page's keys are)."""
    far = datetime.max.replace(tzinfo=UTC)
    order = list(KINDS)
    keyed = []
    for row in rows:
        data = dict(zip(COLUMNS, row, strict=True))
        since = data["since"]
        if since is not None and since.tzinfo is None:  # SQLite loses the zone in a UNION
            since = since.replace(tzinfo=UTC)
        days = int(data["sla_days"] or 0)
        due = due_after(since, days) if since is not None else None
        data.update(since=since, sla_days=days)
        keyed.append(((due or far, order.index(data["kind"]), data["id"]), Item(**data, due=due)))
    keyed.sort(key=lambda k: k[0])
    return [item for _key, item in keyed]


def awaiting(actor, filters: dict | None = None) -> list[Item]:
    """Every item awaiting `actor` that matches `filters`, soonest due first."""
    if actor.role not in INBOX_ROLES:
        return []
    shape = _shape(filters)

    def build(parts):
        selects = [query for kind, stmt in parts.items()
                   for _sub, query in [_filtered(kind, stmt, shape)] if query is not None]
        if not selects:
            return None
        return union_all(*selects) if len(selects) > 1 else selects[0]

    stmt = _cached(actor.role, "items", shape, build)
    if stmt is None:
        return []
    return _items(db.session.execute(stmt, _params(actor, filters)).all())


def _page_keys(parts: dict, shape: tuple):
    """The statement of a page's keys (kind, id): see the module's docstring."""
    selects = []
    for kind, stmt in parts.items():
        sub, query = _filtered(kind, stmt, shape, keep=set(PAGE_KEYS))
        if query is None:
            continue
        query = query.with_only_columns(*(sub.c[name] for name in PAGE_KEYS))
        if kind != EXCEPTION:
            query = select(query.order_by(sub.c.since, sub.c.id)
                           .limit(bindparam("f_upto", type_=Integer)).subquery(kind + "_top"))
        selects.append(query)
    if not selects:
        return None
    waiting = (union_all(*selects) if len(selects) > 1 else selects[0]).subquery("waiting")
    rank = case({kind: n for n, kind in enumerate(KINDS)}, value=waiting.c.kind)
    return (select(waiting.c.kind, waiting.c.id)
            .order_by(due_key(waiting.c.since, waiting.c.sla_days).asc().nulls_last(), rank,
                      waiting.c.id)
            .limit(bindparam("f_per", type_=Integer)).offset(bindparam("f_skip", type_=Integer)))


#: At most this many matching items are read whole, in one statement, and paged here.
READ_WHOLE = 100


def first_due(actor, filters: dict | None, upto: int, skip: int = 0, *,
              matching: int | None = None) -> list[Item]:
    """The items awaiting `actor` from the `skip`th to the `upto`th, soonest due first (a page):
    two statements, whatever the page's depth — or one when the caller counted `matching` items
    and they are few (a director's or finance's inbox)."""
    if actor.role not in INBOX_ROLES or upto <= skip:
        return []
    if matching is not None and matching <= READ_WHOLE:
        return awaiting(actor, filters)[skip:upto]
    shape = _shape(filters)
    stmt = _cached(actor.role, "page", shape, lambda parts: _page_keys(parts, shape))
    if stmt is None:
        return []
    keys = db.session.execute(stmt, {**_params(actor, filters), "f_upto": upto,
                                     "f_per": upto - skip, "f_skip": skip}).all()
    return _by_keys(actor, [(kind, id_) for kind, id_ in keys])


def _by_keys(actor, keys: list[tuple[str, int]]) -> list[Item]:
    ids: dict[str, list[int]] = {}
    for kind, id_ in keys:
        ids.setdefault(kind, []).append(id_)
    return awaiting(actor, {"kind": "", "ids": ids}) if ids else []


def awaiting_keys(actor, keys: list[tuple[str, int]]) -> dict[str, Item]:
    """Of the (kind, id) given, the items that await `actor`, by their key."""
    return {item.key: item for item in _by_keys(actor, keys)}


def kind_figures(actor) -> dict:
    """Per kind: how many wait (up to NAV_CAP), and the start of waiting and the SLA of the item
    waiting longest, as scalar subqueries named `n_`, `since_`, `sla_` + kind (the dashboard's
    figures, read with its other figures)."""
    figures = {}
    for kind, stmt in part_statements(actor).items():
        _sub, query = _filtered(kind, stmt, _shape(None), keep={"id"})
        figures[f"n_{kind}"] = select(func.count()).select_from(
            query.limit(NAV_CAP).subquery()).scalar_subquery()
        sub, query = _filtered(kind, stmt, _shape(None), keep={"id", "since", "sla_days"})
        first = query.order_by(sub.c.since, sub.c.id).limit(1).subquery()
        figures[f"since_{kind}"] = select(first.c.since).scalar_subquery()
        setting = KINDS[kind][1]  # one SLA for the kind: its setting, not a second subquery
        figures[f"sla_{kind}"] = setting_value(setting) if setting else \
            select(first.c.sla_days).scalar_subquery()
    return figures
