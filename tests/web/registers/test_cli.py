"""`ipfund register import KIND FILE` and `ipfund match`, as scripts call them."""

from __future__ import annotations

import json

import pytest

from ipfund.cli.main import main
from ipfund.web.registers.models import RegisterImport

from .conftest import ON, SUCCESSOR, csv_bytes, enterprise_rows, xlsx_bytes

pytestmark = pytest.mark.django_db


def test_import_with_the_template_and_with_a_map_then_match(tmp_path, applicant, capsys):
    company = applicant("enterprise", sme=True, name="肇庆宏达科技有限公司")
    code = company.applicant.ledger_identity
    names = tmp_path / "名录.csv"
    names.write_bytes(csv_bytes(enterprise_rows(("肇庆宏达科技有限公司", code, "肇庆高新区迎宾大道 1 号"))))
    assert main(["register", "import", "enterprises", str(names)]) == 0
    assert capsys.readouterr().out.strip() == "已导入“企业名录（一企一档）”第 1 版：1 行，其中 0 行单位名称待人工确认。"

    awards = tmp_path / "专利奖.xlsx"
    awards.write_bytes(xlsx_bytes([["单位", "号码", "等级", "时间"],
                                   ["宏达科技有限责任公司", "ZL201910000001.2", "金奖", "2026-05-10"],
                                   ["不知名公司", "ZL201910000002.7", "银奖", "2026-05-10"]]))
    args = ["register", "import", "awards", str(awards), "--item", "china_patent_award", "--code", "cpa",
            "--name", "中国专利奖获奖名单", "--map", "号码=patent_number", "--map", "等级=level", "--map", "时间=event_date"]
    assert main(args) == 0
    assert "第 1 版：2 行，其中 1 行单位名称待人工确认" in capsys.readouterr().out

    assert main(["match", "--on", ON.isoformat()]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["type"] for line in lines] == ["proposal", "unresolved"]
    assert lines[0]["credit_code"] == code and lines[0]["policy"] == SUCCESSOR and lines[0]["amount"] == "400000.00"
    assert lines[0]["source"]["row"] == 2 and lines[0]["source"]["data"]["name"] == "宏达科技有限责任公司"
    assert lines[1]["why"] == "单位名称未能匹配到统一社会信用代码，待人工确认"
    assert main(["match", "--on", ON.isoformat()]) == 0  # a rerun: nothing new
    assert [json.loads(x)["type"] for x in capsys.readouterr().out.splitlines()] == ["unresolved"]


def test_a_bad_file_exits_1_naming_row_and_column(tmp_path, capsys):
    bad = tmp_path / "名录.csv"
    bad.write_bytes(csv_bytes(enterprise_rows(("宏达", "91441200MA4W0Q9X3X", "肇庆高新区"))))
    assert main(["register", "import", "enterprises", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "第 2 行“统一社会信用代码”列：“91441200MA4W0Q9X3X”不是有效的统一社会信用代码" in err
    assert not RegisterImport.objects.filter(state=RegisterImport.IMPORTED).exists()
    assert main(["register", "import", "enterprises", str(bad), "--map", "oops"]) == 1
    assert "--map 应写作 列名=字段：oops" in capsys.readouterr().err


def test_the_template_lists_each_column(capsys):
    assert main(["register", "template", "awards", "--item", "china_patent_award"]) == 0
    columns = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [c["field"] for c in columns] == ["name", "credit_code", "event_date", "patent_number", "level"]
    assert columns[4]["options"] == ["金奖", "银奖", "优秀奖"]


def test_match_refuses_a_policy_not_in_force(capsys):
    assert main(["match", "--policy", "zhaoqing-hitech-ip-2022", "--on", ON.isoformat()]) == 2
    assert "不是现行政策" in capsys.readouterr().err


def test_match_on_two_dask_workers_writes_what_one_process_writes(tmp_path, applicant, capsys, settings):
    from django.db import transaction

    settings.IPFUND_DASK_WORKERS, settings.IPFUND_DASK_MIN_CLAIMS = 2, 20000  # put back after the test
    company = applicant("enterprise", sme=True, name="肇庆宏达科技有限公司")
    names = tmp_path / "名录.csv"
    names.write_bytes(csv_bytes(enterprise_rows(("肇庆宏达科技有限公司", company.applicant.ledger_identity, "肇庆高新区迎宾大道 1 号"))))
    awards = tmp_path / "专利奖.csv"
    awards.write_bytes(csv_bytes([["单位", "号码", "等级", "时间"],
                                  ["宏达科技有限责任公司", "ZL201910000001.2", "金奖", "2026-05-10"],
                                  ["宏达科技有限责任公司", "ZL201910000001.2", "银奖", "2026-05-11"],
                                  ["宏达科技有限责任公司", "ZL201910000009.4", "优秀奖", "2026-05-12"],
                                  ["不知名公司", "ZL201910000002.7", "银奖", "2026-05-10"]]))
    assert main(["register", "import", "enterprises", str(names)]) == 0
    assert main(["register", "import", "awards", str(awards), "--item", "china_patent_award", "--code", "cpa",
                 "--name", "中国专利奖获奖名单", "--map", "号码=patent_number", "--map", "等级=level",
                 "--map", "时间=event_date"]) == 0
    capsys.readouterr()

    def lines(*extra):
        assert main(["match", "--on", ON.isoformat(), *extra]) == 0
        got = capsys.readouterr()
        return [{k: v for k, v in json.loads(x).items() if k != "proposal"} for x in got.out.splitlines()], got.err

    with transaction.atomic():
        here, _ = lines()
        transaction.set_rollback(True)
    there, progress = lines("--dask-workers", "2")
    assert there == here and [x["type"] for x in here] == ["proposal", "proposal", "unresolved"]
    told = [x for x in progress.splitlines() if x.startswith("决定：")]
    assert told and told[-1].endswith(" 块") and len(set(told[-1][3:-2].split("/"))) == 1
    assert main(["match", "--dask-workers", "0"]) == 2
