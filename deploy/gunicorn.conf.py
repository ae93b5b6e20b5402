"""gunicorn settings for Stafettlogg (used by deploy/systemd/stafettlogg.service).

Workers open their database connections per request, never before the fork, so the
master may preload nothing. Bind to localhost: nginx in front terminates TLS."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
worker_class = "sync"
timeout = 60  # a PDF of a long log takes a while; nginx waits as long (proxy_read_timeout)
graceful_timeout = 25  # a stop lets running requests finish; systemd kills after TimeoutStopSec=30
keepalive = 5
max_requests = 2000  # recycle workers now and then
max_requests_jitter = 200
accesslog = "-"  # to the journal
# Without query strings or the referring page (which carries its query): a search for a
# child's name or a list's cursor must not end up in the journal (SECURITY.md "Audit").
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)s'
errorlog = "-"
# Client address and scheme come from nginx's X-Forwarded-* headers through the app's
# TRUSTED_PROXIES setting (ProxyFix), not through gunicorn's own forwarded_allow_ips.
forwarded_allow_ips = ""
