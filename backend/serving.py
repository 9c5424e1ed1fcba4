"""Serving the demo with a production server: gunicorn, keep-alive, threads.

Embedded mode: one gunicorn worker process with threads, since the data (mongomock) and the
job runner live in that process. The app is built and the demo loaded in the master
before the fork (so the banner comes before the first request), and the job runner's
threads start in the worker.

With MONGODB_URI: the same demo on that database (its own name, `xuncha_demo` unless
MONGODB_DB says otherwise; loaded once), and forking RQ workers beside the API (routing
on its own, the other queues together, and `rq cron`), stopped when the API stops.
"""
import logging
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

from gunicorn.app.base import BaseApplication

ROOT = Path(__file__).resolve().parents[1]


class _Gunicorn(BaseApplication):
    def __init__(self, app, options: dict):
        self.application, self.options = app, options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def serve(app, host: str, port: int, threads: int = 8, post_worker_init=None) -> None:
    """Serve `app` (already built) in one gunicorn worker with threads and keep-alive."""
    options = {"bind": f"{host}:{port}", "workers": 1, "worker_class": "gthread", "threads": threads,
               "keepalive": 75, "timeout": 120, "graceful_timeout": 10, "preload_app": True,
               "accesslog": None, "errorlog": "-", "loglevel": "warning"}
    if post_worker_init:
        options["post_worker_init"] = lambda worker: post_worker_init()
    _Gunicorn(app, options).run()


def demo_secret_key_file() -> Path:
    """The demo on MongoDB keeps its token key beside the checkout (var/, not in git), so
    tokens survive a restart; production sets SECRET_KEY or SECRET_KEY_FILE itself."""
    path = ROOT / "var" / "demo-secret-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path


class Workers:
    """Forking RQ workers and the cron scheduler as child processes of the demo."""

    GROUPS = ((["routing"], "workers.runtime.RoutingWorker"),
              (["notifications", "media", "exports", "default"], "workers.runtime.AppWorker"))

    def __init__(self, environ: dict):
        self.environ, self.processes = environ, []

    def start(self) -> None:
        rq = [sys.executable, "-m", "rq.cli"]
        url = self.environ["REDIS_URL"]
        for queues, worker_class in self.GROUPS:
            self.processes.append(subprocess.Popen(
                [*rq, "worker", "-w", worker_class, "--with-scheduler", "--url", url, *queues],
                env=self.environ, cwd=ROOT))
        self.processes.append(subprocess.Popen([*rq, "cron", "workers.cron", "--url", url],
                                               env=self.environ, cwd=ROOT))

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)  # warm shutdown: the current job finishes
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


def demo_environment() -> dict:
    """The environment of the demo on MongoDB: its own database name and a kept key."""
    environ = dict(os.environ)
    environ.setdefault("MONGODB_DB", "xuncha_demo")
    if not environ.get("SECRET_KEY") and not environ.get("SECRET_KEY_FILE"):
        environ["SECRET_KEY_FILE"] = str(demo_secret_key_file())
    return environ


BANNER_EMBEDDED_LINES = (
    "The data lives only in this process's memory.",
    "Stopping the demo deletes every finding, ticket and photo, and tokens from before",
    "stop working: a phone that was told 201 has already dropped the item from its queue.",
    "To keep the data, run the demo on MongoDB and Redis:",
    "  MONGODB_URI=mongodb://127.0.0.1:27017 REDIS_URL=redis://127.0.0.1:6379/0 make demo",
)


def banner(lines=BANNER_EMBEDDED_LINES) -> str:
    width = max(len(line) for line in lines) + 2
    return "\n".join(["  ┌" + "─" * width + "┐", *(f"  │ {line:<{width - 2}} │" for line in lines),
                      "  └" + "─" * width + "┘"])


def run_demo(host: str = "127.0.0.1", port: int | None = None) -> None:
    """`make demo`: build the app, load the demo county (once on MongoDB), start the jobs
    (threads in the embedded worker, forking workers beside it on MongoDB) and serve."""
    import click

    embedded = not os.environ.get("MONGODB_URI") and not os.environ.get("MONGODB_URI_FILE")
    environ = None if embedded else demo_environment()
    if environ:
        os.environ.update(environ)
    from backend import create_app
    from backend.cli import print_accounts
    from backend.services import demo

    app = create_app()
    password = app.config["DEMO_PASSWORD"]
    with app.app_context():
        if embedded or not demo.loaded():
            print_accounts(demo.load(password), password)
        else:
            click.echo(f"The demo county is already in database {app.config['MONGODB_DB']!r}: not loaded again "
                       "(its accounts keep their passwords).")
    port = port or int(os.environ.get("PORT", "5000"))
    click.echo(f"API on http://{host}:{port}/api/v1  ·  docs http://{host}:{port}/docs  ·  "
               f"health http://{host}:{port}/readyz")
    with app.app_context():
        click.echo(f"码上巡视 (a village's QR code opens): {demo.village_qr_url(f'http://{host}:{port}')}")
    workers = None
    if embedded:
        click.echo(banner())
        logging.getLogger("rq").setLevel(logging.WARNING)  # its scheduler's lock messages

        def start_jobs():
            from workers.runtime import start_in_process
            start_in_process(app)
        click.echo("Background jobs run in the server process"
                   + (f" on Redis {app.config['REDIS_URL']}." if app.config["REDIS_URL"] else " (in-memory queue)."))
        serve(app, host, port, post_worker_init=start_jobs)
        return
    click.echo(f"Data in MongoDB database {app.config['MONGODB_DB']!r}: it stays after the demo stops. "
               "Forking RQ workers (routing; notifications, media, exports, default) and rq cron run beside the API.")
    workers = Workers(environ)
    workers.start()
    try:
        serve(app, host, port)
    finally:
        workers.stop()


if __name__ == "__main__":
    run_demo()
