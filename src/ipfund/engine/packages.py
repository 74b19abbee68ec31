"""Where policy packages are found: the built-in ones, and the folders named by IPFUND_POLICY_PATH.

`IPFUND_POLICY_PATH` holds folders separated by `os.pathsep`; each is either a package (a folder
with policy.yaml) or a folder of packages. A package is known by the `id` in its policy.yaml; a
folder may not install an id that is already installed (that would silently change decisions).
The state of a package (现行 / 未生效 / 已失效) is read from its validity parameters at a date.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from pathlib import Path

ENV = "IPFUND_POLICY_PATH"

IN_FORCE, NOT_YET, EXPIRED = "in_force", "not_yet", "expired"
STATE_LABELS = {IN_FORCE: "现行", NOT_YET: "未生效", EXPIRED: "已失效"}

DUPLICATE_PACKAGE = "政策编号 {id} 已由 {first} 安装，{second} 中的同名政策包未被采用"
NOT_A_PACKAGE = "{path} 不是政策包（缺少 policy.yaml），其中也没有政策包"
NO_FOLDER = "IPFUND_POLICY_PATH 中的目录 {path} 不存在"
NO_ID = "{path}/policy.yaml 缺少 id（政策编号）"


@dataclass(frozen=True)
class PackageRef:
    """An installed package: its id and folder, and whether it comes with ipfund."""

    id: str
    path: Path
    builtin: bool = False


def _builtin() -> list[PackageRef]:
    import importlib.util

    from ipfund.policies import REGISTRY

    refs = []
    for policy_id, module in REGISTRY.items():
        spec = importlib.util.find_spec(module)
        refs.append(PackageRef(policy_id, Path(spec.origin).parent, builtin=True))
    return refs


def package_id(folder: Path) -> str | None:
    """The id a package folder declares (read without loading the whole package)."""
    from .policy import _load_yaml

    data = _load_yaml(folder / "policy.yaml")
    pid = data.get("id") if isinstance(data, dict) else None
    return str(pid) if pid else None


def path_folders(value: str | None = None, problems: list[str] | None = None) -> list[Path]:
    """The package folders named by IPFUND_POLICY_PATH (each entry a package or a folder of them);
    an entry that is neither is reported in `problems`."""
    value = os.environ.get(ENV, "") if value is None else value
    out = []
    for entry in value.split(os.pathsep):
        if not entry.strip():
            continue
        folder = Path(entry).expanduser()
        if (folder / "policy.yaml").is_file():
            out.append(folder)
            continue
        inside = sorted(p for p in folder.iterdir() if (p / "policy.yaml").is_file()) if folder.is_dir() else []
        if not inside and problems is not None:
            problems.append(NOT_A_PACKAGE.format(path=folder) if folder.is_dir() else NO_FOLDER.format(path=folder))
        out.extend(inside)
    return out


def discover(value: str | None = None) -> tuple[dict[str, PackageRef], list[str]]:
    """Every installed package by id, built-ins first, and the problems met (in Chinese)."""
    found: dict[str, PackageRef] = {ref.id: ref for ref in _builtin()}
    problems: list[str] = []
    for folder in path_folders(value, problems):
        try:
            pid = package_id(folder)
        except (OSError, ValueError) as exc:
            problems.append(f"{folder}：{exc}")
            continue
        if pid is None:
            problems.append(NO_ID.format(path=folder))
        elif pid in found:
            problems.append(DUPLICATE_PACKAGE.format(id=pid, first=found[pid].path, second=folder))
        else:
            found[pid] = PackageRef(pid, folder)
    return found, problems


def installed() -> dict[str, PackageRef]:
    """The installed packages under the current IPFUND_POLICY_PATH."""
    return discover()[0]


def state_on(policy, day: _dt.date) -> str:
    """Whether a policy is in force on a day, by its validity parameters at that day."""
    ordinal = day.toordinal()
    start = policy.params.value_one("validity.start", ordinal)
    end = policy.params.value_one("validity.end", ordinal)
    if ordinal < start:
        return NOT_YET
    if ordinal > end:
        return EXPIRED
    return IN_FORCE
