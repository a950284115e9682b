"""The only code that changes sandbox data; every change is logged as a SandboxEvent.

Services flush and never commit: the view (one request, one commit) does that.
"""

from sandbox.services.core import (  # noqa: F401
    SandboxError,
    advance_clock,
    get_or_create_sandbox,
    log_event,
    reset_sandbox,
    sandbox_of,
)
