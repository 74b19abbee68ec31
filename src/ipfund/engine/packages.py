"""Where policy packages are found: the built-in ones, the folders named by IPFUND_POLICY_PATH, and
the policy store (IPFUND_POLICY_STORE: the folder the platform's 政策库 installs uploaded packages into).

`IPFUND_POLICY_PATH` holds folders separated by `os.pathsep`; each is either a package (a folder
with policy.yaml) or a folder of packages. The store is one folder of packages, always searched
after IPFUND_POLICY_PATH; it may not exist yet (nothing installed). Its folders are never changed in
place: a package arrives by a rename into it, so the store folder's modification time says when
its contents changed (`store_stamp`, which keys the engine's cache of loaded policies). A package is known by the `id` in its policy.yaml; a
folder may not install an id that is already installed (that would silently change decisions).
The state of a package (现行 / 未生效 / 已失效) is read from its validity parameters at a date.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


ENV = "IPFUND_POLICY_PATH"
STORE_ENV = "IPFUND_POLICY_STORE"

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
    stored: bool = False  # installed in the policy store (uploaded on the 政策库 page)


#: The folder of the packages that come with ipfund: on the policy path like any other folder of
#: packages, searched first (found by folder, never imported).
BUILTIN_FOLDER = Path(__file__).resolve().parent.parent / "policies"


def builtin_folders() -> list[Path]:
    """The built-in package folders (each holding policy.yaml), in name order."""
    if not BUILTIN_FOLDER.is_dir():
        return []
    return sorted(p for p in BUILTIN_FOLDER.iterdir() if (p / "policy.yaml").is_file())


def _builtin() -> list[PackageRef]:
    refs = []
    for folder in builtin_folders():
        pid = package_id(folder)
        assert pid, f"built-in policy package {folder} declares no id"
        refs.append(PackageRef(pid, folder, builtin=True))
    return refs


#: policy.yaml's path → (its stat stamp, the id it declares): every page that lists the installed
#: packages asks for each folder's id, and parsing policy.yaml again (tens of milliseconds for
#: five packages) was most of a staff queue page's time at province scale.
_ids: dict[str, tuple[tuple[int, int, int, int], str | None]] = {}


def package_id(folder: Path) -> str | None:
    """The id a package folder declares (read without loading the whole package; remembered while
    its policy.yaml is the same file with the same size and times)."""
    from .yamlfile import _load_yaml

    path = folder / "policy.yaml"
    st = path.stat()
    stamp = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    known = _ids.get(str(path))
    if known is not None and known[0] == stamp:
        return known[1]
    data = _load_yaml(path)
    value = data.get("id") if isinstance(data, dict) else None
    pid = str(value) if value else None
    _ids[str(path)] = (stamp, pid)
    return pid


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


_store: Path | None = None


def use_store(folder: str | Path | None) -> None:
    """Name the policy store (a platform does so at start; None: back to IPFUND_POLICY_STORE)."""
    global _store
    _store = Path(folder).expanduser() if folder else None


def store_folder() -> Path | None:
    """The policy store: the folder named by `use_store`, else by IPFUND_POLICY_STORE, else none."""
    if _store is not None:
        return _store
    value = os.environ.get(STORE_ENV, "").strip()
    return Path(value).expanduser() if value else None


def store_stamp() -> tuple[str, int]:
    """The store and when its contents last changed (0: no store yet)."""
    folder = store_folder()
    if folder is None:
        return "", 0
    try:
        return str(folder), folder.stat().st_mtime_ns
    except OSError:
        return str(folder), 0


def store_packages(folder: Path | None) -> list[Path]:
    """The package folders in the store (a folder being installed, named with a leading dot, is not one)."""
    if folder is None or not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".") and (p / "policy.yaml").is_file())


def discover(value: str | None = None, store: Path | None | bool = True) -> tuple[dict[str, PackageRef], list[str]]:
    """Every installed package by id, built-ins first, then IPFUND_POLICY_PATH's, then the store's
    (``store``: True for the configured one, a folder, or None for none), and the problems met (in Chinese)."""
    found: dict[str, PackageRef] = {ref.id: ref for ref in _builtin()}
    problems: list[str] = []
    folder_of_store = store_folder() if store is True else (store or None)
    folders = [(folder, False) for folder in path_folders(value, problems)]
    folders += [(folder, True) for folder in store_packages(folder_of_store)]
    for folder, stored in folders:
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
            found[pid] = PackageRef(pid, folder, stored=stored)
    return found, problems


def installed() -> dict[str, PackageRef]:
    """The installed packages under the current IPFUND_POLICY_PATH and policy store."""
    return discover()[0]


