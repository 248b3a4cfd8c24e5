"""Customers (最终用户): scope, validation, the normalised name and the blocking keys.

A customer record belongs to whoever created it (a dealer, or head office). Every save recomputes
`name_norm` and the rows of `customer_key` that the conflict check searches, and keeps a former
name written in brackets as an alias. Aliases (other names the check matches on) come from
former names, from head office, and from records linked or decided as the same customer.
"""
from __future__ import annotations

from sqlalchemy import delete, or_, select

from portal.accounts.models import User
from portal.core import audit
from portal.core.errors import ValidationError
from portal.core.i18n import lazy_gettext as _l
from portal.core.permissions import Role, first_or_404, is_dealer, sees_all_regions
from portal.core.uscc import UsccError, validate_uscc
from portal.db import contains
from portal.deals.models import Customer, CustomerAlias, CustomerKey
from portal.extensions import db
from portal.matching.contact_keys import normalize_domain
from portal.matching.keys import record_keys
from portal.matching.names import former_names, normalize_name


def customers_query(actor):
    """Customers `actor` may see: a dealer its own records only; head office all (regional roles
    their regions' records and head-office accounts without a region)."""
    stmt = select(Customer)
    if is_dealer(actor):
        return stmt.where(Customer.dealer_id == actor.dealer_id)
    if sees_all_regions(actor):
        return stmt
    return stmt.where(or_(Customer.region_id.in_(actor.region_ids), Customer.region_id.is_(None)))


def get_customer_or_404(customer_id, actor) -> Customer:
    return first_or_404(customers_query(actor), Customer, customer_id)


#: The most customers a search as you type offers.
SEARCH_LIMIT = 10


def find_customers(actor, text: str, limit: int = SEARCH_LIMIT) -> list[Customer]:
    """Customers of `actor`'s scope whose name (as typed or normalised) contains `text`, or whose
    USCC is `text`: at most `limit`, exact names first. Nothing for an empty text."""
    text = (text or "").strip()[:100]
    if not text:
        return []
    norm = normalize_name(text) or text
    stmt = customers_query(actor).where(or_(
        contains(Customer.name, text),
        contains(Customer.name_norm, norm, case_sensitive=True),
        Customer.uscc == text.upper()))
    found = list(db.session.scalars(stmt.order_by(Customer.name, Customer.id).limit(limit)))
    found.sort(key=lambda c: (c.name != text, c.name_norm != norm))
    return found


def alias_names(customer_id) -> list[str]:
    """The customer's aliases, oldest first."""
    if customer_id is None:
        return []
    with db.session.no_autoflush:
        return list(db.session.scalars(select(CustomerAlias.name)
                                       .where(CustomerAlias.customer_id == customer_id)
                                       .order_by(CustomerAlias.id)))


def match_record(customer: Customer) -> dict:
    """The mapping `portal.matching.compare` takes, with the customer's aliases."""
    return {**customer.as_match_record(), "aliases": alias_names(customer.id)}


def customer_keys(customer: Customer) -> set[str]:
    """The blocking keys of a customer: name and alias keys, USCC, domain and phone."""
    return {k[:120] for k in record_keys(match_record(customer))}


def add_alias(actor, customer: Customer, name: str, source: str = "manual") -> CustomerAlias | None:
    """Give `customer` another name the conflict check matches on; None when it has it already
    (as its name or an alias). The caller refreshes the keys."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(_l("Enter the other name."), {"name": _l("Enter the other name.")})
    if len(name) > 200:
        raise ValidationError(_l("The name is too long (at most 200 characters)."),
                              {"name": _l("The name is too long (at most 200 characters).")})
    if name == customer.name or name in alias_names(customer.id):
        return None
    alias = CustomerAlias(customer_id=customer.id, name=name, source=source,
                          created_by_id=getattr(actor, "id", None))
    db.session.add(alias)
    db.session.flush()
    audit.record(actor, "customer.alias_added", customer, after={"alias": name, "source": source})
    return alias


def remove_alias(actor, customer: Customer, alias_id: int) -> None:
    alias = db.session.scalar(select(CustomerAlias).where(CustomerAlias.id == alias_id,
                                                          CustomerAlias.customer_id == customer.id))
    if alias is None:
        raise ValidationError(_l("That name is not an alias of this customer."), {})
    db.session.delete(alias)
    db.session.flush()
    audit.record(actor, "customer.alias_removed", customer, before={"alias": alias.name})
    refresh_keys(customer)


def link_names(actor, a: Customer, b: Customer, source: str) -> None:
    """Two records are the same company: each one's name becomes an alias of the other."""
    for one, other in ((a, b), (b, a)):
        if add_alias(actor, one, other.name, source):
            refresh_keys(one)


def _derived(customer: Customer, aliases: list[str]) -> tuple[str, list[str], set[str]]:
    """What is stored beside a customer's own fields, from the customer and its known aliases:
    (the normalised name, former names in brackets not yet among the aliases, the keys)."""
    formers = []
    for former in former_names(customer.name):
        former = former[:200]
        if former and former not in aliases and former not in formers:
            formers.append(former)
    record = {**customer.as_match_record(), "aliases": [*aliases, *formers]}
    return ((normalize_name(customer.name) or "")[:200], formers,
            {k[:120] for k in record_keys(record)})


