"""Runs inside a script's environment: ``python -m omegaml_scripts.child RESULT_FILE`` with the request on stdin.

The request is ``{"module", "kwargs", "bucket"}``; the caller's configuration
comes from the environment. The result file gets ``{"result": ...}`` or
``{"error": ...}`` (the kernel's error payload), so anything the script prints
stays in its stdout and stderr.
"""
from __future__ import annotations

import importlib
import json
import sys
import traceback


def main(result_file: str) -> int:
    from omegaml_core.runtime.payloads import plain
    from omegaml_core.runtime.states import exception_info

    request = json.loads(sys.stdin.read())
    try:
        import omegaml_core

        om = omegaml_core.defaults()[request["bucket"]]
        module = importlib.import_module(request["module"])
        run = getattr(module, "run", None)
        if not callable(run):
            raise AttributeError(f"module {request['module']!r} of this script has no run(om, **kwargs) function")
        payload = {"result": plain(run(om, **request["kwargs"]))}
    except BaseException as exc:  # the script's failure is the result, reported to the caller
        traceback.print_exc()
        payload = {"error": exception_info(exc)}
    with open(result_file, "w", encoding="utf-8") as fh:
        json.dump(payload, fh)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
