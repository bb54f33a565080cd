"""Template filters: times, counts, sizes and short JSON, all as plain text (the templates escape it)."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any


def when(value: datetime | str | None) -> str:
    """``2026-11-27 18:59 UTC`` (UTC, minutes), or ``-``."""
    if value is None or value == "":
        return "-"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def count(value: Any) -> str:
    """``1,234,567`` for an int, else the value as text."""
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else ("-" if value is None else str(value))


def size(value: int | None) -> str:
    """``1.5 MB`` (powers of 1000), or ``-``."""
    if value is None:
        return "-"
    amount = float(value)
    for unit in ("B", "kB", "MB", "GB"):
        if amount < 1000 or unit == "GB":
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1000
    return f"{amount:.1f} TB"


def short_json(value: Any, limit: int = 120) -> str:
    """``value`` as compact JSON, cut to ``limit`` characters."""
    text = json.dumps(value, default=str, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= limit else text[:limit - 1] + "…"


def seconds(value: float | None) -> str:
    """``0.25 s``, ``3 min 5 s``, or ``-``."""
    if value is None:
        return "-"
    if value < 60:
        return f"{value:.2f} s"
    minutes, rest = divmod(int(round(value)), 60)
    return f"{minutes} min {rest} s"


FILTERS = {"when": when, "count": count, "size": size, "short_json": short_json, "seconds": seconds}
