"""Worker logs say what a task returned (type, shape, size), never the data.

Celery logs every success as ``Task ... succeeded in ...s: <repr of the result>``
from ``celery.app.trace`` (the ``LOG_SUCCESS`` format), with the result's
``saferepr`` in the record's ``return_value``. Our task notes a summary of its
result under its task id; a filter on that logger puts the summary in place of
the repr. The task's ``resultrepr_maxsize`` bounds the repr Celery builds (and
sends in ``task-succeeded`` events) to ``RESULT_REPR_MAXSIZE`` characters.
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Any

#: characters of a result's repr Celery may build and put in events
RESULT_REPR_MAXSIZE = 80
_MAX_NOTES = 1000
_notes: "OrderedDict[str, str]" = OrderedDict()
_lock = threading.Lock()
TRACE_LOGGER = "celery.app.trace"


def _shape(value: list) -> list[int]:
    shape = [len(value)]
    while value and isinstance(value[0], list) and all(isinstance(v, list) and len(v) == len(value[0]) for v in value):
        value = value[0]
        shape.append(len(value))
    return shape


def summarize(value: Any) -> str:
    """``list[50]``, ``list[50x2]``, ``dict[3 keys]``, ``str[12 chars]``, ``float``: never the values."""
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__}[{'x'.join(map(str, _shape(list(value))))}]"
    if isinstance(value, dict):
        return f"dict[{len(value)} keys]"
    if isinstance(value, (str, bytes)):
        return f"{type(value).__name__}[{len(value)} chars]"
    return type(value).__name__


def note(task_id: str | None, value: Any) -> None:
    """Remember the summary of a task's result until Celery logs its success."""
    if task_id is None or not logging.getLogger(TRACE_LOGGER).isEnabledFor(logging.INFO):
        return
    with _lock:
        _notes[task_id] = summarize(value)
        while len(_notes) > _MAX_NOTES:
            _notes.popitem(last=False)


class ResultSummaryFilter(logging.Filter):
    """Replaces ``return_value`` in Celery's success log records by the noted summary."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, dict) and "return_value" in args:
            with _lock:
                summary = _notes.pop(str(args.get("id")), None)
            record.args = {**args, "return_value": summary or "(not shown)"}
            data = getattr(record, "data", None)
            if isinstance(data, dict):
                record.data = record.args
        return True


def install() -> None:
    """Attach the filter to Celery's trace logger (once per process)."""
    logger = logging.getLogger(TRACE_LOGGER)
    if not any(isinstance(f, ResultSummaryFilter) for f in logger.filters):
        logger.addFilter(ResultSummaryFilter())
