"""Reading a package's YAML files: exactly (dates kept as text where the package says so), cached by
the file's digest in the user's cache folder (a private folder only)."""

from __future__ import annotations

from pathlib import Path


def _load_yaml(path: Path) -> dict:
    """policy.yaml parsed; the parse is cached by content hash, since parsing YAML costs more than
    the whole evaluation of a small batch and `ipfund evaluate` should start fast.

    The cache is JSON (dates and non-text keys tagged), never pickle: reading it cannot run code,
    whoever wrote it. It is read only from a folder of this user's own that nobody else may write
    (0700, as ssh asks of ~/.ssh), and a file of this user's that nobody else may write; anything
    else is ignored and the YAML parsed again."""
    import hashlib
    import json
    import os

    raw = path.read_bytes()
    cache_dir = Path(os.environ.get("IPFUND_CACHE_DIR") or Path.home() / ".cache" / "ipfund")
    cached = cache_dir / f"policy-{hashlib.sha256(raw).hexdigest()[:32]}.json"
    if _private(cache_dir) and _private(cached):
        try:
            return _untag(json.loads(cached.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            pass
    import yaml

    try:
        data = yaml.load(raw.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path.name} 无法读取：{exc}") from None
    try:
        cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(cache_dir) and cache_dir.stat().st_uid == os.getuid():
            cache_dir.chmod(0o700)  # our own folder, made before it had to be private
        if _private(cache_dir):
            tmp = cached.with_suffix(f".{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(_tag(data), fh, ensure_ascii=False)
            os.replace(tmp, cached)
    except (OSError, TypeError, ValueError):
        pass  # a read-only home (or a value JSON cannot tag) only costs the parse
    return data


def _private(path: Path) -> bool:
    """``path`` exists, belongs to this user, and no one else may write it (nor, for a folder, list it)."""
    import os
    import stat

    try:
        st = path.lstat()
    except OSError:
        return False
    if stat.S_ISLNK(st.st_mode) or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
        return False
    forbidden = 0o077 if stat.S_ISDIR(st.st_mode) else 0o022
    return not st.st_mode & forbidden


def _tag(value):
    """YAML's values as JSON: maps as [key, value] pairs (keys may be dates or numbers), dates tagged."""
    import datetime as dt

    if isinstance(value, dict):
        return {"m": [[_tag(k), _tag(v)] for k, v in value.items()]}
    if isinstance(value, list):
        return {"l": [_tag(v) for v in value]}
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(type(value).__name__)


def _untag(value):
    import datetime as dt

    if not isinstance(value, dict):
        return value
    (kind, body), = value.items()
    if kind == "m":
        return {_untag(k): _untag(v) for k, v in body}
    if kind == "l":
        return [_untag(v) for v in body]
    if kind == "t":
        return dt.datetime.fromisoformat(body)
    if kind == "d":
        return dt.date.fromisoformat(body)
    raise KeyError(kind)
