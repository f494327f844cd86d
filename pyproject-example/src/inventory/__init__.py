"""Inventory: a small async stock-keeping service."""

__version__ = "0.3.0"
