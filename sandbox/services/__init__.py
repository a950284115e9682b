"""The only code that changes sandbox data; every change is logged as a SandboxEvent.

Services flush and never commit: the view (one request, one commit) does that.
Modules by concern: core (create, reset), clock (the simulated clock), events (the event
log and SandboxError), and one module per CRM area. Each imports only events, models and
the areas below it, so there is no import cycle; this package re-exports the names views
use most.
"""

from sandbox.services.clock import MAX_DAYS, advance_clock
from sandbox.services.core import get_or_create_sandbox, reset_sandbox, sandbox_of
from sandbox.services.events import SandboxError, log_event

__all__ = [
    "MAX_DAYS",
    "SandboxError",
    "advance_clock",
    "get_or_create_sandbox",
    "log_event",
    "reset_sandbox",
    "sandbox_of",
]
