"""Running a stored script in its own environment, in a child process, with output captured and a timeout."""
from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from omegaml_core.backends.pydata import check_json_document
from omegaml_core.runtime.states import rebuild_exception

from .envs import env_python, prepare
from .history import record_run
from .errors import ScriptTimeoutError

#: Seconds a script may run (``OMEGA_SCRIPT_TIMEOUT``), and how much of its stdout/stderr is kept.
DEFAULT_TIMEOUT = float(os.environ.get("OMEGA_SCRIPT_TIMEOUT", "3600"))
OUTPUT_LIMIT = int(os.environ.get("OMEGA_SCRIPT_OUTPUT_LIMIT", str(64 * 1024)))
KIND = "python.package"


def _tail(path: Path) -> str:
    """The last OUTPUT_LIMIT bytes of a file, marked when cut."""
    size = path.stat().st_size
    with open(path, "rb") as fh:
        fh.seek(max(0, size - OUTPUT_LIMIT))
        text = fh.read().decode("utf-8", errors="replace")
    return (f"[... {size - OUTPUT_LIMIT} bytes cut ...]\n" if size > OUTPUT_LIMIT else "") + text


def run_script(omega: Any, name: str, kwargs: dict[str, Any] | None = None,
               timeout: float | None = None) -> dict[str, Any]:
    """Run script ``name``'s ``run(om, **kwargs)``; returns ``{'script', 'kwargs', 'result', 'runtime', 'started', ...}``.

    The script's own exception is raised here with its type and message. Every run, failed or not,
    is kept as ``results/<name>_<UTC time>`` (see ``history``).
    """
    kwargs = dict(kwargs or {})
    check_json_document(kwargs)
    meta = omega.scripts.metadata(name)
    if meta.kind != KIND:
        raise TypeError(f"script {name!r} is of kind {meta.kind!r}, not {KIND}; put a package or a .py file "
                        "with run(om, **kwargs)")
    started = datetime.now(timezone.utc)
    clock = time.monotonic()
    captured = {"stdout": "", "stderr": ""}
    try:
        outcome = _run(omega, name, meta, kwargs, timeout, started, clock, captured)
    except Exception as exc:
        record_run(omega, meta, kwargs, started, time.monotonic() - clock, error=exc, **captured)
        raise
    record_run(omega, meta, kwargs, started, outcome["runtime"], result=outcome["result"], **captured)
    return outcome


def _run(omega: Any, name: str, meta: Any, kwargs: dict[str, Any], timeout: float | None, started: datetime,
         clock: float, captured: dict[str, str]) -> dict[str, Any]:
    """The run itself; ``captured`` gets the kept stdout and stderr as soon as the child has ended."""
    env = prepare(omega.scripts, meta.name, meta)
    limit = timeout or DEFAULT_TIMEOUT
    request = json.dumps({"module": meta.kind_meta["modules"][0], "kwargs": kwargs, "bucket": omega.bucket})
    with tempfile.TemporaryDirectory(prefix="omegaml-script-") as tmp:
        out, err, result_file = Path(tmp, "stdout"), Path(tmp, "stderr"), Path(tmp, "result.json")
        try:
            with open(out, "wb") as stdout, open(err, "wb") as stderr:
                proc = subprocess.Popen([str(env_python(env)), "-m", "omegaml_scripts.child", str(result_file)],
                                        stdin=subprocess.PIPE, stdout=stdout, stderr=stderr, cwd=tmp,
                                        env={**os.environ, **omega.config.to_environ()}, start_new_session=True)
                try:
                    proc.communicate(request.encode("utf-8"), timeout=limit)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                    raise ScriptTimeoutError(f"script {name!r} ran longer than {limit:g} s and was stopped") from None
                except BaseException:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    raise
        finally:
            captured["stdout"], captured["stderr"] = (_tail(f) if f.exists() else "" for f in (out, err))
        runtime = round(time.monotonic() - clock, 6)
        if not result_file.exists():
            raise RuntimeError(f"script {name!r} ended with exit status {proc.returncode} and no result:\n"
                               f"{captured['stderr'][-2000:]}")
        payload = json.loads(result_file.read_text(encoding="utf-8"))
        if "error" in payload:
            raise rebuild_exception(payload["error"])
        return {"script": meta.name, "kwargs": kwargs, "result": payload["result"], "runtime": runtime,
                "started": started.isoformat(), **captured}
