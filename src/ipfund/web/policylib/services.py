"""The 政策库's one change: a policy package uploaded as a .zip, unpacked safely, checked and tested,
and only when both pass activated — moved into the policy store, audited with its id, title and a
digest of its files. A refused package leaves nothing behind.

Unpacking refuses absolute paths, `..`, symbolic links and other special entries, encrypted entries,
program files (a package is data: loading Python would run it), more files or more bytes than the
settings allow (counted while unpacking, not trusted from the archive's headers), and any archive
that is not exactly one package folder with policy.yaml.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from django.core.exceptions import ValidationError

from ipfund.web.accounts import roles
from ipfund.web.audit.services import audit_record
from ipfund.web.audit.actions import AuditAction
from ipfund.web.policylib.signals import package_retiring
from ipfund.web.engine_door import (
    ORIGIN_STORE,
    PackageInfo,
    PackageReport,
    policy_folder_examine,
    policy_folder_id,
    policy_installed_ids,
    policy_library_changed,
    policy_package,
    policy_package_diff,
    policy_package_install,
    policy_package_report,
    policy_store,
)

ONLY_ADMIN = "只有系统管理员可以安装政策包。"
NOT_ZIP = "上传的文件不是 ZIP 压缩包。"
TOO_BIG_UPLOAD = "上传的文件超过 {limit}，未安装。"
TOO_MANY_FILES = "压缩包中有 {count} 个文件，超过上限 {limit} 个。"
TOO_BIG = "压缩包解压后超过 {limit}。"
ABSOLUTE = "压缩包中的路径 {name} 是绝对路径。"
PARENT = "压缩包中的路径 {name} 含有“..”（指向政策包以外）。"
BACKSLASH = "压缩包中的路径 {name} 含有反斜杠“\\”，请用常见的压缩工具重新打包。"
LINK = "压缩包中的 {name} 是符号链接，政策包不能含有链接。"
SPECIAL = "压缩包中的 {name} 不是普通文件或文件夹。"
ENCRYPTED = "压缩包中的 {name} 已加密，请上传未加密的压缩包。"
PROGRAM = "压缩包中的 {name} 是程序文件：政策包只能由数据写成（政策定义文件、原文、测试案例）。"
NO_POLICY_YAML = "压缩包中没有政策定义文件：政策包文件夹中须有政策定义文件（见《政策包编写说明》）。"
SEVERAL_PACKAGES = "压缩包中有 {count} 个政策定义文件（{names}）：一次只能上传一个政策包。"
TOO_DEEP = "政策定义文件应在压缩包的顶层，或在顶层的一个文件夹中，现为 {name}。"
OUTSIDE = "压缩包中的 {name} 不在政策包文件夹 {root} 中：压缩包只能含一个政策包文件夹。"
SAME_NAME = "压缩包中 {name} 出现了两次。"
UNREADABLE = "压缩包中的 {name} 无法解压：{error}"
NO_ID = "政策定义文件缺少政策编号。"
BAD_ID = "政策编号 {id!r} 只能由字母、数字、“-”“_”“.”组成，且以字母或数字开头（不超过 100 个字符）。"
BAD_YAML = "政策定义文件无法读取：{error}"
ALREADY_INSTALLED = "政策编号 {id} 已安装（{title}）：同一政策编号只能安装一次。新政策请在政策定义文件中使用新的政策编号。"
ALREADY_IN_STORE = "政策库文件夹中已有 {id}，未安装。"
NOT_PASSED = "检查或测试未通过，政策包未安装。"
ONLY_ADMIN_RETIRE = "只有系统管理员可以停用政策包。"
RETIRE_NOT_UPLOADED = "只能停用在政策库上传的政策包；{title}是平台内置或由部署配置提供的政策，不能在此停用。"
RETIRE_UNKNOWN = "没有安装政策编号为 {id} 的政策包。"
RETIRE_ALREADY = "该政策包已于 {at} 停用。"
RETIRE_REASON = "请填写停用理由。"
RETIRE_OPEN_ROUNDS = "该政策还有 {count} 个未结束的申报批次（{names}），批次结束后才能停用。"
RETIRE_UNDECIDED = "该政策还有 {count} 件尚未办结的申报（草稿、待审核或公示中），办结后才能停用。"

PROGRAM_SUFFIXES = (".py", ".pyc", ".pyo", ".pyd", ".so", ".dll", ".exe", ".sh", ".bat")
ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
#: what archivers add beside the files (macOS Finder): skipped, not refused
ARCHIVER_LITTER = ("__MACOSX",)
ARCHIVER_FILES = (".DS_Store", "Thumbs.db")


class PackageRefused(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


@dataclass
class UploadOutcome:
    """What became of an upload: activated, or refused with its problems (check and test included)."""

    activated: bool
    problems: list[str] = field(default_factory=list)
    package: PackageInfo | None = None
    report: PackageReport | None = None
    digest: str = ""


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n} 字节"


def _entry_problems(info: zipfile.ZipInfo) -> list[str]:
    name = info.filename
    mode = info.external_attr >> 16
    if "\\" in name:
        return [BACKSLASH.format(name=name)]
    if name.startswith("/") or re.match(r"[A-Za-z]:", name) or "\x00" in name:
        return [ABSOLUTE.format(name=name)]
    if ".." in PurePosixPath(name).parts:
        return [PARENT.format(name=name)]
    if stat.S_ISLNK(mode):
        return [LINK.format(name=name)]
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):  # 0: an archiver that records no file type
        return [SPECIAL.format(name=name)]
    if info.flag_bits & 0x1:
        return [ENCRYPTED.format(name=name)]
    if not info.is_dir() and name.lower().endswith(PROGRAM_SUFFIXES):
        return [PROGRAM.format(name=name)]
    return []


def _litter(info: zipfile.ZipInfo) -> bool:
    parts = PurePosixPath(info.filename).parts
    return bool(parts) and (parts[0] in ARCHIVER_LITTER or parts[-1] in ARCHIVER_FILES)


def _package_root(files: list[zipfile.ZipInfo]) -> PurePosixPath:
    """The one folder of the archive holding policy.yaml ("." for the archive's top)."""
    yamls = [PurePosixPath(i.filename) for i in files if PurePosixPath(i.filename).name == "policy.yaml"]
    if not yamls:
        raise PackageRefused([NO_POLICY_YAML])
    if len(yamls) > 1:
        raise PackageRefused([SEVERAL_PACKAGES.format(count=len(yamls), names="、".join(map(str, yamls)))])
    root = yamls[0].parent
    if len(root.parts) > 1:
        raise PackageRefused([TOO_DEEP.format(name=yamls[0])])
    return root


def unpack(source, into: Path) -> Path:
    """Unpack a package archive into the folder ``into`` (created); PackageRefused names every problem."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise PackageRefused([NOT_ZIP]) from None
    with archive:
        entries = [i for i in archive.infolist() if not _litter(i)]
        problems = [p for i in entries for p in _entry_problems(i)]
        if problems:
            raise PackageRefused(problems)
        files = [i for i in entries if not i.is_dir()]
        if len(files) > settings.IPFUND_POLICY_ZIP_MAX_FILES:
            raise PackageRefused([TOO_MANY_FILES.format(count=len(files), limit=settings.IPFUND_POLICY_ZIP_MAX_FILES)])
        root = _package_root(files)
        outside = [i.filename for i in entries if root.parts and PurePosixPath(i.filename).parts[:1] != root.parts]
        if outside:
            raise PackageRefused([OUTSIDE.format(name=n, root=root) for n in outside])
        into.mkdir(parents=True)
        budget = settings.IPFUND_POLICY_ZIP_MAX_BYTES
        for info in files:
            budget = _extract(archive, info, into, root, budget)
    return into


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, into: Path, root: PurePosixPath, budget: int) -> int:
    relative = PurePosixPath(info.filename).relative_to(root) if root.parts else PurePosixPath(info.filename)
    target = into.joinpath(*relative.parts)
    if into.resolve() not in target.resolve().parents:  # the checks above make this impossible; kept as a guard
        raise PackageRefused([PARENT.format(name=info.filename)])
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with archive.open(info) as src, open(target, "xb") as out:
            while chunk := src.read(64 * 1024):
                budget -= len(chunk)
                if budget < 0:
                    raise PackageRefused([TOO_BIG.format(limit=_size(settings.IPFUND_POLICY_ZIP_MAX_BYTES))])
                out.write(chunk)
    except FileExistsError:
        raise PackageRefused([SAME_NAME.format(name=info.filename)]) from None
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise PackageRefused([UNREADABLE.format(name=info.filename, error=exc)]) from None
    return budget


def package_digest(folder: Path) -> str:
    """sha256 over every file of the package: its path and the sha256 of its bytes, in path order."""
    whole = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        whole.update(f"{path.relative_to(folder).as_posix()}\0{hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode())
    return "sha256:" + whole.hexdigest()


def _package_id(folder: Path) -> str:
    try:
        pid = policy_folder_id(folder)
    except (OSError, ValueError) as exc:
        raise PackageRefused([BAD_YAML.format(error=exc)]) from None
    if not pid:
        raise PackageRefused([NO_ID])
    if not ID.fullmatch(pid):
        raise PackageRefused([BAD_ID.format(id=pid)])
    if pid in policy_installed_ids():
        installed = policy_package(pid, timezone.localdate())
        title = f"{installed.document_number}《{installed.title}》" if installed else pid
        raise PackageRefused([ALREADY_INSTALLED.format(id=pid, title=title)])
    return pid


def package_upload(*, actor, upload) -> UploadOutcome:
    """Unpack, check and test an uploaded package; activate it only when both pass."""
    if not roles.has_role(actor, roles.ADMIN):
        raise PermissionDenied(ONLY_ADMIN)
    if getattr(upload, "size", 0) > settings.IPFUND_MAX_UPLOAD_BYTES:
        return UploadOutcome(False, [TOO_BIG_UPLOAD.format(limit=_size(settings.IPFUND_MAX_UPLOAD_BYTES))])
    store = policy_store()
    store.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".incoming-", dir=store))  # a dot: never read as a package
    try:
        folder = unpack(upload, work / "package")
        pid = _package_id(folder)
        package, report = policy_folder_examine(folder, timezone.localdate())
        if package is None or not report.ok:
            return UploadOutcome(False, [NOT_PASSED], package, report)
        digest = package_digest(folder)
        _activate(actor, folder, store / pid, package, digest)
        return UploadOutcome(True, [], package, report, digest)
    except PackageRefused as exc:
        return UploadOutcome(False, exc.problems)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        policy_library_changed()


def _activate(actor, folder: Path, target: Path, package: PackageInfo, digest: str) -> None:
    """Move the checked package into the store and audit it, both or neither."""
    try:
        policy_package_install(folder, target.name)  # atomic on one file system; refuses a non-empty folder of that name
    except OSError:
        raise PackageRefused([ALREADY_IN_STORE.format(id=target.name)]) from None
    try:
        with transaction.atomic():
            audit_record(
                actor=actor, action=AuditAction.POLICY_PACKAGE_ACTIVATE, object_type="policy_package", object_id=package.id,
                after={"id": package.id, "title": package.title, "document_number": package.document_number,
                       "digest": digest, "files": sum(1 for p in target.rglob("*") if p.is_file())},
            )
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise


def package_page(policy_id: str, against: str | None) -> dict | None:
    """What a package's page shows: the package, its check and test, and its diff against ``against``
    (default: the policy it continues). None when no package is installed under the id."""
    today = timezone.localdate()
    package = policy_package(policy_id, today)
    if package is None:
        return None
    against = against or package.predecessor_id or None
    if against and against not in policy_installed_ids():
        against = None
    return {
        "package": package,
        "report": policy_package_report(policy_id),
        "against": against,
        "diff": policy_package_diff(against, policy_id) if against and against != policy_id else [],
    }


# The states in which a claim still waits for a decision: the package it is judged under stays.
UNDECIDED_STATES = ("draft", "proposed", "submitted", "returned", "recommended", "approved", "in_notice")


def package_retired(policy_id: str):
    """The record of ``policy_id``'s retirement, or None while it is offered."""
    from .models import RetiredPackage

    return RetiredPackage.objects.filter(policy_id=policy_id).select_related("retired_by").first()


def retired_ids() -> set[str]:
    from .models import RetiredPackage

    return set(RetiredPackage.objects.values_list("policy_id", flat=True))


@transaction.atomic
def package_retire(*, actor, policy_id: str, reason: str):
    """Retire an uploaded package: no new round or claim under it; kept in the store, so that what
    was decided under it still reads it. Refused while one of its rounds is open or not yet open,
    or a claim under it is undecided. Audited."""
    from .models import RetiredPackage

    if not roles.has_role(actor, roles.ADMIN):
        raise PermissionDenied(ONLY_ADMIN_RETIRE)
    package = policy_package(policy_id, timezone.localdate())
    if package is None:
        raise ValidationError(RETIRE_UNKNOWN.format(id=policy_id), code="unknown")
    if package.origin != ORIGIN_STORE:
        raise ValidationError(RETIRE_NOT_UPLOADED.format(title=f"《{package.title}》"), code="not_uploaded")
    earlier = RetiredPackage.objects.select_for_update().filter(policy_id=policy_id).first()
    if earlier is not None:
        raise ValidationError(RETIRE_ALREADY.format(at=timezone.localtime(earlier.retired_at).strftime("%Y-%m-%d %H:%M")),
                              code="retired")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [RETIRE_REASON]})
    # The apps built on the library refuse while the package is still in use: rounds (one of its
    # rounds open or not yet open: RETIRE_OPEN_ROUNDS), then claims (one undecided: RETIRE_UNDECIDED).
    package_retiring.send(sender=RetiredPackage, policy_id=policy_id)
    retired = RetiredPackage.objects.create(policy_id=policy_id, retired_at=timezone.now(), retired_by=actor, reason=reason)
    audit_record(actor=actor, action=AuditAction.POLICY_PACKAGE_RETIRE, object_type="policy_package", object_id=policy_id,
                 after={"id": policy_id, "title": package.title, "document_number": package.document_number, "reason": reason})
    return retired
