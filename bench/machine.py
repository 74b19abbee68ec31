"""What machine a benchmark ran on, printed with its figures."""

from __future__ import annotations

import os
import platform


def describe() -> str:
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in open("/proc/meminfo", encoding="utf-8"):
            if line.startswith("MemTotal"):
                mem = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB RAM"
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{cpu}, {os.cpu_count()} cores{mem}; Python {platform.python_version()}; "
            f"load average {load:.2f} at start; an empty Python loop takes {loop_ns():.0f} ns an iteration")


def loop_ns(n: int = 5_000_000) -> float:
    """The speed of this (virtual) machine today, best of three: the same VM has run the same code
    about half as fast on one day as on the next, so figures are only comparable alongside this."""
    import time

    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(n):
            pass
        best = min(best, time.perf_counter() - t)
    return best / n * 1e9
