"""Gunicorn settings for serving the portal: `gunicorn -c gunicorn.conf.py "portal:create_app()"`.

Each setting can be changed through the environment named beside it; gunicorn's own
command-line options override this file.
"""

import os

# One process per core (at least two, so one can restart while the other serves): pages
# are Python, so a process's threads take turns on one core. Eight threads a process, so
# that sign-ins waiting for a password check (LOGIN_HASH_CONCURRENCY and LOGIN_HASH_QUEUE,
# four at most) leave threads for every other page.
_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, _cores or 1)))
threads = int(os.environ.get("PORTAL_THREADS", "8"))

# Keep idle connections open longer than the proxy in front does (60 s for the common load
# balancers), so the proxy never reuses a connection the portal has just closed. Gunicorn's
# own default of 2 s cut idle browser connections under load.
keepalive = int(os.environ.get("PORTAL_KEEPALIVE", "65"))
timeout = int(os.environ.get("PORTAL_WORKER_TIMEOUT", "30"))

# Gunicorn 27 opens one control socket per machine user (~/.gunicorn/gunicorn.ctl): a second
# gunicorn on the same machine would take the first one's. The portal does not use it.
control_socket_disable = True

# Gunicorn reads X-Forwarded-Proto only from these addresses. The portal itself trusts as
# many proxies as PORTAL_TRUSTED_PROXIES says (werkzeug's ProxyFix); with none, gunicorn
# trusts no one either, so a visitor cannot claim HTTPS or another address.
_proxies = int(os.environ.get("PORTAL_TRUSTED_PROXIES", "0") or 0)
forwarded_allow_ips = os.environ.get("PORTAL_FORWARDED_ALLOW_IPS", "*" if _proxies > 0 else "")

accesslog = "-"  # one line per request on standard output, ending with its milliseconds
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
errorlog = "-"
