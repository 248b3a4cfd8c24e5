"""Conflict detection on every submission of a registration or a direct lead (DESIGN §3.4).

1. Candidates: customers sharing a blocking key with the record's customer, found through the
   indexed `customer_key` table (one bounded index lookup per key, never a scan). A key that
   matches more than `MAX_KEY_HITS` other records is ignored as non-discriminating.
2. Same customer: each candidate is compared with the pure matcher; head office's manual links
   (and unlinks) override it. Matches are kept as `customer_link` rows, so records of different
   owners are linked, never merged.
3. Active records (submitted, in_conflict, approved and still protected; active leads) of another
   party on any of those customers: overlapping product lines open a case and hold the new record;
   other product lines leave a notice.

The check runs with system-wide visibility, whoever submits: its queries are not scoped.
"""
from __future__ import annotations

from sqlalchemy import or_, select

from portal.core import audit, clock
from portal.deals.models import (ACTIVE_LEAD_STATES, Customer, CustomerKey, CustomerLink,
                                 DealRegistration, DirectLead)
from portal.extensions import db

#: A blocking key shared by more records than this says nothing about identity (DESIGN §3.4).
MAX_KEY_HITS = 20
#: A valid USCC identifies one company by law; many owners recording a big customer is expected,
#: so the code is not subject to MAX_KEY_HITS, only to this safety bound.
MAX_USCC_HITS = 500


def N_(s):  # noqa: N802
    return s


def candidate_ids(customer: Customer) -> tuple[set[int], list[str]]:
    """Ids of customers sharing a discriminating key with `customer`, and the keys ignored."""
    from portal.deals.services import customer_keys

    ids: set[int] = set()
    ignored: list[str] = []
    for key in sorted(customer_keys(customer)):
        bound = MAX_USCC_HITS if key.startswith("u:") else MAX_KEY_HITS
        rows = db.session.scalars(select(CustomerKey.customer_id).where(CustomerKey.key == key)
                                  .limit(bound + 2)).all()
        others = [r for r in rows if r != customer.id]
        if len(others) > bound:
            ignored.append(key)
            continue
        ids.update(others)
    return ids, ignored


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def same_customers(customer: Customer) -> dict[int, dict]:
    """Customers that are the same company as `customer` → evidence {score, signals, source}."""
    from portal.conflicts.matching import compare

    ids, ignored = candidate_ids(customer)
    links = {(_pair(link.a_id, link.b_id)): link for link in db.session.scalars(
        select(CustomerLink).where(or_(CustomerLink.a_id == customer.id,
                                       CustomerLink.b_id == customer.id)))}
    for (a, b), link in links.items():
        if link.linked:
            ids.add(b if a == customer.id else a)
    ids.discard(customer.id)
    if not ids:
        return {}
    found: dict[int, dict] = {}
    for other in db.session.scalars(select(Customer).where(Customer.id.in_(ids))):
        link = links.get(_pair(customer.id, other.id))
        if link is not None and not link.linked:
            continue  # head office said: not the same company
        result = compare(customer.as_match_record(), other.as_match_record())
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
    return found


def _describe(customer: Customer) -> dict:
    return {"id": customer.id, "name": customer.name, "uscc": customer.uscc,
            "domain": customer.domain, "phone": customer.phone,
            "owner": customer.dealer.code if customer.dealer_id else "HQ",
            "key_account": customer.key_account}


def detect(actor, *, deal: DealRegistration | None = None, lead: DirectLead | None = None) -> list:
    """Run the check for a just-submitted `deal` or `lead`; open cases (and notices).

    Returns the conflict cases opened (notices are not returned: they hold nothing).
    """
    from portal.conflicts.models import CaseStatus, ConflictCase, Decision
    from portal.deals.services import active_deal_clause, managers_of
    from portal.notifications.services import notify

    record = deal or lead
    customer = record.customer
    same = same_customers(customer)
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
    others = list(db.session.scalars(deal_stmt)) + list(db.session.scalars(lead_stmt))

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
            notify(managers_of([case.region_id, case.other_region_id]), "conflict_opened",
                   N_("Conflict case %(case)s opened: %(first)s and %(second)s overlap."),
                   f"/conflicts/{case.id}", case=case.number, first=first.number,
                   second=second.number)
    return opened