def _store_keys(changed: list[tuple[Customer, list[str], set[str]]]) -> None:
    """Write the former-name aliases and replace the keys of `changed` customers, in bulk."""
    aliases = [{"customer_id": c.id, "name": f, "source": "former"} for c, formers, _ in changed
               for f in formers]
    if aliases:
        db.session.execute(CustomerAlias.__table__.insert(), aliases)
    db.session.execute(delete(CustomerKey).where(CustomerKey.customer_id.in_([c.id for c, _, _ in changed])))
    rows = [{"customer_id": c.id, "key": k} for c, _, keys in changed for k in sorted(keys)]
    if rows:
        db.session.execute(CustomerKey.__table__.insert(), rows)


def refresh_keys(customer: Customer) -> None:
    """Recompute the normalised name and the blocking keys (on every save); a former name in
    brackets (原…) becomes an alias."""
    db.session.flush()
    customer.name_norm, formers, keys = _derived(customer, alias_names(customer.id))
    db.session.flush()
    _store_keys([(customer, formers, keys)])


def rekey_batch(after_id: int, size: int) -> tuple[int | None, int, int]:
    """Bring the keys of up to `size` customers after id `after_id` up to the matcher's current
    rules (after a matcher change: new phone or name keys); rewrite only those whose normalised
    name, former-name aliases or keys differ, in a few statements per batch. Returns (the last id
    read, None when there are no more; how many were read; how many were rewritten)."""
    customers = list(db.session.scalars(select(Customer).where(Customer.id > after_id)
                                        .order_by(Customer.id).limit(size)))
    if not customers:
        return None, 0, 0
    ids = [c.id for c in customers]
    aliases: dict[int, list[str]] = {i: [] for i in ids}
    for customer_id, name in db.session.execute(
            select(CustomerAlias.customer_id, CustomerAlias.name)
            .where(CustomerAlias.customer_id.in_(ids)).order_by(CustomerAlias.id)):
        aliases[customer_id].append(name)
    stored: dict[int, set[str]] = {i: set() for i in ids}
    for customer_id, key in db.session.execute(
            select(CustomerKey.customer_id, CustomerKey.key).where(CustomerKey.customer_id.in_(ids))):
        stored[customer_id].add(key)
    changed = []
    for customer in customers:
        norm, formers, keys = _derived(customer, aliases[customer.id])
        if norm != customer.name_norm or formers or keys != stored[customer.id]:
            customer.name_norm = norm
            changed.append((customer, formers, keys))
    if changed:
        db.session.flush()
        _store_keys(changed)
    return ids[-1], len(ids), len(changed)


CUSTOMER_FIELDS = ("name", "uscc", "domain", "phone", "province", "city", "industry")


def clean_customer_fields(data: dict, errors: dict, prefix: str = "") -> dict:
    """Validate a customer's fields; messages go to `errors` under `prefix + field`."""
    out = {f: (data.get(f) or "").strip() for f in CUSTOMER_FIELDS}
    if not out["name"]:
        errors[prefix + "name"] = _l("Enter the customer's legal name.")
    elif len(out["name"]) > 200:
        errors[prefix + "name"] = _l("The name is too long (at most 200 characters).")
    if out["uscc"]:
        try:
            out["uscc"] = validate_uscc(out["uscc"])
        except UsccError as exc:
            errors[prefix + "uscc"] = exc.message
    out["uscc"] = out["uscc"] or None
    out["domain"] = (normalize_domain(out["domain"]) if out["domain"] else None) or None
    if out["domain"] and len(out["domain"]) > 120:
        errors[prefix + "domain"] = _l("The domain is too long.")
    # Kept as written: several numbers and an extension are read by the matcher.
    out["phone"] = " ".join(out["phone"].split()) or None
    if out["phone"] and len(out["phone"]) > 30:
        errors[prefix + "phone"] = _l("The phone number is too long.")

    for f in ("province", "city", "industry"):
        out[f] = out[f][:50]
    return out


def save_customer(actor, customer: Customer | None, data: dict, *, key_account: bool = False,
                  owner_rep_id: int | None = None, region_id: int | None = None) -> Customer:
    """Create or change a customer record owned by the actor's dealer (or head office)."""
    errors: dict = {}
    fields = clean_customer_fields(data, errors)
    if owner_rep_id is not None and not is_dealer(actor) and db.session.scalar(
            select(User.id).where(User.id == owner_rep_id, User.role == Role.SALES_REP)) is None:
        errors["owner_rep_id"] = _l("Choose one of the direct sales reps.")
    if errors:
        raise ValidationError(_l("Please correct the marked fields."), errors)
    created = customer is None
    if created:
        customer = Customer(dealer_id=actor.dealer_id if is_dealer(actor) else None,
                            created_by_id=actor.id)
        if is_dealer(actor):
            customer.region_id = actor.dealer.region_id
        else:
            customer.region_id = region_id or (actor.region_ids[0] if actor.region_ids else None)
        db.session.add(customer)
    before = {f: getattr(customer, f) for f in CUSTOMER_FIELDS} if not created else None
    for f, v in fields.items():
        setattr(customer, f, v)
    if not is_dealer(actor):
        customer.key_account = bool(key_account)
        customer.owner_rep_id = owner_rep_id
    refresh_keys(customer)
    audit.record(actor, "customer.created" if created else "customer.updated", customer,
                 before=before, after=fields)
    return customer
