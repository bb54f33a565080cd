"""Shared helpers for benchmarks: each figure is a ratio against a baseline measured in the same run."""
from __future__ import annotations

import gc
import statistics
import time
from dataclasses import dataclass
from typing import Callable


@dataclass
class Ratio:
    """One benchmark line: our time, the baseline's, their ratio and the goal."""

    name: str
    ours: float
    baseline: float
    goal: str
    ok: bool
    unit: str = "s"

    @property
    def ratio(self) -> float:
        return self.ours / self.baseline if self.baseline else float("inf")

    def line(self) -> str:
        verdict = "ok" if self.ok else "MISSED"
        return (f"{self.name:<58} ours {self.ours:9.4f}{self.unit}  baseline {self.baseline:9.4f}{self.unit}  "
                f"ratio {self.ratio:7.2f}  goal {self.goal:<14} {verdict}")


def best_of(fn: Callable[[], object], repeat: int = 3, setup: Callable[[], object] | None = None) -> float:
    """The fastest of ``repeat`` runs of ``fn`` (seconds); ``setup`` runs untimed before each."""
    times = []
    for _ in range(repeat):
        if setup:
            setup()
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def median_of(fn: Callable[[], object], repeat: int = 50) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def within(ours: float, baseline: float, factor: float) -> bool:
    """Goal 'within Nx of the baseline'."""
    return ours <= baseline * factor


def faster(ours: float, baseline: float, factor: float) -> bool:
    """Goal 'at least Nx faster than the baseline'."""
    return ours * factor <= baseline
