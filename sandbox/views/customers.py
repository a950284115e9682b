"""Customers: live search and filters, and a profile with everything about one customer."""

from __future__ import annotations

from portal.rendering import render
from sandbox import queries
from sandbox.forms import ActivityForm
from sandbox.models import TIERS, Customer
from sandbox.remembered import list_filters
from sandbox.views.base import bp, load_or_404, my_sandbox, page_number


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
        filters=filters,
        tiers=TIERS,
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
