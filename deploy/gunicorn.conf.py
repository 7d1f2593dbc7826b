"""gunicorn settings for `deploy/ims web`, read from the environment like the app's own settings."""

import os

bind = os.environ.get("IMS_BIND", "0.0.0.0:8000")
# Sync workers: the app is CPU- and database-bound; two per core keeps one busy while another waits.
workers = int(os.environ.get("IMS_WEB_PROCESSES", 2 * len(os.sched_getaffinity(0))))
timeout = int(os.environ.get("IMS_WEB_TIMEOUT", 60))  # a PDF rendered on demand takes a few seconds
graceful_timeout = 30
# Recycle workers now and then, so slow leaks (fonts, matplotlib caches) never build up.
max_requests = 2000
max_requests_jitter = 200
# Heartbeat files in memory: the container's root filesystem is read-only.
worker_tmp_dir = os.environ.get("IMS_WEB_TMP_DIR", "/dev/shm")
# The TLS proxy (Caddy in compose.yaml) is the only client allowed to set X-Forwarded-*.
forwarded_allow_ips = os.environ.get("IMS_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Requests are logged by the app itself (IMS_LOG_REQUESTS), once, with the user and the duration.
accesslog = None
errorlog = "-"
