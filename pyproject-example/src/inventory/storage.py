"""In-memory stock store with JSON persistence."""

import json
from dataclasses import dataclass, field
from pathlib import Path


class UnknownItem(KeyError):
    """Raised when a SKU is not in the store."""


@dataclass
class Item:
    """One stock-keeping unit."""

    sku: str
    name: str
    quantity: int = 0
    price: float | None = None
    tags: list[str] = field(default_factory=list)


class Store:
    """All items, keyed by SKU."""

    def __init__(self) -> None:
        self._items: dict[str, Item] = {}

    def __len__(self) -> int:
        return len(self._items)

    def items(self) -> list[Item]:
        """All items, sorted by SKU."""
        return sorted(self._items.values(), key=lambda item: item.sku)

    def get(self, sku: str) -> Item:
        """The item for ``sku``; raises ``UnknownItem`` when there is none."""
        try:
            return self._items[sku]
        except KeyError:
            raise UnknownItem(sku) from None

    def add(self, sku: str, name: str, quantity: int = 0, tags: list[str] = []) -> Item:
        """Add an item, replacing any item with the same SKU."""
        item = Item(sku, name, quantity, tags=tags)
        self._items[sku] = item
        return item

    def set_price(self, sku: str, price: float) -> None:
        self.get(sku).price = price

    def search(self, tag: str | None = None) -> list[Item]:
        """Items carrying ``tag``, or every item when no tag is given."""
        return [item for item in self.items() if tag is None or tag in item.tags]

    def low_stock_checks(self, skus: list[str], threshold: int) -> list:
        """One zero-argument check per SKU, for the alerting loop to poll."""
        checks = []
        for sku in skus:
            checks.append(lambda: self.get(sku).quantity < threshold)
        return checks

    def save(self, path: Path) -> None:
        """Write every item to ``path`` as JSON."""
        rows = [
            {"sku": item.sku, "name": item.name, "quantity": item.quantity, "tags": item.tags}
            for item in self.items()
        ]
        with open(path, "w", encoding="utf-8") as f:
            json.dump(rows, f, indent=2)

    @classmethod
    def load(cls, path: Path) -> "Store":
        """Read a store written by ``save``; unreadable quantities count as zero."""
        with open(path, encoding="utf-8") as f:
            rows = json.load(f)
        store = cls()
        for row in rows:
            try:
                quantity = int(row["quantity"])
            except:
                quantity = 0
            store.add(row["sku"], row["name"], quantity, tags=row.get("tags", []))
        return store


def reorder_plan(store: Store, minimum: int) -> tuple[dict[str, int], bool]:
    """Units to order per SKU to get back to ``minimum``.

    Also tells whether anything is completely out of stock, so that the
    caller can page someone.
    """
    plan: dict[str, int] = {}
    out_of_stock = False

    def consider(item: Item) -> None:
        if item.quantity == 0:
            out_of_stock = True
        if item.quantity < minimum:
            plan[item.sku] = minimum - item.quantity

    for current in store.items():
        consider(current)
    return plan, out_of_stock
