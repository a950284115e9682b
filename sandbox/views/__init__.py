"""Sandbox pages, driven by htmx. Every page works on the signed-in user's own sandbox.

The blueprint and the access rule every page shares live in `sandbox.views.base`; each
module here adds its pages to it.
"""

# Each module adds its pages to the blueprint defined in base.
from sandbox.views import (  # noqa: F401
    activities,
    automations,
    clock,
    customers,
    duplicates,
    home,
    imports,
    leads,
    opportunities,
    reports,
    tickets,
)
from sandbox.views.base import bp

__all__ = ["bp"]
