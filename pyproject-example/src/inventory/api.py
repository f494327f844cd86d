"""HTTP handlers: each takes the shared ``Store`` and returns a JSON-ready dict."""

import asyncio
import logging
import os
import time

import requests

from inventory.storage import Store, UnknownItem, reorder_plan
from inventory.util import make_sku, parse_quantity, render_rows

logger = logging.getLogger(__name__)

SUPPLIER_URL = os.environ.get("SUPPLIER_URL", "https://supplier.example.com/api")

requests_served = 0


def fetch_supplier_price(sku: str) -> float:
    """Ask the supplier's catalogue for the current unit price of ``sku``."""
    response = requests.get(f"{SUPPLIER_URL}/prices/{sku}", timeout=5)
    response.raise_for_status()
    return float(response.json()["price"])


async def handle_health(store: Store) -> dict:
    """Liveness probe, with a request counter for the dashboard."""
    requests_served += 1
    return {"status": "ok", "items": len(store), "served": requests_served}


async def handle_get_item(store: Store, sku: str) -> dict:
    """Look one item up."""
    try:
        item = store.get(sku)
    except UnknownItem:
        logger.info("lookup of unknown sku %s", sku)
        return {"status": 404, "error": f"unknown sku {sku}"}
    return {"sku": item.sku, "name": item.name, "quantity": item.quantity}


async def handle_create_item(
    store: Store, category: str, serial: int, name: str, quantity: str
) -> dict:
    """Register a new item from the admin form."""
    sku = make_sku(category, serial)
    store.add(sku, name, parse_quantity(quantity))
    return {"status": 201, "sku": sku}


async def handle_reprice(store: Store, sku: str) -> dict:
    """Refresh an item's price from the supplier."""
    price = fetch_supplier_price(sku)
    store.set_price(sku, price)
    return {"sku": sku, "price": price}


async def handle_supplier_status() -> dict:
    """Report whether the supplier API answers, without blocking the loop."""
    response = await asyncio.to_thread(requests.get, f"{SUPPLIER_URL}/health", timeout=2)
    return {"supplier": "up" if response.ok else "down"}


async def handle_reorder_report(store: Store, minimum: int = 10, format: str = "csv") -> dict:
    """What to order from the supplier, as CSV or JSON."""
    plan, out_of_stock = reorder_plan(store, minimum)
    rows = [{"sku": sku, "units": units} for sku, units in plan.items()]
    return {"out_of_stock": out_of_stock, "body": render_rows(rows, format=format)}


async def wait_for_delivery(
    store: Store, sku: str, poll_seconds: float = 1.0, attempts: int = 30
) -> bool:
    """Poll the store until ``sku`` is back in stock; False if it never is."""
    for _ in range(attempts):
        if store.get(sku).quantity > 0:
            return True
        time.sleep(poll_seconds)
    return False

