"""gunicorn's settings for SimpleStore (`make serve`, the Procfile, the systemd unit and the
Dockerfile all use this file): `gunicorn -c gunicorn.conf.py app:app`.

Every value can be overridden from the environment, as gunicorn documents: WEB_CONCURRENCY
(workers), PORT or GUNICORN_BIND, GUNICORN_TIMEOUT.
"""

import multiprocessing
import os

# One sync worker per core, plus one, is gunicorn's advice for an I/O-bound app; capped so
# a large machine does not open more database connections than PostgreSQL allows.
workers = int(os.environ.get("WEB_CONCURRENCY") or min(multiprocessing.cpu_count() * 2 + 1, 12))
worker_class = "sync"
bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"

# A request that takes longer than this is stuck (the slowest real one, a CSV import, takes
# seconds); its worker is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 20
keepalive = 5

# Recycle workers now and then so a slow leak never grows without bound.
max_requests = 5000
max_requests_jitter = 500

# The app logs one JSON line per request itself (store.observability): gunicorn's access log
# would repeat it without the request id.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")

# Behind nginx or Caddy on the same host, which set X-Forwarded-For; the app's ProxyFix
# (STORE_PROXY_COUNT) decides how many hops to trust.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
