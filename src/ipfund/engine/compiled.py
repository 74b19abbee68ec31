"""The compiled reader (`_columns.c`), loaded once for the whole engine: the module, or None.

None where it is not built (ipfund installed without a C compiler) or where the environment asks
for the pure-Python path (IPFUND_NO_COMPILED_READER=1: the tests run the engine both ways). A build
older than the source beside it is refused: setup.py compiles the SHA-256 of `_columns.c` into the
module, and where the source file is present (a checkout, an editable install) this compares the
two, so that a `git pull` changing the C code without a rebuild stops with a message saying what
to run, instead of running old code against new Python.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from types import ModuleType

from .errors import STALE_BUILD, StaleBuild

#: Set to 1 (or any value but "" and "0") to read with msgspec and encode in Python everywhere.
DISABLE_VARIABLE = "IPFUND_NO_COMPILED_READER"

SOURCE = Path(__file__).with_name("_columns.c")


def source_digest(path: Path = SOURCE) -> str | None:
    """The SHA-256 of the C source as setup.py computes it; None where the source is not installed."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def check(module: ModuleType, path: Path = SOURCE) -> ModuleType:
    """The module, when its build is of the source beside it (or no source is there to compare)."""
    want = source_digest(path)
    built = getattr(module, "SOURCE_SHA256", "")
    if want is not None and built != want:
        raise StaleBuild(STALE_BUILD.format(path=path, built=built[:12] or "无", source=want[:12]))
    return module


def load() -> ModuleType | None:
    if os.environ.get(DISABLE_VARIABLE, "") not in ("", "0"):
        return None
    try:
        from . import _columns  # (a C extension: no stub; typed through the package's __getattr__)
    except ImportError:  # installed without a C compiler: the Python paths do the same, more slowly
        return None
    return check(_columns)


columns = load()
