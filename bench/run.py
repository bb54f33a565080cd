"""Run the benchmarks and print ratios against baselines measured in the same run.

    python bench/run.py             # every bench_*.py here
    python bench/run.py core pandas # only bench_core.py and bench_pandas.py

Each bench module has ``run() -> list[Ratio]``. Benchmarks are not tests:
a missed goal is printed, and the exit code stays 0 unless a bench crashed.
"""
from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE))
    names = argv or sorted(p.stem[len("bench_"):] for p in HERE.glob("bench_*.py"))
    crashed = 0
    for name in names:
        print(f"== {name}", flush=True)
        try:
            module = importlib.import_module(f"bench_{name}")
            for result in module.run():
                print(result.line(), flush=True)
        except ModuleNotFoundError as exc:
            print(f"   skipped: {exc} (install the plugin to run it)")
        except Exception:
            crashed += 1
            traceback.print_exc()
    return 1 if crashed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
