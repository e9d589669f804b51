"""Machine output: JSON, JSON Lines and CSV for programs, stable and colourless.

Apart from `render` (rich tables for people), so that a command asked for JSON loads no
terminal-rendering code at all.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from factcli.output_formats import Format


def write_records(
    records: Iterable[dict[str, Any]],
    fmt: Format | str,
    out: TextIO,
    *,
    columns: Sequence[str] | None = None,
) -> int:
    """Write records as JSON (one array), JSONL or CSV; return how many were written.

    Records are streamed one at a time, so `export` of a large archive stays flat in memory.
    CSV joins list values with "; " because a cell cannot hold a list.
    """
    fmt = Format(fmt)
    count = 0
    if fmt is Format.json:
        for record in records:
            out.write("[\n" if count == 0 else ",\n")
            out.write(_json(record))
            count += 1
        out.write("[]\n" if count == 0 else "\n]\n")
    elif fmt is Format.jsonl:
        for record in records:
            out.write(_json(record) + "\n")
            count += 1
    elif fmt is Format.csv:
        writer: csv.DictWriter[str] | None = None
        if columns is not None:
            writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
            writer.writeheader()
        for record in records:
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(record), lineterminator="\n")
                writer.writeheader()
            writer.writerow({k: _csv_cell(v) for k, v in record.items()})
            count += 1
    else:
        raise ValueError(f"{fmt.value} is not a machine format")
    return count


def _json(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False)


def _csv_cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value
