"""The output formats (table, JSON, JSON Lines, CSV), apart from `render` so that
`factcli --help` needs no rendering code."""

from __future__ import annotations

from enum import StrEnum


class Format(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
