"""`/admin/catalog/` — product lines, products, price lists, tier discounts, imports (admins)."""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from portal.accounts.models import TIER_LABELS, Tier
from portal.catalog import forms, imports, services
from portal.catalog.models import PriceList, PriceListItem, Product, ProductLine
from portal.core import clock
from portal.core.htmx import render_page
from portal.core.i18n import lazy_gettext as _l
from portal.core.importer import ImportRejected, template_response
from portal.core.money import fen_to_decimal
from portal.core.pagination import paginate, sort_clause
from portal.core.parse import to_id
from portal.core.permissions import Role, roles_required
from portal.core.unit_of_work import on_error, on_invalid
from portal.db import contains_any
from portal.extensions import db

bp = Blueprint("catalog", __name__, url_prefix="/admin/catalog")

#: Pages of the catalogue listed on /admin/.
ADMIN_PAGES = [("catalog.products", _l("Products")), ("catalog.lines", _l("Product lines")),
               ("catalog.price_lists", _l("Price lists")),
               ("catalog.discounts", _l("Tier discounts"))]


# --- product lines -------------------------------------------------------------------------------

@bp.route("/lines/", methods=["GET", "POST"])
@bp.route("/lines/<int:line_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def lines(line_id: int | None = None):
    line = db.get_or_404(ProductLine, line_id) if line_id else None
    form = forms.LineForm()

    def page(errors=None):
        return render_template("catalog/lines.html", lines=services.lines(), line=line,
                               errors=errors or {}, form=form.formdata or {})

    if request.method == "POST":
        on_invalid(lambda exc: page(exc.errors))
        services.save_line(current_user, line, code=form.code.data, name_zh=form.name_zh.data,
                           name_en=form.name_en.data, sort=form.sort.data or 0)
        flash(_("Product line saved."), "success")
        return redirect(url_for("catalog.lines"))
    return page()


# --- products ------------------------------------------------------------------------------------

@bp.route("/products/")
@roles_required(Role.ADMIN)
def products():
    stmt = select(Product).join(ProductLine, ProductLine.id == Product.line_id)
    q = (request.args.get("q") or "").strip()
    if q:
        stmt = stmt.where(contains_any((Product.sku, Product.name, Product.name_en), q))
    if to_id(request.args.get("line")):
        stmt = stmt.where(Product.line_id == to_id(request.args["line"]))
    stmt = stmt.order_by(*sort_clause({"sku": Product.sku, "name": Product.name,
                                       "line": ProductLine.sort}, "sku", Product.id))
    return render_page("catalog/products.html", block="results",
                       page=paginate(db.session, stmt, per_page=50), lines=services.lines())


@bp.route("/products/new", methods=["GET", "POST"])
@bp.route("/products/<int:product_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def product(product_id: int | None = None):
    obj = db.get_or_404(Product, product_id) if product_id else None

    def page(values, errors=None):
        return render_template("catalog/product.html", product=obj, values=values,
                               errors=errors or {}, lines=services.lines())

    if request.method == "POST":
        form = forms.ProductForm()
        values = form.shown()
        form.validate()
        if form.floor_price.errors:
            return page(values, {"floor_price": form.floor_price.errors[0]}), 422
        on_invalid(lambda exc: page(values, exc.errors))
        saved = services.save_product(
            current_user, obj, sku=form.sku.data, name=form.name.data,
            line_id=form.line_id.data or 0, unit=form.unit.data,
            active=bool(form.active.data), floor_price_fen=form.floor_price.data,
            name_en=form.name_en.data, unit_en=form.unit_en.data)
        flash(_("Product %(sku)s saved.", sku=saved.sku), "success")
        return redirect(url_for("catalog.product", product_id=saved.id))
    if obj:
        return page({"sku": obj.sku, "name": obj.name, "name_en": obj.name_en,
                     "line_id": str(obj.line_id), "unit": obj.unit, "unit_en": obj.unit_en,
                     "active": obj.active,
                     "floor_price": "" if obj.floor_price_fen is None
                     else str(fen_to_decimal(obj.floor_price_fen))})
    return page({"unit": "台", "active": True})


@bp.route("/products/import", methods=["POST"])
@roles_required(Role.ADMIN)
def import_products():
    on_error(ImportRejected, lambda exc: render_template(
        "catalog/import_report.html", report=exc.errors, message=exc.message,
        back=url_for("catalog.products")))
    created, updated = imports.import_products(current_user, request.files.get("file"))
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
    form = forms.PriceListForm()

    def page(errors=None, report=None):
        return render_template("catalog/price_list_new.html", errors=errors or {}, report=report,
                               form=form.formdata or {})

    if request.method == "POST":
        on_invalid(lambda exc: page(errors=exc.errors))
        on_error(ImportRejected, lambda exc: page(report=exc.errors))
        plist = imports.import_price_list(
            current_user, request.files.get("file"), name=form.name.data,
            effective_from=form.effective_from.data, effective_to=form.effective_to.data)
        flash(_("Price list “%(name)s” created.", name=plist.name), "success")
        return redirect(url_for("catalog.price_list", list_id=plist.id))
    return page()


@bp.route("/price-lists/<int:list_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def price_list(list_id: int):
    plist = db.get_or_404(PriceList, list_id)
    if request.method == "POST":
        form = forms.PriceListForm()
        on_invalid(lambda exc: _price_list_page(db.get_or_404(PriceList, list_id), exc.errors,
                                                form.formdata))
        services.update_price_list(current_user, plist, name=form.name.data,
                                   effective_from=form.effective_from.data,
                                   effective_to=form.effective_to.data)
        flash(_("Price list saved."), "success")
        return redirect(url_for("catalog.price_list", list_id=plist.id))
    return _price_list_page(plist, {}, None)


def _price_list_page(plist, errors, sent):
    stmt = (select(PriceListItem).join(Product, Product.id == PriceListItem.product_id)
            .where(PriceListItem.price_list_id == plist.id))
    q = (request.args.get("q") or "").strip()
    if q:
        stmt = stmt.where(contains_any((Product.sku, Product.name, Product.name_en), q))
    stmt = stmt.order_by(*sort_clause({"sku": Product.sku, "price": PriceListItem.list_price_fen},
                                      "sku", PriceListItem.id))
    return render_page("catalog/price_list.html", block="results", plist=plist, errors=errors,
                       form=sent if errors else None, page=paginate(db.session, stmt, per_page=50))


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
    values = {f"{tier}-{line_id}": str(Decimal(bp) / 100)
              for (tier, line_id), bp in services.discount_matrix().items()}

    def page(errors=None):
        return render_template("catalog/discounts.html", lines=all_lines, tiers=tiers,
                               tier_labels=TIER_LABELS, values=values, errors=errors or {})

    if request.method == "POST":
        form = forms.discount_matrix(tiers, all_lines)
        values = {key: text or "0" for key, text in form.texts().items()}
        errors = form.cell_errors()
        parsed = {(t.value, ln.id): form.values()[f"{t.value}-{ln.id}"] or 0
                  for t in tiers for ln in all_lines}
        if errors:
            return page(errors), 422
        on_invalid(lambda exc: page({k: str(v) for k, v in exc.errors.items()}))
        services.save_discounts(current_user, parsed)
        flash(_("Tier discounts saved."), "success")
        return redirect(url_for("catalog.discounts"))
    return page()
