"""Records: the JSON objects that flow between fkit steps (DESIGN.md section 6).

A record is a plain ``dict`` so that fields fkit does not know pass through every step
untouched. This module owns the common fields (``schema``, ``kind``, ``producer``) and the
JSON Schema published with the package (``forensic_kit/schema/record.schema.json``).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from forensic_kit import __version__

SCHEMA_ID = "fkit.record/1"
"""Value of every record's ``schema`` field; bumped when a field changes meaning."""

Record = dict[str, Any]

# Kinds produced by the foundation. Other modules add their own (phone.*, audit, ...).
KIND_FILE = "file"
KIND_ERROR = "error"
KIND_AUDIT = "audit"


def producer(parser: str, parser_version: str = "1", **extra: Any) -> dict[str, Any]:
    """The ``producer`` block: which tool, version and parser made a record."""
    block: dict[str, Any] = {
        "tool": "fkit",
        "version": __version__,
        "parser": parser,
        "parser_version": parser_version,
    }
    block.update(extra)
    return block


def new_record(kind: str, parser: str, parser_version: str = "1", **fields: Any) -> Record:
    """A record with the common header fields first, then ``fields`` in the given order."""
    rec: Record = {"schema": SCHEMA_ID, "kind": kind}
    rec.update(fields)
    rec["producer"] = producer(parser, parser_version)
    return rec


def error_record(
    parser: str,
    stage: str,
    reason: str,
    *,
    errno_name: str | None = None,
    **fields: Any,
) -> Record:
    """An ``error`` record: something could not be processed, and why.

    ``stage`` says what was being done (``open``, ``read``, ``parse``...), ``reason`` is the
    one-line cause in words (for OS errors, the OS's own message).
    """
    err: dict[str, Any] = {"stage": stage, "reason": reason}
    if errno_name:
        err["errno"] = errno_name
    return new_record(KIND_ERROR, parser, **fields, error=err)


def json_schema() -> dict[str, Any]:
    """The published JSON Schema of fkit records."""
    text = resources.files("forensic_kit").joinpath("schema/record.schema.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data
