"""Server settings: from ``om serve`` options, carried to uvicorn's worker processes in the environment."""
from __future__ import annotations

import ipaddress
import json
import os
import re
from dataclasses import dataclass, field

ENV = "OMEGA_SERVER_SETTINGS"
DEFAULT_MAX_BODY = 64 * 1024 * 1024
_SIZE_RE = re.compile(r"^\s*(\d+)\s*([kmg]i?b?)?\s*$", re.IGNORECASE)


def parse_size(text: str | int) -> int:
    """Bytes from ``1048576``, ``512k``, ``64M`` or ``1G`` (powers of 1024); ValueError otherwise."""
    if isinstance(text, int):
        return text
    match = _SIZE_RE.match(str(text))
    if not match:
        raise ValueError(f"size {text!r} is not understood; use bytes or a number with k, M or G, e.g. 64M")
    unit = (match[2] or "").lower()[:1]
    return int(match[1]) * {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}[unit]


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    """What a server process needs: accounts database, rules, body limit and the context name of grants."""

    accounts_url: str | None = None
    rules: tuple[str, ...] | None = None
    max_body: int = DEFAULT_MAX_BODY
    context: str = "default"
    #: web UI cookies are ``Secure`` even over plain HTTP (``om serve --insecure``: a TLS proxy is in front)
    secure_cookies: bool = False
    extra: dict = field(default_factory=dict)

    def to_env(self) -> str:
        return json.dumps({"accounts_url": self.accounts_url, "rules": list(self.rules) if self.rules else None,
                           "max_body": self.max_body, "context": self.context,
                           "secure_cookies": self.secure_cookies})

    @classmethod
    def from_env(cls) -> "Settings":
        """The settings ``om serve`` put in the environment, else the defaults."""
        raw = os.environ.get(ENV)
        if not raw:
            return cls()
        data = json.loads(raw)
        return cls(accounts_url=data.get("accounts_url"), rules=tuple(data["rules"]) if data.get("rules") else None,
                   max_body=int(data.get("max_body") or DEFAULT_MAX_BODY), context=data.get("context") or "default",
                   secure_cookies=bool(data.get("secure_cookies")))
