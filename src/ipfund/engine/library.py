"""The installed policy packages as the door offers them: found, read as `PolicyView`s, their state
and validity on a day, checked, tested against their golden cases, compared, installed.

Every function takes or returns the read model (`PolicyView`) or plain values; none hands out the
engine's `Policy`. Built-in packages are found like any other: by the folders on the policy path
(`packages.builtin_folders`), not by importing them.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import BatchError
from .packages import PackageRef, discover, installed, package_id, use_store
from .policy import load_policy, load_policy_path
from .validity import STATE_LABELS, Validity
from .validity import state_on as _state_on
from .validity import validity as _validity
from .view import PolicyView, view_of


def policy_view(policy_id: str) -> PolicyView:
    """An installed package by id, as people read it (BatchError when none is installed under it)."""
    return view_of(load_policy(policy_id))


def policy_view_at(folder: str | Path) -> PolicyView:
    """A package folder not installed (being written, or uploaded and unpacked), read."""
    return view_of(load_policy_path(folder))


def open_package(target: str) -> PolicyView:
    """A package by folder (a path: it has a "/" or starts with ".", or is a folder) or by installed id."""
    if Path(target).is_dir() or "/" in target or target.startswith("."):
        return policy_view_at(target)
    return policy_view(target)


def package_refs() -> tuple[dict[str, PackageRef], list[str]]:
    """Every installed package by id (built-ins first, then IPFUND_POLICY_PATH's, then the store's)
    and the problems met finding them, in Chinese."""
    return discover()


def installed_ids() -> list[str]:
    return list(installed())


def package_folder(view: PolicyView) -> Path:
    """The folder a package was read from."""
    assert view._policy is not None
    return view._policy.path


def validity_of(view: PolicyView, on: dt.date, interpretations: dict[str, str] | None = None) -> Validity:
    """The first and last event day the policy admits, its parameters read on a day."""
    assert view._policy is not None
    return _validity(view._policy, on, interpretations)


def state_on(view: PolicyView, day: dt.date) -> str:
    """IN_FORCE / NOT_YET / EXPIRED on a day (STATE_LABELS: 现行 / 未生效 / 已失效)."""
    assert view._policy is not None
    return _state_on(view._policy, day)


def state_label(view: PolicyView, day: dt.date) -> str:
    return STATE_LABELS[state_on(view, day)]


def check_package(view: PolicyView) -> list[str]:
    """The package's problems (Chinese), as `ipfund policy check` finds them in a loaded package."""
    from .authoring.checks import check_package as check

    assert view._policy is not None
    return check(view._policy) + view._policy._shared_cap_problems()


def check_folder(folder: str | Path) -> tuple[list[str], list[str]]:
    """(problems, warnings) of a package folder, each naming its file and line; never raises."""
    from .authoring.checks import check_folder as check

    return check(Path(folder))


@dataclass(frozen=True)
class GoldenReport:
    """`ipfund policy test`: the golden cases run, the failures as lines of Chinese text."""

    ok: bool
    summary: str
    failures: tuple[str, ...]


def golden_test(view: PolicyView) -> GoldenReport:
    """Run a package's golden cases (golden/*.yaml): batch and bulk decisions against their expectations."""
    from .authoring.golden import run_cases

    assert view._policy is not None
    report = run_cases(view._policy)
    return GoldenReport(report.ok, report.summary(), tuple(report.failures))


def diff_packages(old: PolicyView, new: PolicyView, *, old_day: dt.date | None = None,
                  new_day: dt.date | None = None) -> list[str]:
    """`ipfund policy diff`: what changed from one package (or its version on a day) to another, in Chinese."""
    from .authoring.diff import diff_policies

    assert old._policy is not None and new._policy is not None
    return list(diff_policies(old._policy, new._policy, old_day=old_day, new_day=new_day))


def folder_package_id(folder: str | Path) -> str | None:
    """The id a package folder's policy.yaml declares (None when none); ValueError when unreadable."""
    return package_id(Path(folder))


def install_package(folder: str | Path, store: str | Path, policy_id: str) -> Path:
    """Move a checked package folder into the store under its id, atomically (one rename on one
    file system: OSError when a package of that name is there), and forget the loaded policies."""
    target = Path(store) / policy_id
    os.rename(folder, target)
    forget_loaded()
    return target


def use_policy_store(folder: str | Path | None) -> None:
    """Name the policy store a platform installs uploaded packages into, and forget loaded policies."""
    use_store(folder)
    forget_loaded()


def forget_loaded() -> None:
    """Forget every loaded policy: the next look-up reads the installed packages again."""
    from .policy import _load_installed

    _load_installed.cache_clear()


def show_policy(view: PolicyView) -> list[str]:
    """`ipfund policy show`: the clauses, items and interpretations of a package, as lines of text."""
    from .authoring.show import overview

    assert view._policy is not None
    return overview(view._policy)


def show_item(view: PolicyView, item: str) -> list[str]:
    """`ipfund policy show ITEM`: everything about one item (KeyError when the package has none)."""
    from .authoring.show import item_text

    assert view._policy is not None
    return item_text(view._policy, view._policy.items[item])


def package_summary(view: PolicyView) -> str:
    """What `policy check` says of a package that passes: its clauses, items, parameters, interpretations."""
    assert view._policy is not None
    p = view._policy
    return f"{p.id}：{len(p.clauses)} 个条款、{len(p.items)} 个项目、{len(p.parameters)} 个参数、{len(p.interpretations)} 个解释"


def field_words(view: PolicyView, item: str | None, field: str) -> str:
    """A dotted input field (`facts.level`) as a person reads it (`事实「奖项等级」`)."""
    from .explain import field_words as words

    assert view._policy is not None
    return str(words(view._policy, item, field))


__all__ = [
    "BatchError", "GoldenReport", "PackageRef", "check_folder", "check_package", "diff_packages", "field_words",
    "folder_package_id", "forget_loaded", "install_package", "installed_ids", "open_package", "package_folder",
    "package_refs", "package_summary", "policy_view", "policy_view_at", "show_item", "show_policy", "state_label",
    "state_on", "golden_test", "use_policy_store", "validity_of",
]
