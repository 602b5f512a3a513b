"""Helpers every app's services share for writing rows (accounts is the base layer)."""

from __future__ import annotations

from typing import Any

from django.db import models


def fields_apply(instance: models.Model, data: dict[str, Any], fields: list[str]) -> list[str]:
    """Copy the given fields onto the instance; return their names for `save(update_fields=...)`.

    Every given field is written back (not only the ones that differ): a ModelForm has already copied its
    values onto the instance, so comparing with the instance would miss real changes. History triggers only
    record fields whose values actually changed.
    """
    given = [name for name in fields if name in data]
    for name in given:
        setattr(instance, name, data[name])
    return given
