"""The report as JSON, in the shape documented in docs/report-schema.md."""

import json


def report_json(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
