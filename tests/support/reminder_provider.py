"""A fake SMS/email provider whose state lives in files, so the test process and separate worker processes (even
ones killed with SIGKILL) share it. The folder is `settings.REMINDER_PROVIDER_DIR`.

- Every call leaves a file in calls/ (tries, duplicates included).
- A message is delivered at most once per idempotency key: deliveries/<key> is created with O_EXCL. This is the
  provider-side dedupe that turns at-least-once sending into exactly-once delivery in effect.

Faults are scripted by files in the folder:
- fail_next: holds N; the next N calls raise ProviderTransientError before accepting anything.
- hang_before / hang_after: the next call (exactly one: it claims the file by renaming it) writes hung-<pid> and
  hangs before / after accepting its message until the test kills its process. A deterministic kill point.
- crash: every call SIGKILLs its own process before accepting (a poison message).
- crash_after_accept: every call accepts, then raises SimulatedCrash, a BaseException that nothing in the app
  catches (an in-process stand-in for dying between "provider accepted" and "marked sent").
"""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

HANG_LIMIT_S = 60  # a hung call that nobody kills gives up, so a broken test cannot hang forever


class ProviderTransientError(Exception):
    """The provider said "try again later"."""


class SimulatedCrash(BaseException):
    """Stands for the process dying right after the provider accepted the message."""


def folder() -> Path:
    return Path(settings.REMINDER_PROVIDER_DIR)


def prepare(path: Path) -> Path:
    for sub in ("calls", "deliveries"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    return path


def calls(path: Path) -> list[dict[str, str]]:
    return [json.loads(p.read_text()) for p in sorted((path / "calls").iterdir())]


def deliveries(path: Path) -> dict[str, dict[str, str]]:
    return {p.name: json.loads(p.read_text()) for p in (path / "deliveries").iterdir()}


def hung_pids(path: Path) -> list[int]:
    return [int(p.name.removeprefix("hung-")) for p in path.glob("hung-*")]


def _take(path: Path) -> Path | None:
    """Claim a one-shot fault file; exactly one caller across all processes wins and gets the renamed file."""
    taken = path.with_name(f"{path.name}.taken-{os.getpid()}-{uuid.uuid4().hex}")
    try:
        path.rename(taken)
    except FileNotFoundError:
        return None
    return taken


def _fail_now(path: Path) -> bool:
    counter = path / "fail_next"
    taken = _take(counter)
    if taken is None:
        return False
    left = int(taken.read_text() or 0)
    taken.unlink()
    if left <= 0:
        return False
    if left > 1:
        counter.write_text(str(left - 1))
    return True


def _hang_due(path: Path, name: str) -> bool:
    fault = path / name
    try:
        nth = int(fault.read_text() or 0)
    except FileNotFoundError:
        return False
    return len(list((path / "calls").iterdir())) >= nth and _take(fault) is not None


def _hang(path: Path) -> None:
    (path / f"hung-{os.getpid()}").write_text(str(os.getpid()))
    deadline = time.monotonic() + HANG_LIMIT_S
    while time.monotonic() < deadline:
        time.sleep(0.05)
    raise RuntimeError("hung provider call was not killed")


def accept(*, channel: str, to: str, body: str, idempotency_key: str) -> str:
    path = prepare(folder())
    record = {"channel": channel, "to": to, "body": body, "idempotency_key": idempotency_key, "pid": str(os.getpid())}
    (path / "calls" / f"{time.time_ns()}-{uuid.uuid4().hex}").write_text(json.dumps(record))
    if (path / "crash").exists():
        os.kill(os.getpid(), signal.SIGKILL)
    if _fail_now(path):
        raise ProviderTransientError("503 try again later")
    if _hang_due(path, "hang_before"):
        _hang(path)
    try:
        fd = os.open(path / "deliveries" / idempotency_key, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    except FileExistsError:
        pass  # a duplicate: accepted again, delivered once
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(json.dumps(record))
    if _hang_due(path, "hang_after"):
        _hang(path)
    if (path / "crash_after_accept").exists():
        raise SimulatedCrash(idempotency_key)
    return f"file-{idempotency_key}"


class FileSmsBackend:
    def send(self, *, to: str, body: str, idempotency_key: str) -> str:
        return accept(channel="sms", to=to, body=body, idempotency_key=idempotency_key)


class FileEmailBackend(BaseEmailBackend):
    """Deduplicates on the Idempotency-Key header, as an email API with idempotency support does."""

    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        for message in email_messages:
            key = message.extra_headers.get("Idempotency-Key") or uuid.uuid4().hex
            accept(channel="email", to=",".join(message.to), body=message.subject, idempotency_key=key)
        return len(email_messages)
