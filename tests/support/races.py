"""Run calls at the same moment in threads, each with its own database connection (real races on PostgreSQL)."""

import threading

from django.core.exceptions import ValidationError
from django.db import connection


def run_together(*calls):
    """Start the calls in threads released by one barrier; each thread has its own DB connection."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            call()
            results[index] = "ok"
        except ValidationError as exc:
            results[index] = exc.code
        except Exception as exc:  # noqa: BLE001 - a 500 in the app; the assertion shows it
            results[index] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results
