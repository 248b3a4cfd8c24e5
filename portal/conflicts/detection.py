"""Conflict detection on every submission of a registration or a direct lead (DESIGN §3.4).

1. Candidates: customers sharing a blocking key with the record's customer (its name, aliases,
   USCC, domain, phones), found through the indexed `customer_key` table (one bounded index
   lookup per key, never a scan). A key that matches more than `MAX_KEY_HITS` other records is
   ignored as non-discriminating.
2. Same customer: each candidate (with its aliases) is compared with the pure matcher; head
   office's manual links (and unlinks) override it. Matches are kept as `customer_link` rows, so
   records of different owners are linked, never merged.
3. Active records (submitted, in_conflict, approved and still protected; active leads) of another
   party on any of those customers: overlapping product lines open a case and hold the new record;
   other product lines leave a notice.
4. Customers the matcher calls `possible` on which another party holds an active record: the
   record proceeds, and a `PossibleOverlap` notice goes to the channel managers of both regions,
   who take it up (a case may open) or dismiss it (DESIGN §3.4.1).

The check runs with system-wide visibility, whoever submits: its queries are not scoped.
"""
from __future__ import annotations

from rapidfuzz import fuzz
from sqlalchemy import or_, select, text

from portal.accounts.recipients import channel_managers_of
from portal.conflicts.models import CaseStatus, ConflictCase, Decision, PossibleOverlap
from portal.core import audit, clock
from portal.deals.customers import match_record
from portal.deals.models import (
    ACTIVE_LEAD_STATES,
    Customer,
    CustomerAlias,
    CustomerLink,
    DealRegistration,
    DirectLead,
)
from portal.deals.services import active_deal_clause
from portal.extensions import db
from portal.matching.compare import compare
from portal.matching.keys import identity_name_keys, record_keys
from portal.notifications.services import notify

#: A blocking key shared by more records than this says nothing about identity (DESIGN §3.4).
MAX_KEY_HITS = 20
#: A valid USCC identifies one company by law; many owners recording a big customer is expected,
#: so the code is not subject to MAX_KEY_HITS, only to this safety bound.
MAX_USCC_HITS = 500


def N_(s):  # noqa: N802
    return s


def candidate_ids(customer: Customer) -> tuple[set[int], list[str]]:
    """Ids of customers sharing a discriminating key with `customer`, and the keys ignored."""
    ids, _strong, ignored = _candidates(customer, match_record(customer))
    return ids, ignored


def _candidates(customer: Customer, mine: dict) -> tuple[set[int], set[int], list[str]]:
    """(candidate ids, those found through a USCC, domain or phone key or a whole trade name,
    keys ignored).

    One statement: per key an index range read bounded by LIMIT, glued with UNION ALL.
    """
    keys = sorted({key[:120] for key in record_keys(mine)})
    if not keys:  # a name that gives no key (Q, 中) and no USCC, domain or phone
        return set(), set(), []
    # Plain SQL: building this UNION with the expression language costs more than running it.
    parts, params = [], {"me": customer.id}
    for i, key in enumerate(keys):
        params[f"k{i}"] = key
        params[f"n{i}"] = (MAX_USCC_HITS if key.startswith("u:") else MAX_KEY_HITS) + 1
        parts.append(f"SELECT * FROM (SELECT key, customer_id FROM customer_key WHERE key = :k{i} "
                     f"AND customer_id != :me LIMIT :n{i}) AS t{i}")
    hits: dict[str, list[int]] = {}
    for key, customer_id in db.session.execute(text(" UNION ALL ".join(parts)), params):
        hits.setdefault(key, []).append(customer_id)
    ids: set[int] = set()
    ignored: list[str] = []
    strong: set[int] = set()
    whole = identity_name_keys(mine)
    for key, found in hits.items():
        bound = MAX_USCC_HITS if key.startswith("u:") else MAX_KEY_HITS
        if len(found) > bound:
            ignored.append(key)  # non-discriminating: says nothing about identity
        else:
            ids.update(found)
            if not key.startswith("n:") or key in whole:
                strong.update(found)
    return ids, strong, sorted(ignored)


#: A candidate found only through a look-alike key (a bigram, the first letters) is compared only
#: when its trade name is this similar (rapidfuzz ratio, 0–100) to one of ours: below it, the
#: matcher can find no more than a look-alike, which decides nothing (matching.NEAR_THRESHOLD).
PREFILTER_RATIO = 88


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def same_customers(customer: Customer) -> dict[int, dict]:
    """Customers that are the same company as `customer` → evidence {score, signals, source}."""
    return compare_candidates(customer)[0]


