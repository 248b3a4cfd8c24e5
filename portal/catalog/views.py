"""`/admin/catalog/` — product lines, products, price lists, tier discounts, imports (admins)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from portal.accounts.models import TIER_LABELS, Tier
from portal.catalog import imports, services
from portal.catalog.models import PriceList, PriceListItem, Product, ProductLine
from portal.core import clock
from portal.core.errors import ValidationError
from portal.core.i18n import lazy_gettext as _l
from portal.core.importer import ImportRejected, template_response
from portal.core.money import MoneyError, fen_to_decimal, parse_percent, parse_yuan
from portal.core.pagination import paginate, sort_clause
from portal.core.parse import to_id, to_int
from portal.core.permissions import Role, roles_required
from portal.extensions import db

bp = Blueprint("catalog", __name__, url_prefix="/admin/catalog")

#: Pages of the catalogue listed on /admin/.
ADMIN_PAGES = [("catalog.products", _l("Products")), ("catalog.lines", _l("Product lines")),
               ("catalog.price_lists", _l("Price lists")),
               ("catalog.discounts", _l("Tier discounts"))]


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value and value.strip() else None
    except ValueError:
        return None


# --- product lines -------------------------------------------------------------------------------

@bp.route("/lines/", methods=["GET", "POST"])
@bp.route("/lines/<int:line_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def lines(line_id: int | None = None):
    line = db.get_or_404(ProductLine, line_id) if line_id else None
    errors, status = {}, 200
    if request.method == "POST":
        f = request.form
        sort = f.get("sort", "0").strip()
        try:
            services.save_line(current_user, line, code=f.get("code", ""), name_zh=f.get("name_zh", ""),
                               name_en=f.get("name_en", ""), sort=to_int(sort, -10**6, 10**6) or 0)
        except ValidationError as exc:
            errors, status = exc.errors, 422
        else:
            db.session.commit()
            flash(_("Product line saved."), "success")
            return redirect(url_for("catalog.lines"))
    return render_template("catalog/lines.html", lines=services.lines(), line=line,
                           errors=errors, form=request.form), status


# --- products ------------------------------------------------------------------------------------

@bp.route("/products/")
@roles_required(Role.ADMIN)
def products():
    stmt = select(Product).join(ProductLine, ProductLine.id == Product.line_id)
    q = (request.args.get("q") or "").strip()
    if q:
        stmt = stmt.where(or_(Product.sku.ilike(f"%{q}%"), Product.name.ilike(f"%{q}%")))
    if to_id(request.args.get("line")):
        stmt = stmt.where(Product.line_id == to_id(request.args["line"]))
    stmt = stmt.order_by(sort_clause({"sku": Product.sku, "name": Product.name,
                                      "line": ProductLine.sort}, "sku"), Product.id)
    return render_template("catalog/products.html", page=paginate(db.session, stmt, per_page=50),
                           lines=services.lines())


@bp.route("/products/new", methods=["GET", "POST"])
@bp.route("/products/<int:product_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def product(product_id: int | None = None):
    obj = db.get_or_404(Product, product_id) if product_id else None
    errors, status = {}, 200
    if request.method == "POST":
        f = request.form
        floor = None
        raw_floor = (f.get("floor_price") or "").strip()
        if raw_floor:
            try:
                floor = parse_yuan(raw_floor)
            except MoneyError:
                errors["floor_price"] = _("Enter an amount in yuan, e.g. 12800.00.")
        line_id = f.get("line_id", "")
        if not errors:
            try:
                obj = services.save_product(
                    current_user, obj, sku=f.get("sku", ""), name=f.get("name", ""),
                    line_id=to_id(line_id) or 0, unit=f.get("unit", ""),
                    active=bool(f.get("active")), floor_price_fen=floor)
            except ValidationError as exc:
                errors = exc.errors
            else:
                db.session.commit()
                flash(_("Product %(sku)s saved.", sku=obj.sku), "success")
                return redirect(url_for("catalog.product", product_id=obj.id))
        status = 422
        values = dict(f)
        values["active"] = bool(f.get("active"))
    elif obj:
        values = {"sku": obj.sku, "name": obj.name, "line_id": str(obj.line_id), "unit": obj.unit,
                  "active": obj.active, "floor_price": "" if obj.floor_price_fen is None
                  else str(fen_to_decimal(obj.floor_price_fen))}
    else:
        values = {"unit": "台", "active": True}
    return render_template("catalog/product.html", product=obj, values=values, errors=errors,
                           lines=services.lines()), status


@bp.route("/products/import", methods=["POST"])
@roles_required(Role.ADMIN)
def import_products():
    try:
        created, updated = imports.import_products(current_user, request.files.get("file"))
    except ImportRejected as exc:
        db.session.rollback()
        return render_template("catalog/import_report.html", report=exc.errors,
                               message=exc.message, back=url_for("catalog.products")), 422
    db.session.commit()
    flash(_("Imported: %(created)d new products, %(updated)d updated.",
            created=created, updated=updated), "success")
    return redirect(url_for("catalog.products"))


@bp.route("/products/template.<fmt>")
@roles_required(Role.ADMIN)
def product_template(fmt: str):
    return template_response(imports.product_spec(), fmt, "products-template",
                             imports.PRODUCT_EXAMPLES)


# --- price lists ---------------------------------------------------------------------------------

@bp.route("/price-lists/")
@roles_required(Role.ADMIN)
def price_lists():
    counts = dict(db.session.execute(select(PriceListItem.price_list_id, func.count())
                                     .group_by(PriceListItem.price_list_id)).all())
    lists = list(db.session.scalars(select(PriceList).order_by(PriceList.effective_from.desc())))
    today = clock.today()
    in_force = services.price_list_in_force(today)
    return render_template("catalog/price_lists.html", lists=lists, counts=counts,
                           in_force=in_force, today=today)


@bp.route("/price-lists/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def price_list_new():
    errors, report, status = {}, None, 200
    if request.method == "POST":
        f = request.form
        try:
            plist = imports.import_price_list(
                current_user, request.files.get("file"), name=f.get("name", ""),
                effective_from=_date(f.get("effective_from")), effective_to=_date(f.get("effective_to")))
        except ImportRejected as exc:
            db.session.rollback()
            report, status = exc.errors, 422
        except ValidationError as exc:
            db.session.rollback()
            errors, status = exc.errors, 422
        else:
            db.session.commit()
            flash(_("Price list “%(name)s” created.", name=plist.name), "success")
            return redirect(url_for("catalog.price_list", list_id=plist.id))
    return render_template("catalog/price_list_new.html", errors=errors, report=report,
                           form=request.form), status


@bp.route("/price-lists/<int:list_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def price_list(list_id: int):
    plist = db.get_or_404(PriceList, list_id)
    errors, status = {}, 200
    if request.method == "POST":
        f = request.form
        try:
            services.update_price_list(current_user, plist, name=f.get("name", ""),
                                       effective_from=_date(f.get("effective_from")),
                                       effective_to=_date(f.get("effective_to")))
        except ValidationError as exc:
            db.session.rollback()
            plist = db.get_or_404(PriceList, list_id)
            errors, status = exc.errors, 422
        else:
            db.session.commit()
            flash(_("Price list saved."), "success")
            return redirect(url_for("catalog.price_list", list_id=plist.id))
    stmt = (select(PriceListItem).join(Product, Product.id == PriceListItem.product_id)
            .where(PriceListItem.price_list_id == plist.id))
    q = (request.args.get("q") or "").strip()
    if q:
        stmt = stmt.where(or_(Product.sku.ilike(f"%{q}%"), Product.name.ilike(f"%{q}%")))
    stmt = stmt.order_by(sort_clause({"sku": Product.sku, "price": PriceListItem.list_price_fen},
                                     "sku"))
    return render_template("catalog/price_list.html", plist=plist, errors=errors,
                           form=request.form if errors else None,
                           page=paginate(db.session, stmt, per_page=50)), status


@bp.route("/price-lists/template.<fmt>")
@roles_required(Role.ADMIN)
def price_list_template(fmt: str):
    return template_response(imports.price_list_spec(), fmt, "price-list-template",
                             imports.PRICE_LIST_EXAMPLES)


# --- tier discounts ------------------------------------------------------------------------------

@bp.route("/discounts", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def discounts():
    all_lines = services.lines()
    tiers = list(Tier)
    errors, status = {}, 200
    values = {f"{tier}-{line_id}": str(Decimal(bp) / 100)
              for (tier, line_id), bp in services.discount_matrix().items()}
    if request.method == "POST":
        parsed = {}
        for t in tiers:
            for ln in all_lines:
                key = f"{t.value}-{ln.id}"
                raw = (request.form.get(key) or "0").strip() or "0"
                values[key] = raw
                try:
                    parsed[(t.value, ln.id)] = parse_percent(raw)
                except MoneyError:
                    errors[key] = _("Enter a percentage with at most two decimals.")
        if not errors:
            try:
                services.save_discounts(current_user, parsed)
            except ValidationError as exc:
                errors = {k: str(v) for k, v in exc.errors.items()}
            else:
                db.session.commit()
                flash(_("Tier discounts saved."), "success")
                return redirect(url_for("catalog.discounts"))
        status = 422
    return render_template("catalog/discounts.html", lines=all_lines, tiers=tiers,
                           tier_labels=TIER_LABELS, values=values, errors=errors), status
