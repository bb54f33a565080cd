"""Access rules in omega|ml's form: regular expressions over ``resource/name/action``.

A request's *target* is its path below ``/api/v1/`` without a trailing slash,
e.g. ``dataset`` (the list), ``dataset/sales``, ``model/clf/predict``,
``job/nightly/run``; the Open Inference Protocol maps
``/v2/models/clf/infer`` to ``model/clf/infer`` and ``/v2/models/clf`` to
``model/clf``. A server (``om serve --rules``) and each API key may carry
rules; a request is allowed only if every rule set that exists has a rule
that matches the whole target (``re.fullmatch``). No rules: everything the
grants allow.
"""
from __future__ import annotations

import re
from typing import Iterable, Sequence


def compile_rules(rules: Iterable[str] | None) -> tuple[re.Pattern, ...] | None:
    """The compiled rules, or None for "no restriction"; a bad regex is a ValueError that names it."""
    if rules is None:
        return None
    compiled = []
    for rule in rules:
        if not isinstance(rule, str) or not rule:
            raise ValueError(f"rule {rule!r} must be a non-empty regular expression such as 'model/clf/predict'")
        try:
            compiled.append(re.compile(rule))
        except re.error as exc:
            raise ValueError(f"rule {rule!r} is not a valid regular expression: {exc}") from None
    return tuple(compiled)


def allowed(target: str, *rule_sets: Sequence[re.Pattern] | None) -> bool:
    """True if every given rule set (None = unrestricted) has a rule matching all of ``target``."""
    return all(rules is None or any(rule.fullmatch(target) for rule in rules) for rules in rule_sets)


def target_of(path: str) -> str:
    """The rule target of a request path (see the module docstring)."""
    path = path.rstrip("/")
    if path.startswith("/api/v1/"):
        return path[len("/api/v1/"):]
    if path.startswith("/v2/models/"):
        return "model/" + path[len("/v2/models/"):].replace("/versions/", "@", 1)
    return path.lstrip("/")
