"""Gunicorn settings for serving the portal: `gunicorn -c gunicorn.conf.py "portal:create_app()"`.

Each setting can be changed through the environment named beside it; gunicorn's own
command-line options override this file.
"""

import os

# Two processes of four threads each suit a small machine; raise WEB_CONCURRENCY with cores.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("PORTAL_THREADS", "4"))

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

accesslog = "-"  # one line per request on standard output
errorlog = "-"
