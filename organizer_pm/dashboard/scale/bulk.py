"""Bulk writing for the scale data set: primary keys reserved up front, rows streamed with COPY.

Reserving a block of ids from each table's sequence lets the loader link rows (visit -> block -> move) in Python
before a single row is written, so each table is written once with COPY instead of row by row.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models


def reserve_ids(model: type[models.Model], count: int) -> int:
    """The first of `count` consecutive new primary keys of `model` (the sequence is moved past them)."""
    if count <= 0:
        return 0
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
            [table, table, count],
        )
        last = cursor.fetchone()[0]
    return int(last) - count + 1


def _text(value: Any) -> Any:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def _encoder(field: models.Field) -> Any:
    """How one column's Python value becomes COPY text (JSON and arrays need their own literal)."""
    if isinstance(field, models.JSONField):
        return lambda v: None if v is None else json.dumps(v)
    if isinstance(field, ArrayField):
        return lambda v: None if v is None else "{" + ",".join(f'"{_text(x)}"' for x in v) + "}"
    return lambda v: v


def copy_rows(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
    """COPY rows (dicts keyed by attname, e.g. `client_id`) into the model's table; returns how many.

    Every concrete column is written: one a row leaves out gets the field's default, so a field added later
    with a default (by another feature) needs no change here.
    """
    fields = list(model._meta.concrete_fields)
    encoders = [_encoder(f) for f in fields]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    count = 0
    for row in rows:
        values = []
        for f, encode in zip(fields, encoders, strict=True):
            value = row[f.attname] if f.attname in row else f.get_default()
            values.append(_text(encode(value)))
        writer.writerow(values)
        count += 1
    if not count:
        return 0
    buffer.seek(0)
    cols = ", ".join(f'"{f.column}"' for f in fields)
    sql = f"COPY \"{model._meta.db_table}\" ({cols}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(sql, buffer)  # the psycopg2 cursor under Django's wrapper
    return count
