"""Involve's Python client for bulk import and export (see clients/python/README.md)."""

from involve_client.client import Client, ImportRefused, ImportReport, InvolveError, RowError

__all__ = ["Client", "ImportRefused", "ImportReport", "InvolveError", "RowError"]
