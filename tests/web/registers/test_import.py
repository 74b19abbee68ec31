"""Importing registers: the clerk's mapping, every import a new version beside the old, names
matched after normalisation with fuzzy suggestions, a clerk's resolution remembered, and a bad
file refused whole with the row and column of each bad cell."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ipfund.web.accounts.idgen import make_uscc
from ipfund.web.audit.models import AuditEvent
from ipfund.web.registers.models import NameResolution, Register, RegisterImport, RegisterRow
from ipfund.web.registers.selectors import rows_waiting
from ipfund.web.registers.services import register_for, register_import, register_row_resolve, register_upload

from .conftest import csv_bytes, enterprise_rows, xlsx_bytes

HONGDA, XINGHUI, XINGHUI2, YUANDA = (make_uscc("enterprise", 7100 + i) for i in range(4))


def import_enterprises(actor, *companies):
    register = register_for(kind=Register.ENTERPRISES)
    upload = register_upload(actor=actor, register=register, file_name="名录.csv", content=csv_bytes(enterprise_rows(*companies)))
    return register_import(actor=actor, upload=upload)


@pytest.fixture
def enterprises(staff):
    return import_enterprises(
        staff.reviewer,
        ("肇庆宏达科技有限责任公司", HONGDA, "肇庆高新区迎宾大道 1 号"),
        ("星辉电子有限公司", XINGHUI, "肇庆高新区建设三路 2 号"),
        ("星辉电子（肇庆）有限公司", XINGHUI2, "广州市天河区 3 号"),
        ("远大材料有限公司", YUANDA, "肇庆高新区工业大道 4 号"),
    )


def test_the_enterprise_register_is_read_with_the_template_columns(enterprises):
    assert enterprises.version == 1 and enterprises.rows == 4
    row = enterprises.register_rows.get(credit_code=HONGDA)
    assert row.data["in_zone"] is True and row.data["sme"] is True and row.data["kind"] == "enterprise"
    assert row.data["registered_on"] == "2018-03-01"
    assert enterprises.register_rows.get(credit_code=XINGHUI2).data["in_zone"] is False
    assert AuditEvent.objects.filter(action="register_import", object_id=str(enterprises.pk)).exists()


def test_a_second_import_is_a_new_version_and_the_first_is_kept(staff, enterprises):
    second = import_enterprises(staff.reviewer, ("肇庆宏达科技有限责任公司", HONGDA, "广州市"))
    assert second.version == 2
    assert enterprises.register_rows.count() == 4  # version 1 untouched
    assert second.register_rows.get().data["in_zone"] is False


def award_upload(actor, rows, *, name="中国专利奖.xlsx"):
    register = register_for(kind=Register.AWARDS, code="china-patent-award-2026", name="2026年中国专利奖获奖名单",
                            item="china_patent_award")
    content = xlsx_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows)
    return register_upload(actor=actor, register=register, file_name=name, content=content)


AWARD_HEADER = ["专利权人", "专利号", "奖项", "授奖日期"]


def test_award_names_are_matched_suggested_or_left_for_the_clerk(staff, enterprises):
    upload = award_upload(staff.reviewer, [
        AWARD_HEADER,
        ["宏达科技有限公司", "ZL201910000001.2", "金奖", "2026-05-10"],  # 有限责任公司, place prefix: matched
        ["星辉电子有限公司", "ZL201910000002.7", "银奖", "2026/5/10"],  # two enterprises normalise the same
        ["远大新材料", "ZL201910000003.1", "优秀奖", "2026年5月10日"],  # nothing exact: suggestions
    ])
    assert upload.mapping == {"专利权人": "name", "专利号": "patent_number", "奖项": "", "授奖日期": "event_date"}
    imported = register_import(actor=staff.reviewer, upload=upload, mapping={**upload.mapping, "奖项": "level"})
    rows = {r.number: r for r in imported.register_rows.all()}
    assert rows[2].state == RegisterRow.MATCHED and rows[2].credit_code == HONGDA
    assert rows[2].data["facts"] == {"patent_number": "ZL201910000001.2", "level": "gold"}
    assert rows[3].state == RegisterRow.AMBIGUOUS
    assert {c["credit_code"] for c in rows[3].candidates} == {XINGHUI, XINGHUI2}
    assert rows[4].state == RegisterRow.UNMATCHED and rows[4].candidates[0]["credit_code"] == YUANDA
    assert rows[4].data["event_date"] == "2026-05-10"
    assert set(rows_waiting()) == {rows[3], rows[4]}

    register_row_resolve(actor=staff.reviewer, row=rows[4], credit_code=YUANDA)
    register_row_resolve(actor=staff.reviewer, row=rows[3], credit_code=XINGHUI)
    assert not rows_waiting().exists()
    assert NameResolution.objects.get(name_normal=rows[4].name_normal).credit_code == YUANDA

    # the next version of the list: the clerk's answers are remembered
    again = award_upload(staff.reviewer, [["获奖单位", "专利号", "奖项等级", "获奖日期"],
                                          ["远大新材料", "ZL201910000003.1", "优秀奖", "2026-05-10"]], name="第二版.csv")
    again = register_import(actor=staff.reviewer, upload=again)
    assert again.version == 2
    assert again.register_rows.get().state == RegisterRow.MATCHED and again.register_rows.get().credit_code == YUANDA


def test_a_bad_file_names_row_and_column_and_imports_nothing(staff, enterprises):
    upload = award_upload(staff.reviewer, [
        ["获奖单位", "专利号", "奖项等级", "获奖日期"],
        ["宏达科技有限公司", "ZL201910000001.2", "金奖", "2026-05-10"],
        ["远大材料有限公司", "ZL201910000003.1", "铜奖", "2026-02-30"],
    ])
    with pytest.raises(ValidationError) as caught:
        register_import(actor=staff.reviewer, upload=upload)
    messages = caught.value.message_dict["file"]
    assert "第 3 行“奖项等级”列：“铜奖”不是可选值（可填：金奖、银奖、优秀奖）" in messages
    assert any(m.startswith("第 3 行“获奖日期”列：“2026-02-30”不是有效日期") for m in messages)
    assert RegisterRow.objects.filter(version=upload).count() == 0
    upload.refresh_from_db()
    assert upload.state == RegisterImport.MAPPING and upload.version is None


def test_a_mapping_without_a_required_field_is_refused(staff, enterprises):
    upload = award_upload(staff.reviewer, [["获奖单位", "专利号", "日期"], ["宏达", "ZL201910000001.2", "2026-05-10"]])
    with pytest.raises(ValidationError) as caught:
        register_import(actor=staff.reviewer, upload=upload)
    assert "缺少必需的列：奖项等级（字段 level）。请在列映射中指定，或按模板命名该列。" in caught.value.message_dict["mapping"]


def test_files_that_are_not_tables_are_refused(staff):
    register = register_for(kind=Register.ENTERPRISES)
    with pytest.raises(ValidationError) as caught:
        register_upload(actor=staff.reviewer, register=register, file_name="名录.pdf", content=b"%PDF-1.4")
    assert caught.value.message_dict["file"] == ["只能导入 Excel（.xlsx）或 CSV（UTF-8 或 GBK 编码）文件：名录.pdf"]
    gbk = "企业名称,统一社会信用代码,注册地址\n宏达,{code},肇庆高新区\n".format(code=HONGDA).encode("gbk")
    upload = register_upload(actor=staff.reviewer, register=register, file_name="gbk.csv", content=gbk)
    assert register_import(actor=staff.reviewer, upload=upload).register_rows.get().name == "宏达"


def test_only_reviewers_and_administrators_import(applicant, staff):
    register = register_for(kind=Register.ENTERPRISES)
    with pytest.raises(PermissionDenied):
        register_upload(actor=staff.finance, register=register, file_name="a.csv", content=b"a\n1\n")
    with pytest.raises(PermissionDenied):
        register_upload(actor=applicant("enterprise"), register=register, file_name="a.csv", content=b"a\n1\n")


def test_a_list_keyed_by_credit_code_is_a_register_too(staff):
    register = register_for(kind=Register.LIST, code="dishonest", name="失信被执行人名单")
    rows = [["单位名称", "统一社会信用代码", "列入日期", "列入原因"], ["宏达", HONGDA, "2026-01-05", "失信被执行"]]
    version = register_import(actor=staff.reviewer, upload=register_upload(
        actor=staff.reviewer, register=register, file_name="失信.csv", content=csv_bytes(rows)))
    row = version.register_rows.get()
    assert (row.credit_code, row.state, row.data["listed_on"], row.data["note"]) == (HONGDA, RegisterRow.MATCHED, "2026-01-05", "失信被执行")
