from enum import StrEnum


class ExportFormat(StrEnum):
    csv = "csv"
    ndjson = "ndjson"


MEDIA_TYPES = {ExportFormat.csv: "text/csv; charset=utf-8", ExportFormat.ndjson: "application/x-ndjson"}
