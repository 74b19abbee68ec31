"""The 政策库 page, through HTTP: the installed packages listed with their state, a package uploaded as
a .zip activated only when its check and golden test pass (and then seen by the platform at once),
unsafe archives, broken packages and duplicate ids refused with nothing installed, admins only."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import stat
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ipfund.web.audit.models import AuditEvent
from ipfund.web.engine_door import BatchError, policy_installed_ids, policy_named

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "policies" / "fictional-successor-2025"
SUCCESSOR = "fictional-successor-2025"
LIBRARY = "portal:admin_policies"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def zipped(folder: Path, *, top: str | None = "fictional-successor-2025", extra=()) -> SimpleUploadedFile:
    """The folder as a .zip (inside a top folder named ``top``, or at the archive's top), plus ``extra``
    entries: (ZipInfo or name, bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = path.relative_to(folder).as_posix()
                archive.write(path, f"{top}/{name}" if top else name)
        for info, data in extra:
            archive.writestr(info, data)
    return SimpleUploadedFile("package.zip", buffer.getvalue(), content_type="application/zip")


def upload(client: Client, file) -> str:
    response = client.post(reverse(LIBRARY), {"package": file}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def store_entries() -> list[str]:
    store = Path(settings.IPFUND_POLICY_STORE)
    return sorted(p.name for p in store.iterdir()) if store.exists() else []


def edited_fixture(tmp_path: Path, edit) -> Path:
    folder = tmp_path / "edited" / SUCCESSOR
    shutil.copytree(FIXTURE, folder)
    edit(folder)
    return folder


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_library_lists_the_2022_policy_as_expired_and_the_upload_activates_the_successor(staff):
    client = signed_in(staff.admin)
    page = client.get(reverse(LIBRARY)).content.decode()
    assert "肇高管办〔2022〕2号" in page and "2022-01-18 至 2025-01-17" in page
    assert "已失效" in page and "内置" in page
    assert "虚构高管办〔2025〕1号" not in page
    with pytest.raises(BatchError):
        policy_named(SUCCESSOR)

    page = upload(client, zipped(FIXTURE))

    assert "已通过检查和测试，已启用" in page
    assert "检查通过" in page and "14 个案例全部通过" in page
    # its page compares it with the policy it continues, item by item, in Chinese
    assert "延续「中国专利奖奖励」" in page and "新增「高价值专利组合培育资助」" in page
    assert store_entries() == [SUCCESSOR]
    listing = client.get(reverse(LIBRARY)).content.decode()
    for shown in ["虚构高管办〔2025〕1号", "肇庆高新区知识产权高质量发展若干措施（虚构·测试用）", "虚构高管办〔2025〕9号",
                  "虚构高新区管委会办公室", "2025-01-18 至 2027-01-17", "政策库上传", "肇高管办〔2022〕2号《"]:
        assert shown in listing, shown
    # the platform sees it without a restart
    successor = policy_named(SUCCESSOR)
    assert successor.predecessor_id == "zhaoqing-hitech-ip-2022"
    assert SUCCESSOR in policy_installed_ids()


def test_activation_is_audited_with_id_title_and_a_digest_of_the_files(staff):
    upload(signed_in(staff.admin), zipped(FIXTURE))
    event = AuditEvent.objects.get(action="policy_package_activate")
    whole = hashlib.sha256()
    for path in sorted(p for p in FIXTURE.rglob("*") if p.is_file()):
        whole.update(f"{path.relative_to(FIXTURE).as_posix()}\0{hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode())
    assert event.actor == staff.admin
    assert (event.object_type, event.object_id) == ("policy_package", SUCCESSOR)
    assert event.after["title"] == "肇庆高新区知识产权高质量发展若干措施（虚构·测试用）"
    assert event.after["digest"] == "sha256:" + whole.hexdigest()
    assert event.after["files"] == sum(1 for p in FIXTURE.rglob("*") if p.is_file())


def test_a_package_at_the_top_of_the_archive_is_accepted_too(staff):
    page = upload(signed_in(staff.admin), zipped(FIXTURE, top=None))
    assert "已启用" in page
    assert store_entries() == [SUCCESSOR]


def test_a_package_dropped_into_the_store_by_another_process_is_seen_without_invalidation(staff, tmp_path):
    with pytest.raises(BatchError):
        policy_named(SUCCESSOR)
    store = Path(settings.IPFUND_POLICY_STORE)
    store.mkdir(parents=True, exist_ok=True)
    staged = store / ".staged"
    shutil.copytree(FIXTURE, staged)
    os.rename(staged, store / SUCCESSOR)  # what another worker's activation does
    assert policy_named(SUCCESSOR).document_number == "虚构高管办〔2025〕1号"


def test_a_sentence_not_verbatim_is_refused_with_the_check_problem_and_nothing_installed(staff, tmp_path):
    folder = edited_fixture(tmp_path, lambda f: replace_in(
        f / "policy.yaml", "为延续肇高管办〔2022〕2号的支持方向", "为继续肇高管办〔2022〕2号的支持方向"))
    page = upload(signed_in(staff.admin), zipped(folder))
    assert "政策包未安装" in page and "检查或测试未通过" in page
    assert "语句不在原文中（须逐字引用）：为继续肇高管办〔2022〕2号的支持方向" in page
    assert store_entries() == []
    assert SUCCESSOR not in policy_installed_ids()
    assert not AuditEvent.objects.filter(action="policy_package_activate").exists()


def test_a_failing_golden_case_is_refused_with_the_failure_and_nothing_installed(staff, tmp_path):
    cases = FIXTURE / "golden" / "cases.yaml"
    amount = next(line.split('"')[1] for line in cases.read_text(encoding="utf-8").splitlines() if "amount: \"" in line)
    wrong = f"{int(amount.split('.')[0]) + 1}.00"
    folder = edited_fixture(tmp_path, lambda f: replace_in(
        f / "golden" / "cases.yaml", f'amount: "{amount}"', f'amount: "{wrong}"'))
    page = upload(signed_in(staff.admin), zipped(folder))
    assert "政策包未安装" in page and "检查通过" in page
    assert "14 个案例，13 个通过，1 个未通过" in page
    assert wrong in page  # the failure says what was expected
    assert store_entries() == []
    assert SUCCESSOR not in policy_installed_ids()


@pytest.mark.parametrize("entry, message", [
    ("../escaped.txt", "含有“..”"),
    ("fictional-successor-2025/../../escaped.txt", "含有“..”"),
    ("/etc/escaped.txt", "是绝对路径"),
    ("fictional-successor-2025/rules.py", "是程序文件"),
])
def test_unsafe_entries_are_refused(staff, entry, message, tmp_path):
    info = zipfile.ZipInfo(entry)
    page = upload(signed_in(staff.admin), zipped(FIXTURE, extra=[(info, b"ITEMS = []\n")]))
    assert "政策包未安装" in page and message in page
    assert store_entries() == []
    assert not (Path(settings.IPFUND_POLICY_STORE).parent / "escaped.txt").exists()


def test_a_symbolic_link_is_refused(staff):
    link = zipfile.ZipInfo("fictional-successor-2025/golden/secret.yaml")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    page = upload(signed_in(staff.admin), zipped(FIXTURE, extra=[(link, b"/etc/passwd")]))
    assert "是符号链接" in page
    assert store_entries() == []


def test_a_package_reading_a_file_outside_itself_is_refused(staff, tmp_path):
    folder = edited_fixture(tmp_path, lambda f: replace_in(f / "policy.yaml", "source_file: source.txt",
                                                            "source_file: ../../../../../../etc/hostname"))
    page = upload(signed_in(staff.admin), zipped(folder))
    assert "不在政策包文件夹中" in page
    assert store_entries() == []


def test_two_packages_or_none_or_too_many_bytes_are_refused(staff, settings):
    client = signed_in(staff.admin)
    two = zipped(FIXTURE, extra=[("other/policy.yaml", b"id: other\n")])
    assert "一次只能上传一个政策包" in upload(client, two)
    assert "压缩包中没有政策定义文件" in upload(client, zipped(FIXTURE / "golden"))
    assert "不是 ZIP 压缩包" in upload(client, SimpleUploadedFile("package.zip", b"not a zip"))
    settings.IPFUND_POLICY_ZIP_MAX_BYTES = 10_000
    assert "解压后超过 10000 字节" in upload(client, zipped(FIXTURE))
    settings.IPFUND_POLICY_ZIP_MAX_FILES = 3
    assert "超过上限 3 个" in upload(client, zipped(FIXTURE))
    assert store_entries() == []


def test_an_id_already_installed_is_refused_by_name(staff, tmp_path):
    client = signed_in(staff.admin)
    assert "已启用" in upload(client, zipped(FIXTURE))
    again = upload(client, zipped(FIXTURE))
    assert "政策编号 fictional-successor-2025 已安装（虚构高管办〔2025〕1号《肇庆高新区知识产权高质量发展若干措施（虚构·测试用）》）" in again
    folder = edited_fixture(tmp_path, lambda f: replace_in(f / "policy.yaml", f"id: {SUCCESSOR}", "id: zhaoqing-hitech-ip-2022"))
    builtin = upload(client, zipped(folder))
    assert "政策编号 zhaoqing-hitech-ip-2022 已安装（肇高管办〔2022〕2号《肇庆高新区关于加强知识产权工作的若干意见》）" in builtin
    assert store_entries() == [SUCCESSOR]
    assert AuditEvent.objects.filter(action="policy_package_activate").count() == 1


def test_a_package_page_shows_check_test_and_a_diff_against_a_chosen_package(staff):
    client = signed_in(staff.admin)
    page = client.get(reverse("portal:admin_policy", args=["zhaoqing-hitech-ip-2022"])).content.decode()
    assert "检查通过" in page and "个案例全部通过" in page
    assert "这项政策不延续其他政策" in page
    upload(client, zipped(FIXTURE))
    url = reverse("portal:admin_policy", args=["zhaoqing-hitech-ip-2022"])
    compared = client.get(url, {"against": SUCCESSOR}).content.decode()
    assert "两项政策比较" in compared and "原：《肇庆高新区知识产权高质量发展若干措施（虚构·测试用）》" in compared
    assert "请从列表中选择一项政策" in client.get(url, {"against": "no-such-policy"}).content.decode()
    assert client.get(reverse("portal:admin_policy", args=["no-such-policy"])).status_code == 404


def test_only_administrators_reach_the_library(staff, applicant):
    for user in (staff.reviewer, staff.approver, staff.finance, applicant("enterprise")):
        client = signed_in(user)
        assert client.get(reverse(LIBRARY)).status_code == 403
        assert client.get(reverse("portal:admin_policy", args=["zhaoqing-hitech-ip-2022"])).status_code == 403
        assert client.post(reverse(LIBRARY), {"package": zipped(FIXTURE)}).status_code == 403
    anonymous = Client().get(reverse(LIBRARY))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert store_entries() == []
    assert reverse(LIBRARY) in signed_in(staff.admin).get(reverse("portal:admin_rounds")).content.decode()  # the top bar
    assert reverse(LIBRARY) not in signed_in(staff.reviewer).get(reverse("portal:review_queue")).content.decode()


def test_the_library_pages_show_no_code_or_english_with_both_policies_installed(staff, settings):
    from tests.web.portal.test_every_page import code_patterns, problems, visible_text

    settings.DEBUG = False
    client = signed_in(staff.admin)
    upload(client, zipped(FIXTURE))
    urls = [reverse(LIBRARY), reverse("portal:admin_policy", args=[SUCCESSOR]),
            reverse("portal:admin_policy", args=["zhaoqing-hitech-ip-2022"]) + f"?against={SUCCESSOR}"]
    patterns = code_patterns()
    found = [f"{url}: {p}" for url in urls for p in problems(visible_text(client.get(url).content.decode()), patterns)]
    assert not found, "\n".join(found)
