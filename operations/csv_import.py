"""The item catalogue from a CSV file: every row is checked first and nothing is imported unless all are valid.

Rows are keyed on SKU, so importing the same file twice changes nothing. The upload's size and name are checked
by the form (operations.forms.inventory.ItemImportForm); this module gets the bytes.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from operations.formats import ZERO
from operations.models import Item, Supplier

CSV_COLUMNS = ["sku", "name", "unit", "category", "supplier", "cost", "reorder_min", "reorder_max", "reorder_multiple"]


@dataclass(frozen=True)
class CsvError:
    row: int
    column: str
    message: str


def items_import_csv(*, data: bytes) -> tuple[int, list[CsvError]]:
    """Validate every row first; import nothing unless the whole file is valid. Returns (imported, errors).

    Rows are keyed on SKU: an existing SKU is updated, so importing the same file twice changes nothing.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return 0, [CsvError(0, "file", "The file is not UTF-8 text. Save it as CSV (UTF-8).")]
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("sku", "name") if c not in (reader.fieldnames or [])]
    if missing:
        return 0, [CsvError(1, c, "This column is missing from the header row.") for c in missing]
    errors: list[CsvError] = []
    parsed: list[dict[str, Any]] = []
    seen: set[str] = set()
    categories = set(Item.Category.values)
    for number, row in enumerate(reader, start=2):
        clean: dict[str, Any] = {}
        sku = (row.get("sku") or "").strip()
        if not sku or len(sku) > 40:
            errors.append(CsvError(number, "sku", "Required, at most 40 characters."))
        elif sku in seen:
            errors.append(CsvError(number, "sku", "This SKU appears twice in the file."))
        seen.add(sku)
        clean["sku"] = sku
        name = (row.get("name") or "").strip()
        if not name or len(name) > 200:
            errors.append(CsvError(number, "name", "Required, at most 200 characters."))
        clean["name"] = name
        clean["unit"] = (row.get("unit") or "each").strip()[:20] or "each"
        category = (row.get("category") or "other").strip().lower() or "other"
        if category not in categories:
            errors.append(CsvError(number, "category", f"Use one of: {', '.join(sorted(categories))}."))
        clean["category"] = category
        clean["supplier"] = (row.get("supplier") or "").strip()[:120]
        for column, default in (("cost", "0"), ("reorder_min", "0"), ("reorder_max", "0"), ("reorder_multiple", "1")):
            raw = (row.get(column) or default).strip() or default
            try:
                value = Decimal(raw)
            except InvalidOperation:
                errors.append(CsvError(number, column, f"“{raw[:20]}” is not a number."))
                continue
            if value < 0 or (column == "reorder_multiple" and value == 0):
                errors.append(CsvError(number, column, "Must be a positive number."))
            clean[column] = value
        if clean.get("reorder_max", ZERO) < clean.get("reorder_min", ZERO):
            errors.append(CsvError(number, "reorder_max", "Must be at least reorder_min."))
        parsed.append(clean)
    if errors:
        return 0, errors
    with transaction.atomic():
        for row in parsed:
            supplier = Supplier.objects.get_or_create(name=row["supplier"])[0] if row["supplier"] else None
            Item.objects.update_or_create(
                sku=row["sku"],
                defaults={
                    "name": row["name"], "unit": row["unit"], "category": row["category"],
                    "preferred_supplier": supplier, "last_cost": row["cost"], "reorder_min": row["reorder_min"],
                    "reorder_max": row["reorder_max"], "reorder_multiple": row["reorder_multiple"],
                },
            )  # fmt: skip
    return len(parsed), []
