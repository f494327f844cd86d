"""Parsing and formatting helpers shared by the handlers and the store."""

import csv
import io
import json


def make_sku(category: str, id: int) -> str:
    """Build the canonical SKU: ``make_sku("bolt", 42)`` is ``"BOLT-00042"``."""
    return f"{category.upper()}-{id:05d}"


def parse_quantity(text: str, default: int = 0) -> int:
    """Parse a quantity from a form field; malformed input gives ``default``."""
    try:
        quantity = int(text)
    except ValueError:
        return default
    return max(quantity, 0)


def render_rows(rows: list[dict], format: str = "csv") -> str:
    """Serialise report rows as CSV (for spreadsheets) or JSON (for the API)."""
    if format == "json":
        return json.dumps(rows, indent=2)
    if not rows:
        return ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
