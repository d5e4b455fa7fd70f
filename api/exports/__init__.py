"""Streamed CSV and NDJSON exports with the import template's columns, so an export imports back."""
