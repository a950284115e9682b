"""The job worker's entry point: `huey_consumer portal.jobs.worker.huey` (bin/run starts it).

Builds the portal from the same configuration as the web processes (create_app also
imports every job), so the worker finds the same database and queue as they do.
"""

from portal import create_app
from portal.jobs import huey  # noqa: F401 - what huey_consumer runs

app = create_app()
