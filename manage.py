#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "organizer_pm.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    # Django's command runner swallows settings errors and later fails with "Models aren't loaded yet":
    # say what is wrong instead (usually SECRET_KEY missing with DEBUG off).
    try:
        settings.INSTALLED_APPS  # noqa: B018 - loads the settings module
    except ImproperlyConfigured as exc:
        sys.exit(f"organizer_pm: {exc} For development, run the command with DEBUG=1.")

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
