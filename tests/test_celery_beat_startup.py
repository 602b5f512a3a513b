"""T13: `celery beat` starts on a fresh checkout in production mode (DATABASE_URL and REDIS_URL set).

The source is copied to an empty folder (no var/, as after `git clone`) and beat runs there for real, against
a private redis-server, until it has written its schedule; it is then stopped by its own process id.
"""

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
PROD_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "prod-like-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789",
    "ALLOWED_HOSTS": "organizer.example.com",
    # Beat never opens the database, but production mode has DATABASE_URL set (no embedded server started).
    "DATABASE_URL": os.environ.get("DATABASE_URL") or "postgres://organizer@127.0.0.1:5432/organizer_pm",
}


def _die_with_parent() -> None:
    """preexec_fn: SIGKILL the child if the test process dies, so nothing started here outlives the run."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _fresh_checkout(target: Path) -> Path:
    """What a clone holds that the processes import: manage.py and every top-level Python package."""
    base = Path(settings.BASE_DIR)
    target.mkdir()
    shutil.copy2(base / "manage.py", target / "manage.py")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in base.iterdir():
        if package.name != "tests" and (package / "__init__.py").is_file():
            shutil.copytree(package, target / package.name, ignore=ignore)
    assert not (target / "var").exists()
    return target


@pytest.fixture
def private_redis(tmp_path):
    """Beat publishes its first ticks at once: they go to a Redis of this test's own, never the shared one."""
    if not Path(REDIS_SERVER).exists():
        pytest.skip(f"needs redis-server ({REDIS_SERVER} not found)")
    port = _free_port()
    server = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        _stop(server)


def _run_beat(checkout: Path, env: dict[str, str], schedule_dir: Path) -> tuple[bool, str]:
    """Start beat, wait (bounded) for its schedule file, stop it. Returns (schedule written while running, log)."""
    log_path = checkout.parent / "beat.log"
    with log_path.open("wb") as log:
        beat = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "organizer_pm", "beat", "-l", "info"],
            cwd=checkout, env=env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            written = False
            while time.monotonic() < deadline and beat.poll() is None:
                if schedule_dir.is_dir() and any(schedule_dir.glob("celery-beat-schedule*")):
                    time.sleep(1)  # a crash right after opening the file would still show
                    written = beat.poll() is None
                    break
                time.sleep(0.2)
        finally:
            _stop(beat)
    return written, log_path.read_text(errors="replace")


def test_T13_celery_beat_starts_on_a_fresh_checkout_in_production_mode(tmp_path, private_redis):
    checkout = _fresh_checkout(tmp_path / "clone")
    env = {**os.environ, **PROD_ENV, "REDIS_URL": private_redis}
    env.pop("CELERY_BEAT_SCHEDULE_FILENAME", None)
    written, log = _run_beat(checkout, env, checkout / "var")
    assert written, f"beat did not keep running with its schedule in var/:\n{log[-3000:]}"
    assert "Traceback" not in log and "Error" not in log, log[-3000:]


def test_T13_the_schedule_path_is_a_setting_and_its_folder_is_made(tmp_path, private_redis):
    checkout = _fresh_checkout(tmp_path / "clone")
    schedule_dir = tmp_path / "state" / "beat"  # does not exist yet
    env = {**os.environ, **PROD_ENV, "REDIS_URL": private_redis}
    env["CELERY_BEAT_SCHEDULE_FILENAME"] = str(schedule_dir / "celery-beat-schedule")
    written, log = _run_beat(checkout, env, schedule_dir)
    assert written, f"beat did not write its schedule where the setting says:\n{log[-3000:]}"
    assert not (checkout / "var").exists()  # nothing else needed var/ in this run
