"""`ipfund policy new DIR --source TEXT`, then `ipfund policy check DIR`, as a policy officer starts
a package: on five fictional policy texts (tests/fixtures/policy_texts, each numbered in another
style), on the 2022 text and on the fictional successor's. The skeleton holds every sentence of the
text under the clause that holds it, reads the 文号, issuer, issue date, 施行 date and term, and
`check` on it asks only for what is not written yet (no rules), never for a catalogue mistake and
never with a Python traceback (`run` fails the test on one)."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from tests.cli.test_policy_packages import BUILTIN, FIXTURES, SUCCESSOR, run, text

TEXTS = FIXTURES.parent / "policy_texts"

#: What only a wrong skeleton makes `check` say: a sentence that is not the text's, a clause of the
#: text left out, a sentence in no clause, a package that cannot be read, a missing validity.
CATALOGUE_PROBLEMS = ("不在原文中", "未列入条款目录", "不属于任何条款", "未知的", "无法读取", "格式错误",
                      "缺少参数 validity", "不在条款目录中")

#: Each fictional text: its numbering style, the catalogue the skeleton gives it, sentences that
#: must sit under given clauses, and what the text says of itself.
CASES = {
    "parts-sections-items": dict(  # 一、（一）1.（1）
        catalogue=["文首", "序言", "一", "一（一）", "一（一）1", "一（一）2", "一（一）2（1）", "一（一）2（2）",
                   "一（一）2（3）", "一（二）", "二", "二（一）", "二（二）", "三", "三（一）", "三（二）", "三（三）"],
        placed={
            "一（一）": ["（一）专利授权资助。"],
            "一（一）2": ["2.国外发明专利。", "对新区企业通过PCT途径获得授权的发明专利："],
            "一（一）2（3）": ["（3）", "每件专利最多资助3个国家或地区。"],
            "一（二）": ["（二）商标注册资助。", "对新区企业获得国外注册的商标，每指定一个国家资助2000元，每件商标最高2万元。"],
            "三（一）": ["（一）", "同一事项同时符合本措施多条规定的，按就高原则予以支持，不重复享受。"],
            "序言": ["为加快建设知识产权强区，推动知识产权创造、运用、保护、管理和服务全链条发展，结合新区实际，制定本措施。"],
        },
        money={"一（一）2": True, "一（一）2（3）": True, "三（二）": True, "二（二）": False, "一（一）": False},
        about=dict(document_number="虚湾管办〔2025〕7号", issuer="虚构湾区新区管理委员会办公室",
                   title="虚构湾区新区知识产权高质量发展若干措施", issued_on="2025-06-20"),
        validity=("三（三）", "2025-07-01", "2028-06-30"),
    ),
    "articles": dict(  # 第一条 …, items （一） inside an article, issuer and date at the foot
        catalogue=["文首", "第一条", "第二条", "第三条", "第三条（一）", "第三条（二）", "第三条（三）", "第四条",
                   "第五条", "第六条", "第七条", "文尾"],
        placed={
            "第三条": ["第三条", "资助标准如下："],
            "第四条": ["第四条", "同一专利只资助一次。", "同一单位每年获得本办法资助总额不超过50万元。"],
            "第五条": ["第五条", "年度申报资助总额超过当年预算的，按同一比例核减。"],
            "文尾": ["虚构江州市市场监督管理局", "2025年12月10日"],
        },
        money={"第三条": True, "第四条": True, "第五条": True, "第六条": True, "第一条": False, "第二条": False},
        about=dict(document_number="虚江市监规〔2025〕3号", issuer="虚构江州市市场监督管理局",
                   title="虚构江州市知识产权资助办法", issued_on="2025-12-10"),
        validity=("第七条", "2026-01-01", "2028-12-31"),
    ),
    "chapters-articles": dict(  # 第一章 … 第一条 …, articles numbered through the chapters
        catalogue=["文首", "第一章", "第一条", "第二条", "第二章", "第三条", "第四条", "第四条（一）", "第四条（二）",
                   "第五条", "第六条", "第六条·1", "第六条·2", "第三章", "第七条", "第八条", "第四章", "第九条", "第十条"],
        placed={
            "第一章": ["第一章总则"],
            "第四条（二）": ["（二）", "中期评估合格后拨付剩余50%，中期评估不合格的，停止拨付。"],
            "第六条·1": ["1.", "申请单位被列入严重失信主体名单的；"],
            # a wrapped line that starts with "第六条规定" is text of 第八条, not an article
            "第八条": ["第八条", "申报单位对申报材料的真实性负责。", "依照本办法第六条规定不予支持而已拨付的资金，予以追回。"],
        },
        money={"第四条（一）": True, "第五条": True, "第六条·2": True, "第七条": True, "第一条": False, "第九条": False},
        about=dict(document_number="虚青府办〔2026〕12号", issuer="虚构青山县人民政府办公室",
                   title="虚构青山县产业园区知识产权专项资金管理办法", issued_on="2026-03-15"),  # 二〇二六年三月十五日
        validity=("第十条", "2026-03-15", "2031-03-14"),  # 自印发之日起施行，有效期五年
    ),
    "yishi-ershi": dict(  # 一、…。一是…；二是…；三是…。
        catalogue=["文首", "序言", "一", "一·一是", "一·二是", "一·三是", "二", "二·一是", "二·二是", "三", "四", "文尾"],
        placed={
            "一": ["一、支持企业获取高质量专利。"],
            "一·二是": ["二是对获得美国、日本、欧洲发明专利授权的，每件奖励2万元，每家企业每年最高10万元；"],
            "二·一是": ["一是对专利许可、转让合同登记后实际到账金额50万元以上的，按实际到账金额的5%给予奖励，最高20万元；"],
            "四": ["四、其他事项。", "同一项目符合本措施和开发区其他政策的，按就高原则支持，不重复享受。",
                  "本措施自2025年10月1日起施行，有效期两年。"],
        },
        money={"一·三是": True, "二·二是": True, "四": True, "三": False},
        about=dict(document_number="虚临开管〔2025〕21号", issuer="虚构临港经济开发区管理委员会",
                   title="虚构临港经济开发区关于支持知识产权强企建设的若干措施", issued_on="2025-09-08"),
        validity=("四", "2025-10-01", "2027-09-30"),
    ),
    "parts-arabic": dict(  # 一、 then 1、 and (1), issuer and date on one line
        catalogue=["文首", "一", "二", "二·1", "二·1（1）", "二·1（2）", "二·2", "三", "四"],
        placed={
            "二·1": ["1、专利转让许可。", "对本区高校向区内企业转让、许可专利的："],
            "二·1（2）": ["(2)", "合同登记金额在100万元以上的，按合同金额的15%给予奖励，最高30万元。"],
            "三": ["三、资金拨付", "区财政每年安排专项资金。", "专项资金不足时，按申报先后顺序予以支持。"],
        },
        money={"二·1": True, "二·1（1）": True, "三": True, "一": False},
        about=dict(document_number="虚南府规〔2025〕4号", issuer="虚构南岭区人民政府",
                   title="虚构南岭区促进专利转化运用若干规定", issued_on="2025-11-20"),
        validity=("四", "2026-01-01", "2027-12-31"),  # 有效期自2026年1月1日起至2027年12月31日止
    ),
}


def _new(tmp_path, source, *extra):
    pkg = tmp_path / "draft"
    proc = run("policy", "new", pkg, "--source", source, *extra)
    assert proc.returncode == 0, text(proc)
    return pkg, proc, yaml.safe_load((pkg / "policy.yaml").read_text("utf-8"))


def _passages(clause) -> list[str]:
    return [e["text"] if isinstance(e, dict) else e for e in clause["source"]]


def _checks_only_unwritten_rules(pkg):
    proc = run("policy", "check", pkg)
    out = text(proc)
    assert proc.returncode == 1, out
    assert "政策包还没有项目" in out
    for problem in CATALOGUE_PROBLEMS:
        assert problem not in out, out


def test_every_fictional_text_is_marked_fictional_and_numbered_in_its_own_style():
    texts = {p.stem: p.read_text("utf-8") for p in TEXTS.glob("*.txt")}
    assert set(texts) == set(CASES)
    for name, body in texts.items():
        assert "虚构" in body and "测试" in body, name
    assert "（一）" in texts["parts-sections-items"] and "（1）" in texts["parts-sections-items"]
    assert "第一条" in texts["articles"] and "第一章" not in texts["articles"]
    assert "第一章" in texts["chapters-articles"] and "二是" in texts["yishi-ershi"]
    assert "(1)" in texts["parts-arabic"] and "（一）" not in texts["parts-arabic"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_new_reads_a_fictional_text_and_check_asks_only_for_rules(tmp_path, name):
    case = CASES[name]
    pkg, proc, data = _new(tmp_path, TEXTS / f"{name}.txt", "--id", f"draft-{name}")
    clauses = {c["number"]: c for c in data["clauses"]}
    assert [c["number"] for c in data["clauses"]] == case["catalogue"]
    for number, passages in case["placed"].items():
        assert _passages(clauses[number]) == passages, number
    for number, monetary in case["money"].items():
        assert clauses[number]["monetary"] is monetary, number
    # A title names a clause; it is never a whole article or sentence of it.
    for c in data["clauses"]:
        assert len(c["title"]) <= 28 and not any(c["title"] == p and len(p) > 21 for p in _passages(c)), c
    about = case["about"]
    assert data["id"] == f"draft-{name}" and data["document_number"] == about["document_number"]
    assert data["issuer"] == about["issuer"] and data["title"] == about["title"]
    assert data["issued_on"] == dt.date.fromisoformat(about["issued_on"])
    clause, start, end = case["validity"]
    for param, value in (("validity.start", start), ("validity.end", end)):
        par = data["parameters"][param]
        assert par["clause"] == clause and par["kind"] == "date"
        assert par["values"] == [{"from": dt.date.fromisoformat(start), "value": dt.date.fromisoformat(value)}]
    out = text(proc)
    assert f"文号：{about['document_number']}" in out and f"发文机关：{about['issuer']}" in out
    assert f"发布日期：{about['issued_on']}" in out and f"施行日期：{start}（{clause}「" in out
    assert f"有效期最后一日：{end}" in out and "未归类" not in out
    assert (pkg / "source.txt").read_text("utf-8") == (TEXTS / f"{name}.txt").read_text("utf-8")
    _checks_only_unwritten_rules(pkg)


@pytest.mark.parametrize("package", [BUILTIN, SUCCESSOR], ids=["2022", "successor"])
def test_new_places_every_sentence_where_the_hand_written_package_does(tmp_path, package):
    """The 2022 package and the fictional successor were catalogued by hand: the skeleton of their
    texts puts the same words under every numbered clause, its head and its preamble."""
    _pkg, _proc, data = _new(tmp_path, package / "source.txt")
    hand = yaml.safe_load((package / "policy.yaml").read_text("utf-8"))

    def words(clause):
        return "".join("".join(p.split()) for p in _passages(clause))

    by_hand = {c["number"]: words(c) for c in hand["clauses"]}
    numbered = [c for c in data["clauses"] if c["number"] not in ("文首", "施行与有效期", "文尾")]
    assert numbered and all(words(c) == by_hand[c["number"]] for c in numbered)
    assert data["document_number"] == hand["document_number"] and data["issuer"] == hand["issuer"]
    assert data["issued_on"] == hand["issued_on"]
    for param in ("validity.start", "validity.end"):
        assert data["parameters"][param]["values"] == hand["parameters"][param]["values"], param
    _checks_only_unwritten_rules(_pkg)


def test_the_2022_skeleton_takes_its_closing_sentence_out_of_the_last_section(tmp_path):
    _pkg, proc, data = _new(tmp_path, BUILTIN / "source.txt")
    clauses = {c["number"]: c for c in data["clauses"]}
    assert _passages(clauses["施行与有效期"]) == ["本意见自发布之日起实施，有效期三年，由区经济贸易和科技局具体实施并负责解释。"]
    assert _passages(clauses["文尾"]) == ["公开方式：主动公开", "肇庆高新区管委会办公室秘书科2022年1月19日印发", "（共印90份）"]
    assert "发布日期：2022-01-18" in text(proc)  # signed on the 18th; the 19th is the printing day


def test_the_successor_skeleton_numbers_its_clauses_as_the_text_does(tmp_path):
    _pkg, proc, data = _new(tmp_path, SUCCESSOR / "source.txt", "--id", "draft-2025")
    assert data["id"] == "draft-2025" and "5 个编号条款" in text(proc)
    assert [c["number"] for c in data["clauses"]] == ["文首", "序言", "一", "一（一）", "一（二）", "二", "二（一）",
                                                      "三", "三（一）", "四"]
    assert "当年知识产权服务费收入超过300万元的，给予一次性奖励10万元；" in _passages(data["clauses"][8])


def test_new_reads_chinese_numeral_dates_terms_in_months_a_bom_and_control_characters(tmp_path):
    source = tmp_path / "text.txt"
    source.write_bytes("\ufeff一、资助。对发明专利每件资助1万元\x01。\n二、本措施自二〇二五年一月一日起施行，有效期18个月。\n"
                       "某局 二〇二四年十二月二十日\n".encode("utf-8"))
    pkg, proc, data = _new(tmp_path, source)
    assert [c["number"] for c in data["clauses"]] == ["一", "二", "文尾"]
    assert _passages(data["clauses"][0]) == ["一、资助。", "对发明专利每件资助1万元\x01。"]
    assert data["issuer"] == "某局" and data["issued_on"] == dt.date(2024, 12, 20)
    assert data["parameters"]["validity.end"]["values"][0]["value"] == dt.date(2026, 6, 30)
    assert "未归类" not in text(proc)
    _checks_only_unwritten_rules(pkg)


def test_a_term_from_29_february_ends_on_28_february(tmp_path):
    source = tmp_path / "text.txt"
    source.write_text("某办法\n\n第一条 对发明专利每件资助1万元。\n\n第二条 本办法自2024年2月29日起施行，有效期1年。\n\n"
                      "某局\n\n2024年2月1日\n", "utf-8")
    pkg, _proc, data = _new(tmp_path, source)
    assert data["issued_on"] == dt.date(2024, 2, 1)
    assert [v["value"] for p in ("validity.start", "validity.end") for v in data["parameters"][p]["values"]] == [
        dt.date(2024, 2, 29), dt.date(2025, 2, 28)]
    _checks_only_unwritten_rules(pkg)


def test_new_says_what_the_text_does_not_and_check_names_the_missing_issue_date(tmp_path):
    source = tmp_path / "text.txt"
    source.write_text("关于专利资助的若干规定\n\n一、对获得发明专利授权的，每件资助\"3000\"元\\。\n\n二、本规定有效期三年。\n", "utf-8")
    pkg, proc, data = _new(tmp_path, source)
    out = text(proc)
    assert "文号：（原文中未找到" in out and "发布日期：（原文中未找到" in out and "施行日期：（原文中未找到" in out
    assert _passages(data["clauses"][1])[1] == "对获得发明专利授权的，每件资助\"3000\"元\\。"
    assert data["parameters"] == {}
    proc = run("policy", "check", pkg)
    # a located problem of the package (exit 1), naming the field to fill in
    assert proc.returncode == 1 and "「issued_on」应为 YYYY-MM-DD 格式的日期" in text(proc)


def test_new_refuses_a_text_without_numbered_clauses_and_a_folder_that_is_not_empty(tmp_path):
    source = tmp_path / "text.txt"
    source.write_text("没有编号的文本。只有一句。\n", "utf-8")
    proc = run("policy", "new", tmp_path / "empty", "--source", source)
    assert proc.returncode == 2 and "没有找到编号条款" in text(proc)
    proc = run("policy", "new", tmp_path, "--source", SUCCESSOR / "source.txt")
    assert proc.returncode == 2 and "已存在且不为空" in text(proc)
