"""`policy check` never raises, whatever policy.yaml holds: the 2022 package's YAML mutated at
random — a key deleted, renamed or added, a value replaced by one of another shape — is always
answered with Chinese problems naming the file and the line, never with a Python error."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from ipfund.engine.authoring.checks import check_folder

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "ipfund" / "policies" / "zhaoqing_hitech_ip_2022"
DATA = yaml.safe_load((PACKAGE / "policy.yaml").read_text("utf-8"))

#: The catch-alls of check_folder: reaching one means a shape the schema did not foresee.
CATCH_ALLS = ("检查未能完成", "政策包无法读取（")


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, path + (i,))


PATHS = [p for p in _paths(DATA) if p]

JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True), st.text(max_size=12),
    st.dates(min_value=dt.date(1900, 1, 1)), st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(min_size=1, max_size=5), st.text(max_size=5), max_size=2),
    st.just("0.5"), st.just("-1"), st.just("1e9"), st.just([[1, "x"]]), st.just({"inclusive": True, "tiers": []}),
)


def _parent(data, path):
    for p in path[:-1]:
        data = data[p]
    return data


@st.composite
def mutated(draw):
    data = yaml.safe_load(yaml.safe_dump(DATA, allow_unicode=True))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS))
        try:
            parent = _parent(data, path)
            parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue
        op = draw(st.sampled_from(["replace", "delete", "rename", "add"]))
        key = path[-1]
        note(f"{op} at {path}")
        if op == "replace":
            parent[key] = draw(JUNK)
            note(f"  = {parent[key]!r}")
        elif op == "delete":
            del parent[key]
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = parent.pop(key)
        elif op == "add" and isinstance(parent[key], dict):
            parent[key][draw(st.text(min_size=1, max_size=8))] = draw(JUNK)
    return data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=mutated())
def test_check_never_raises_and_locates_every_problem(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("fuzz")
    shutil.copy(PACKAGE / "source.txt", folder / "source.txt")
    (folder / "policy.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    problems, warnings = check_folder(folder)
    for message in problems + warnings:
        assert isinstance(message, str)
        assert message.startswith(("policy.yaml", "source.txt")), message
        assert not any(c in message for c in CATCH_ALLS), message
        assert "Traceback" not in message


def test_the_fuzzed_package_unchanged_checks_clean(tmp_path):
    shutil.copy(PACKAGE / "source.txt", tmp_path / "source.txt")
    (tmp_path / "policy.yaml").write_text(yaml.safe_dump(DATA, allow_unicode=True), "utf-8")
    assert check_folder(tmp_path) == ([], [])
