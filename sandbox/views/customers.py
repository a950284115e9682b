"""Customers: live search and filters, a profile with everything about one customer, and
creating and editing people and companies (with their marketing consent)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.arguments import parse_id
from portal.domain import transaction
from portal.extensions import db
from portal.rendering import render, render_form
from sandbox import queries
from sandbox.forms import ActivityForm
from sandbox.forms.customers import CustomerForm
from sandbox.models import TIERS, Customer, get_in_sandbox
from sandbox.remembered import list_filters
from sandbox.rows import customer_rows
from sandbox.services import customers as customer_services
from sandbox.views.base import bp, load_or_404, my_sandbox, page_number
from sandbox.vocabulary import choices


@bp.get("/customers")
def customer_list():
    """Search by name, company, email or loyalty card; filter by tier, city, open ticket,
    whose open work, customer since (remembered)."""
    sandbox = my_sandbox()
    staff = queries.colleagues(sandbox)
    ids = {c.id for c in staff}
    filters = list_filters("customers", lambda args: queries.CustomerFilters.from_args(args, ids))
    page = queries.customers(sandbox, filters, page_number())
    cities = queries.cities(sandbox)
    return render(
        "sandbox/customers.html",
        "sandbox/_customer_rows.html",
        sandbox=sandbox,
        page=page,
        rows=customer_rows(page.items),
        filters=filters,
        tiers=choices("tier", TIERS),
        cities=cities,
        staff=staff,
    )


def customer_page(sandbox, customer: Customer, *, status: int = 200, form=None):
    """The profile page; a failed activity form comes back with its errors (422)."""
    profile = queries.customer_profile(sandbox, customer)
    return render(
        "sandbox/customer.html",
        status=status,
        sandbox=sandbox,
        profile=profile,
        customer=customer,
        note_form=form or ActivityForm(formdata=None),
    )


@bp.get("/customers/<int:customer_id>")
def customer_detail(customer_id: int):
    """Profile, purchase history and lifetime value, tickets, deals, timeline."""
    sandbox = my_sandbox()
    return customer_page(sandbox, load_or_404(Customer, customer_id, sandbox))


def _company_choices(sandbox, form: CustomerForm) -> None:
    """The sandbox's company accounts, by name, for "works for"."""
    companies = db.session.execute(
        select(Customer.id, Customer.company)
        .where(Customer.sandbox_id == sandbox.id, Customer.is_company.is_(True))
        .order_by(Customer.company, Customer.id)
    ).all()
    form.company_id.choices = [("", _("None (buys for themselves)"))] + [
        (c.id, c.company) for c in companies
    ]


def _customer_data(form: CustomerForm) -> customer_services.CustomerData:
    names = customer_services.CustomerData.__dataclass_fields__
    return customer_services.CustomerData(**{name: form[name].data for name in names})


def _save_customer(sandbox, form: CustomerForm, customer: Customer | None, is_company: bool):
    """Create or update from a valid form; the saved customer, or None when it goes back."""
    if not form.validate_on_submit():
        return None
    with transaction(form) as saved:
        data = _customer_data(form)
        if customer is None:
            customer = customer_services.create_customer(
                sandbox, current_user, data, is_company=is_company
            )
        else:
            customer = customer_services.update_customer(sandbox, current_user, customer, data)
    return customer if saved else None


def _customer_form_page(sandbox, form: CustomerForm, customer: Customer | None, is_company):
    _company_choices(sandbox, form)
    saved = _save_customer(sandbox, form, customer, is_company)
    if saved is not None:
        if customer is None:
            flash(_("%(name)s added.", name=saved.name), "success")
        else:
            flash(_("%(name)s saved.", name=saved.name), "success")
        return redirect(url_for("sandbox.customer_detail", customer_id=saved.id))
    return render_form(
        "sandbox/customer_form.html",
        form,
        sandbox=sandbox,
        customer=customer,
        is_company=is_company,
    )


@bp.route("/customers/new", methods=["GET", "POST"])
def customer_new():
    """A new person (?company= adds them to a company account) or, ?kind=company, company."""
    sandbox = my_sandbox()
    form = CustomerForm()
    if not form.is_submitted():
        employer = get_in_sandbox(Customer, parse_id(request.args.get("company")), sandbox)
        form.company_id.data = employer.id if employer and employer.is_company else None
    return _customer_form_page(sandbox, form, None, request.args.get("kind") == "company")


@bp.route("/customers/<int:customer_id>/edit", methods=["GET", "POST"])
def customer_edit(customer_id: int):
    """Correct or complete a customer's details, tier, employer and consent."""
    sandbox = my_sandbox()
    customer = load_or_404(Customer, customer_id, sandbox)
    return _customer_form_page(sandbox, CustomerForm(obj=customer), customer, customer.is_company)
