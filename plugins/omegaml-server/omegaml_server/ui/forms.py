"""Parsing what users type into the UI's forms."""
from __future__ import annotations

import json
from typing import Any


def parameters_of(text: str | None, what: str = "parameters") -> dict[str, Any]:
    """A form's parameters: a JSON object, or ``key=value`` lines (each value JSON if it parses, else text;
    blank lines and ``#`` comments are skipped). ValueError says what to write instead."""
    text = (text or "").strip()
    if not text:
        return {}
    if text.startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"the {what} are not valid JSON ({exc}); write a JSON object or key=value lines") from None
        if not isinstance(parsed, dict):
            raise ValueError(f"the {what} must be a JSON object of names and values")
        return parsed
    parsed = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, raw = line.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"line {number} ({line[:60]!r}) is not key=value; write e.g. region=EU or n=3")
        try:
            parsed[key.strip()] = json.loads(raw.strip())
        except ValueError:
            parsed[key.strip()] = raw.strip()
    return parsed