def compare_candidates(customer: Customer) -> tuple[dict[int, dict], dict[int, dict]]:
    """(customers that are the same company as `customer`, customers that possibly are), each
    id → evidence {score, signals, customer}."""
    mine = match_record(customer)
    ids, identity, ignored = _candidates(customer, mine)
    links = {(_pair(link.a_id, link.b_id)): link for link in db.session.scalars(
        select(CustomerLink).where(or_(CustomerLink.a_id == customer.id,
                                       CustomerLink.b_id == customer.id)))}
    for (a, b), link in links.items():
        if link.linked:
            ids.add(b if a == customer.id else a)
    ids.discard(customer.id)
    if not ids:
        return {}, {}
    found: dict[int, dict] = {}
    possible: dict[int, dict] = {}
    rows = db.session.execute(select(Customer.id, Customer.name, Customer.name_norm, Customer.uscc,
                                     Customer.domain, Customer.phone)
                              .where(Customer.id.in_(sorted(ids)))).all()
    my_cores = [key[2:] for key in identity_name_keys(mine)]
    rows = [row for row in rows if row.id in identity or _pair(customer.id, row.id) in links
            or any(fuzz.ratio(core, row.name_norm or "") >= PREFILTER_RATIO for core in my_cores)]
    aliases: dict[int, list[str]] = {}
    if rows:
        for alias in db.session.execute(select(CustomerAlias.customer_id, CustomerAlias.name)
                                        .where(CustomerAlias.customer_id.in_([r.id for r in rows]))):
            aliases.setdefault(alias.customer_id, []).append(alias.name)
    matched = {}
    for row in rows:
        link = links.get(_pair(customer.id, row.id))
        if link is not None and not link.linked:
            continue  # head office said: not the same company
        result = compare(mine, {"name": row.name, "uscc": row.uscc, "domain": row.domain,
                                "phone": row.phone, "aliases": aliases.get(row.id, ())})
        if result.is_match or (link is not None and link.source == "manual"):
            matched[row.id] = (result, link)
        elif result.outcome == "possible":
            possible[row.id] = {"score": round(float(result.score), 3),
                                "signals": list(result.signals)}
    wanted = list(matched) + list(possible)
    others = {c.id: c for c in db.session.scalars(
        select(Customer).where(Customer.id.in_(wanted)))} if wanted else {}
    for other_id, ev in possible.items():
        ev["customer"] = others[other_id]
    for other_id, (result, link) in matched.items():
        other = others[other_id]
        if link is not None and link.source == "manual":
            found[other.id] = {"score": 1.0, "signals": ["linked by head office"]
                               + list(result.signals), "customer": other}
        elif result.is_match:
            found[other.id] = {"score": round(float(result.score), 3),
                               "signals": list(result.signals), "customer": other}
            if link is None:
                a, b = _pair(customer.id, other.id)
                db.session.add(CustomerLink(a_id=a, b_id=b, source="matcher", linked=True,
                                            score=int(round(result.score * 1000)),
                                            signals=list(result.signals)))
    if ignored:
        for ev in found.values():
            ev["ignored_keys"] = ignored
    return found, possible


def _describe(customer: Customer) -> dict:
    return {"id": customer.id, "name": customer.name, "uscc": customer.uscc,
            "domain": customer.domain, "phone": customer.phone,
            "owner": customer.dealer.code if customer.dealer_id else "HQ",
            "key_account": customer.key_account}


