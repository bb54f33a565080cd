"""Schedules as cron expressions: parsing (cron or a few exact English forms), explaining, next times.

Cron has five fields (minute hour day-of-month month day-of-week), or six with
seconds last, as croniter reads them. English forms are accepted only when they
match one of these exactly (case-insensitive), so nothing is guessed:

    every minute | every N minutes (N divides 60) | every hour | hourly |
    every N hours (N divides 24) | daily at HH:MM | every day at HH:MM |
    weekdays at HH:MM | <weekday>s at HH:MM | every <weekday> at HH:MM
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from .errors import ScheduleError

DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
DAY_CODES = {d[:3].upper(): d.capitalize() for d in DAYS}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
_AT = r"at (?P<h>\d{1,2}):(?P<m>\d{2})"
_ENGLISH = [
    (rf"^every minute$", lambda g: "* * * * *"),
    (rf"^every (?P<n>\d+) minutes$", lambda g: _every(g["n"], 60, "*/{n} * * * *")),
    (rf"^(every hour|hourly)$", lambda g: "0 * * * *"),
    (rf"^every (?P<n>\d+) hours$", lambda g: _every(g["n"], 24, "0 */{n} * * *")),
    (rf"^(daily|every day) {_AT}$", lambda g: f"{_minute(g)} {_hour(g)} * * *"),
    (rf"^weekdays {_AT}$", lambda g: f"{_minute(g)} {_hour(g)} * * MON-FRI"),
    (rf"^(every (?P<d1>{'|'.join(DAYS)})|(?P<d2>{'|'.join(DAYS)})s) {_AT}$",
     lambda g: f"{_minute(g)} {_hour(g)} * * {(g['d1'] or g['d2'])[:3].upper()}"),
]


def _every(n: str, whole: int, template: str) -> str:
    value = int(n)
    if value < 1 or whole % value:
        raise ScheduleError(f"'every {n}' must divide {whole} evenly to repeat exactly; write a cron expression")
    return template.format(n=value)


def _hour(g: Any) -> int:
    if int(g["h"]) > 23:
        raise ScheduleError(f"hour {g['h']} is not 0-23")
    return int(g["h"])


def _minute(g: Any) -> int:
    if int(g["m"]) > 59:
        raise ScheduleError(f"minute {g['m']} is not 0-59")
    return int(g["m"])


def to_cron(spec: str) -> str:
    """The cron expression of ``spec`` (cron, or an exact English form); ScheduleError otherwise."""
    from croniter import croniter

    if not isinstance(spec, str) or not spec.strip():
        raise ScheduleError("a schedule needs a cron expression such as '0 6 * * FRI' or e.g. 'fridays at 06:00'")
    text = " ".join(spec.strip().split())
    for pattern, make in _ENGLISH:
        match = re.match(pattern, text, re.IGNORECASE)
        if match:
            return make(match.groupdict())
    if len(text.split()) in (5, 6) and croniter.is_valid(text):
        return text
    raise ScheduleError(f"cannot read the schedule {spec!r}: use a cron expression (minute hour day month weekday, "
                        "e.g. '0 6 * * FRI') or one of: every minute, every N minutes, every hour, every N hours, "
                        "daily at HH:MM, weekdays at HH:MM, fridays at HH:MM")


def _days(field: str) -> str:
    def one(part: str) -> str:
        if "-" in part:
            a, b = part.split("-", 1)
            return f"{one(a)} to {one(b)}"
        code = part.upper()
        if code.isdigit():
            return DAYS[int(code) % 7].capitalize()
        return DAY_CODES.get(code[:3], part)

    return ", ".join(one(p) for p in field.split(","))


def explain(cron: str) -> str:
    """A readable explanation of a cron expression, e.g. 'at 06:00, on Friday'."""
    fields = cron.split()
    minute, hour, dom, month, dow = fields[:5]
    parts = []
    if len(fields) == 6:
        parts.append("every second" if fields[5] == "*" else f"at second {fields[5]}")
    if minute.isdigit() and hour.isdigit():
        parts.append(f"at {int(hour):02d}:{int(minute):02d}")
    else:
        if minute == "*":
            parts.append("every minute")
        elif minute.startswith("*/"):
            parts.append(f"every {minute[2:]} minutes")
        else:
            parts.append(f"at minute {minute}")
        if hour.startswith("*/"):
            parts.append(f"every {hour[2:]} hours")
        elif hour != "*":
            parts.append(f"during hour {hour}")
    if dom != "*":
        parts.append(f"on day {dom} of the month")
    if month != "*":
        parts.append("in " + ", ".join(MONTHS[int(m) - 1] if m.isdigit() else m for m in month.split(",")))
    if dow != "*":
        parts.append(f"on {_days(dow)}")
    return ", ".join(parts)


def check_timezone(tz: str) -> Any:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ScheduleError(f"unknown time zone {tz!r}; use an IANA name such as 'Europe/Zurich' or 'UTC'") from None


def next_times(cron: str, tz: str, after: datetime, n: int = 1) -> list[datetime]:
    """The next ``n`` times (aware, in ``tz``) strictly after ``after`` (aware)."""
    from croniter import croniter

    it = croniter(cron, after.astimezone(check_timezone(tz)))
    return [it.get_next(datetime) for _ in range(n)]


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
