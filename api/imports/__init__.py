"""Bulk import of CSV, JSON arrays and NDJSON: one transaction, a per-row report, one audit event."""