def detect(actor, *, deal: DealRegistration | None = None, lead: DirectLead | None = None) -> list:
    """Run the check for a just-submitted `deal` or `lead`; open cases (and notices).

    Returns the conflict cases opened (notices are not returned: they hold nothing).
    """
    record = deal or lead
    customer = record.customer
    same, possible = compare_candidates(customer)
    cust_ids = {customer.id, *same}

    deal_stmt = select(DealRegistration).where(DealRegistration.customer_id.in_(cust_ids),
                                               active_deal_clause())
    lead_stmt = select(DirectLead).where(DirectLead.customer_id.in_(cust_ids),
                                         DirectLead.status.in_(ACTIVE_LEAD_STATES))
    if deal is not None:
        deal_stmt = deal_stmt.where(DealRegistration.id != deal.id,
                                    DealRegistration.dealer_id != deal.dealer_id)
    else:
        lead_stmt = lead_stmt.where(DirectLead.id != lead.id, DirectLead.rep_id != lead.rep_id)
    # Ids first (almost always none): whole objects only for the few that are found.
    deal_ids = list(db.session.scalars(deal_stmt.with_only_columns(DealRegistration.id)))
    lead_ids = list(db.session.scalars(lead_stmt.with_only_columns(DirectLead.id)))
    others = []
    if deal_ids:
        others += db.session.scalars(select(DealRegistration).where(DealRegistration.id.in_(deal_ids)))
    if lead_ids:
        others += db.session.scalars(select(DirectLead).where(DirectLead.id.in_(lead_ids)))

    opened = []
    for other in sorted(others, key=lambda r: (r.submitted_at or r.created_at, r.id)):
        overlap = sorted(record.line_ids & other.line_ids)
        ev = same.get(other.customer_id)
        evidence = {
            "signals": ev["signals"] if ev else ["same customer record"],
            "score": ev["score"] if ev else 1.0,
            "ignored_keys": (ev or {}).get("ignored_keys", []),
            "overlapping_lines": overlap,
            "customers": [_describe(other.customer), _describe(customer)],
        }
        first, second = other, record
        if (record.submitted_at or record.created_at) < (other.submitted_at or other.created_at):
            first, second = record, other
        is_lead_vs_deal = isinstance(first, DirectLead) != isinstance(second, DirectLead)
        key_account = customer.key_account or other.customer.key_account or any(
            e["customer"].key_account for e in same.values())
        suggestion = Decision.CO_SELL if (is_lead_vs_deal and key_account) else Decision.AWARD_EARLIER
        case = ConflictCase(
            status=CaseStatus.OPEN if overlap else CaseStatus.NOTICE,
            region_id=record.region_id, other_region_id=other.region_id, evidence=evidence,
            suggestion=suggestion if overlap else "", opened_at=clock.now())
        for side, obj in (("first", first), ("second", second)):
            kind = "lead" if isinstance(obj, DirectLead) else "deal"
            setattr(case, f"{side}_{kind}_id", obj.id)
            setattr(case, f"{side}_{kind}", obj)
        db.session.add(case)
        db.session.flush()
        case.number = f"C{clock.today().year}-{case.id:05d}"
        audit.record(actor, "conflict.opened" if overlap else "conflict.notice", case,
                     dealer_id=None, after={"first": first.number, "second": second.number,
                                            "lines": overlap})
        if overlap:
            opened.append(case)
            notify(channel_managers_of([case.region_id, case.other_region_id]), "conflict_opened",
                   N_("Conflict case %(case)s opened: %(first)s and %(second)s overlap."),
                   f"/conflicts/{case.id}", case=case.number, first=first.number,
                   second=second.number)
    if possible:
        _record_possible(actor, record, customer, possible)
    return opened


def _other_parties(record, customer_ids) -> dict[int, list]:
    """Active records of other parties on each of `customer_ids` → customer id → records."""
    deal_stmt = select(DealRegistration).where(DealRegistration.customer_id.in_(customer_ids),
                                               active_deal_clause())
    lead_stmt = select(DirectLead).where(DirectLead.customer_id.in_(customer_ids),
                                         DirectLead.status.in_(ACTIVE_LEAD_STATES))
    if isinstance(record, DealRegistration):
        deal_stmt = deal_stmt.where(DealRegistration.id != record.id,
                                    DealRegistration.dealer_id != record.dealer_id)
    else:
        lead_stmt = lead_stmt.where(DirectLead.id != record.id, DirectLead.rep_id != record.rep_id)
    found: dict[int, list] = {}
    for other in [*db.session.scalars(deal_stmt), *db.session.scalars(lead_stmt)]:
        found.setdefault(other.customer_id, []).append(other)
    return found


def _record_possible(actor, record, customer: Customer, possible: dict[int, dict]) -> None:
    """A "possible overlap" notice per possibly-same customer on which another party holds an
    active record; the channel managers of both regions are told (DESIGN §3.4.1)."""
    parties = _other_parties(record, sorted(possible))
    for other_id, ev in sorted(possible.items()):
        if other_id not in parties:
            continue  # nobody else works that customer: nothing can overlap
        record_column = PossibleOverlap.deal_id if isinstance(record, DealRegistration) \
            else PossibleOverlap.lead_id
        if db.session.scalar(select(PossibleOverlap.id).where(
                record_column == record.id, PossibleOverlap.other_customer_id == other_id)):
            continue
        other_region = parties[other_id][0].region_id
        notice = PossibleOverlap(
            region_id=record.region_id, other_region_id=other_region, customer_id=customer.id,
            other_customer_id=other_id,
            evidence={"signals": ev["signals"], "score": ev["score"],
                      "others": [o.number for o in parties[other_id]]})
        if isinstance(record, DealRegistration):
            notice.deal_id = record.id
        else:
            notice.lead_id = record.id
        db.session.add(notice)
        db.session.flush()
        audit.record(actor, "overlap.noticed", notice, dealer_id=None,
                     after={"record": record.number, "other_customer": other_id,
                            "signals": ev["signals"]})
        notify(channel_managers_of([record.region_id, other_region]), "possible_overlap",
               N_("Possible overlap: %(record)s may be for the same customer as %(others)s."),
               f"/conflicts/overlaps/{notice.id}", record=record.number,
               others=", ".join(o.number for o in parties[other_id]))
