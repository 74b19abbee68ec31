"""`ipfund policy check` on stages (分期拨付, issue 20 item 4), run on a copy of the fictional county
fund: shares not adding up to 100%, an unknown key of an installment, a sentence not in the text
or a share the sentence does not say — each a Chinese message naming policy.yaml and the line."""

from __future__ import annotations

import shutil

from tests.cli.test_policy_packages import FIXTURES, run, text

COUNTY = FIXTURES / "fictional-county-fund-2026"


def _copy(tmp_path):
    dest = tmp_path / COUNTY.name
    shutil.copytree(COUNTY, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def _line(path, needle):
    s = (path / "policy.yaml").read_text("utf-8")
    return s[: s.index(needle)].count("\n") + 1


def _edit(copy, old, new):
    path = copy / "policy.yaml"
    s = path.read_text("utf-8")
    assert old in s
    path.write_text(s.replace(old, new, 1), "utf-8")


def test_policy_check_passes_the_fixture_and_its_golden_cases():
    proc = run("policy", "check", COUNTY)
    assert proc.returncode == 0, text(proc)
    proc = run("policy", "test", COUNTY)
    assert proc.returncode == 0 and "全部通过" in text(proc), text(proc)


def test_policy_check_refuses_shares_not_adding_up_at_the_line(tmp_path):
    copy = _copy(tmp_path)
    _edit(copy, '- {share: "50%", when: acceptance', '- {share: "40%", when: acceptance')
    proc = run("policy", "check", copy)
    out = text(proc)
    assert proc.returncode != 0
    assert "项目 navigation：「installments」各期比例合计应为 100%，现为 90%" in out, out
    assert f"policy.yaml 第 {_line(copy, '    installments:')} 行" in out, out


def test_policy_check_refuses_an_unknown_installment_key_at_its_line(tmp_path):
    copy = _copy(tmp_path)
    _edit(copy, "label: 验收合格, failed:", "label: 验收合格, failled:")
    out = text(run("policy", "check", copy))
    assert "未知的键「failled」" in out, out
    assert f"policy.yaml 第 {_line(copy, 'failled:')} 行" in out, out


def test_policy_check_refuses_a_sentence_not_in_the_text_or_a_share_it_does_not_say(tmp_path):
    copy = _copy(tmp_path)
    _edit(copy, "when: approval, label: 立项时, sentence: 专利导航服务补助分两期拨付，",
          "when: approval, label: 立项时, sentence: 专利导航服务补助分三期拨付，")
    out = text(run("policy", "check", copy))
    assert "「installments[1].sentence」语句不在原文中（须逐字引用）" in out, out
    copy2 = _copy(tmp_path / "b")
    _edit(copy2, '- {share: "50%", when: approval', '- {share: "60%", when: approval')
    _edit(copy2, '- {share: "50%", when: acceptance', '- {share: "40%", when: acceptance')
    out = text(run("policy", "check", copy2))
    assert "「installments[1].share」60% 不是所引语句中的比例" in out, out
