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


def on_cluster(workers: int, run):
    """`run(client)` on a LocalCluster of `workers` worker processes started for it: (its result,
    the figures as a line — wall time of the run, the cluster's start apart, CPU time of this
    process and of each worker, each worker's peak memory)."""
    import time

    from ipfund.engine.distributed import cpu_seconds, dask_client, peak_memory

    t = time.perf_counter()
    with dask_client(workers) as client:
        started = time.perf_counter() - t
        cpu0, workers0 = os.times(), cpu_seconds(client)
        t = time.perf_counter()
        result = run(client)
        took = time.perf_counter() - t
        cpu1, workers1 = os.times(), cpu_seconds(client)
        memory = peak_memory(client)
    mine = cpu1.user + cpu1.system - cpu0.user - cpu0.system
    theirs = ", ".join(f"{workers1[w] - workers0[w]:.1f}" for w in sorted(workers1))
    peaks = ", ".join(f"{memory[w] / 2**20:,.0f}" for w in sorted(memory))
    return result, (f"{took:.1f} s (cluster start {started:.1f} s); CPU: client {mine:.1f} s, workers {theirs} s; "
                    f"peak memory per worker {peaks} MiB")
