"""Settings for a real `celery -A organizer_pm worker` started by tests/operations/tasks/test_reminders_worker.py.

The project's settings, plus only what the test needs: the test database (whatever server the test run uses:
DATABASE_URL in CI, the embedded server locally), the test's own Redis, the file-backed fake provider, and the
fast-recovery transport options of docs/specs/security.md (visibility timeout 5 s, restore sweep every second), and
optionally fewer tries before giving up (each poison try costs a pool-child restart of about 5 s).
"""

import os

from organizer_pm.settings import *  # noqa: F403
from organizer_pm.settings import DATABASES, REMINDER_MAX_ATTEMPTS

DATABASES["default"]["NAME"] = os.environ["REMINDER_TEST_DB_NAME"]
CELERY_BROKER_URL = os.environ["REMINDER_BROKER_URL"]
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 5,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
    "socket_timeout": 5,
    "socket_connect_timeout": 5,
}
CELERY_RESULT_BACKEND = None
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SMS_BACKEND = "tests.support.reminder_provider.FileSmsBackend"
EMAIL_BACKEND = "tests.support.reminder_provider.FileEmailBackend"
REMINDER_PROVIDER_DIR = os.environ["REMINDER_PROVIDER_DIR"]
REMINDER_MAX_ATTEMPTS = int(os.environ.get("REMINDER_TEST_MAX_ATTEMPTS") or REMINDER_MAX_ATTEMPTS)
