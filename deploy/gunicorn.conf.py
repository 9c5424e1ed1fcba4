"""gunicorn settings for the API in production: `gunicorn -c deploy/gunicorn.conf.py`.

Threads with keep-alive (phones on weak networks reuse their connection; a slow upload
holds one thread, not a process), several processes per machine, recycled now and then.
Prometheus' multiprocess mode so that /metrics adds up every process's requests.
"""
import os
import shutil
import tempfile

wsgi_app = "backend:create_app()"
bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str(max(2, (os.cpu_count() or 1)))))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))  # longer than the proxy's upstream keep-alive
timeout = 60
graceful_timeout = 30
max_requests = 5000
max_requests_jitter = 500
# The reverse proxy sets X-Forwarded-*; trust it only from where it runs.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None        # the app logs every request as JSON, with its request id
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()

# Each process writes its metrics here; the directory is emptied at every start.
_metrics_dir = os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR",
                                     os.path.join(tempfile.gettempdir(), "xuncha-metrics"))


def on_starting(server):
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    os.makedirs(_metrics_dir, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess
    multiprocess.mark_process_dead(worker.pid)
