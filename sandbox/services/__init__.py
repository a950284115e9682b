"""What a learner does in the sandbox CRM; every change is logged as a SandboxEvent.

Sandbox pages change data only through these services. Two other places write sandbox
rows, without events: sandbox.fill (the data a sandbox starts with, on creation and
reset) and sandbox.scenarios (an exercise's setup records). Services flush and never
commit: the view (one request, one commit) does that.

Modules by concern: core (create, reset), clock (the simulated clock, which runs the
automations), events (the event log and SandboxError, importing no other service), locks
(`lock_sandbox`, which every write takes first; it imports no other service), and one
module per CRM area (conversion: a lead into an account and contact). Imports run one
way (core -> clock -> automations -> events; conversion -> leads;
leads and tickets -> activities -> events), so there is no import cycle. This package
re-exports the names views use most.
"""

from sandbox.services.clock import MAX_DAYS, advance_clock
from sandbox.services.core import get_or_create_sandbox, reset_sandbox, sandbox_of
from sandbox.services.events import SandboxError, log_event
from sandbox.services.locks import lock_sandbox

__all__ = [
    "MAX_DAYS",
    "SandboxError",
    "advance_clock",
    "get_or_create_sandbox",
    "lock_sandbox",
    "log_event",
    "reset_sandbox",
    "sandbox_of",
]
