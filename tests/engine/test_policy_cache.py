"""The parsed-policy cache (issue #21 item 7): never pickle — a cache file cannot run code — and
read only from this user's private folder (0700) and private file (0600); a file anyone else may
write is ignored and the policy parsed again. Through load_policy_path, as `ipfund evaluate` does."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import stat
from pathlib import Path

import pytest

import ipfund.policies
from ipfund.engine.policy import load_policy_path

PACKAGE = Path(ipfund.policies.__file__).parent / "zhaoqing_hitech_ip_2022"


class Boom:
    def __reduce__(self):
        return (os.system, ("touch /tmp/ipfund-pickle-ran",))


@pytest.fixture
def package(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("IPFUND_CACHE_DIR", str(cache))
    copy = tmp_path / "pkg"
    shutil.copytree(PACKAGE, copy)
    return copy, cache


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_cache_is_private_json_and_is_read_back(package):
    folder, cache = package
    first = load_policy_path(folder)
    (cached,) = cache.glob("policy-*.json")
    assert _mode(cache) == 0o700 and _mode(cached) == 0o600
    json.loads(cached.read_text(encoding="utf-8"))  # JSON, not a pickle
    assert not list(cache.glob("*.pickle"))
    again = load_policy_path(folder)
    assert again.title == first.title and again.document_number == first.document_number
    # proof that the private cache is what was read: a title changed in it comes back
    cached.write_text(cached.read_text(encoding="utf-8").replace(first.title, "缓存里的标题", 1), encoding="utf-8")
    assert load_policy_path(folder).title == "缓存里的标题"


def test_a_cache_file_others_may_write_is_ignored(package):
    folder, cache = package
    title = load_policy_path(folder).title
    (cached,) = cache.glob("policy-*.json")
    cached.write_text(cached.read_text(encoding="utf-8").replace(title, "他人写入的标题", 1), encoding="utf-8")
    cached.chmod(0o666)
    assert load_policy_path(folder).title == title  # parsed again from policy.yaml
    assert _mode(cached) == 0o600  # and written afresh, private
    cached.write_text(cached.read_text(encoding="utf-8").replace(title, "他人写入的标题", 1), encoding="utf-8")
    cache.chmod(0o777)  # a folder others may write: its files are not believed
    assert load_policy_path(folder).title == title
    assert _mode(cache) == 0o700  # our own folder, made private again


def test_a_pickle_planted_in_the_cache_never_runs(package):
    folder, cache = package
    marker = Path("/tmp/ipfund-pickle-ran")
    marker.unlink(missing_ok=True)
    load_policy_path(folder)
    (cached,) = cache.glob("policy-*.json")
    cached.write_bytes(pickle.dumps(Boom()))
    cached.with_suffix(".pickle").write_bytes(pickle.dumps(Boom()))  # where older versions looked
    policy = load_policy_path(folder)
    assert policy.title and not marker.exists()


def test_a_package_whose_id_changes_is_installed_under_its_new_id(tmp_path, monkeypatch):
    """The ids of the installed packages are remembered while each policy.yaml stays the same file
    (a queue page asks for them on every row); a policy.yaml rewritten is read again."""
    from ipfund.engine import installed_ids

    folder = tmp_path / "pkg"
    shutil.copytree(PACKAGE, folder)
    text = (folder / "policy.yaml").read_text(encoding="utf-8")
    old_id = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("id:"))
    (folder / "policy.yaml").write_text(text.replace(f"id: {old_id}", "id: renamed-once", 1), encoding="utf-8")
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(folder))
    assert "renamed-once" in installed_ids() and "renamed-once" in installed_ids()
    (folder / "policy.yaml").write_text(text.replace(f"id: {old_id}", "id: renamed-twice-over", 1), encoding="utf-8")
    ids = installed_ids()
    assert "renamed-twice-over" in ids and "renamed-once" not in ids
