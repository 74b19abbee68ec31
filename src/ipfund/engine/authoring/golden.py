"""`ipfund policy test`: one runner for the golden cases of any package (golden/*.yaml).

A golden file is a list of cases (the first entry may be `anchors:` for YAML anchors). A case
names itself and the sentence it checks (verbatim in the policy's text or in one of its amending
documents), lists claims, optionally a history of earlier awards (each may name the `policy` it
was awarded under, e.g. a predecessor) and interpretation choices, and what each decision must
say. Each case is decided through the batch entry point and through the bulk reader; both must
agree with the expectations and with each other.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field

CASE_KEYS = {"name", "sentence", "interpret", "history", "registers", "claims", "expect", "note"}
EXPECT_KEYS = {"eligible", "amount", "capped", "reasons", "first_reason", "citation", "item", "error", "interpretations",
               "says", "installments"}
AMOUNT = re.compile(r"^(0|[1-9][0-9]*)\.[0-9]{2}$")


def _yaml_loader():
    import yaml

    class Loader(yaml.SafeLoader):
        """SafeLoader that keeps ISO dates as strings, as they are in a JSON batch."""

    Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return Loader


def load_cases(folder) -> list[tuple[str, dict]]:
    """(file name, case) of every golden file of a package folder, in file order."""
    import yaml

    loader = _yaml_loader()
    cases = []
    for path in sorted((folder / "golden").glob("*.yaml")):
        entries = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or []
        if not isinstance(entries, list):
            raise ValueError(f"{path.name}：测试文件应为案例列表")
        for i, entry in enumerate(entries):
            if i == 0 and isinstance(entry, dict) and set(entry) == {"anchors"}:
                continue
            cases.append((path.name, entry))
    return cases


def _field_matches(expected: str, actual: str) -> bool:
    return actual == expected or actual.startswith(expected + ".") or actual.startswith(expected + "[")


def check_decision(cid: str, want: dict, got: dict) -> list[str]:
    """What differs between the expectation of a claim and its decision (Chinese)."""
    problems = []
    for key, value in want.items():
        if key == "first_reason":
            reasons = got.get("reasons") or []
            if not reasons or reasons[0] != value:
                problems.append(f"{cid}：首个原因应为 {value}，实际为 {reasons}")
        elif key == "error":
            err = got.get("error")
            if not isinstance(err, dict):
                problems.append(f"{cid}：应为输入错误 {value}，实际得到决定")
                continue
            for ek, ev in value.items():
                ok = _field_matches(ev, str(err.get("field"))) if ek == "field" else err.get(ek) == ev
                if not ok:
                    problems.append(f"{cid}：error.{ek} 应为 {ev!r}，实际为 {err.get(ek)!r}")
        elif key == "says":  # words the explanation must hold (each in some line)
            lines = got.get("explanation") or []
            problems += [f"{cid}：计算说明应写明「{w}」，实际为 {lines}" for w in ([value] if isinstance(value, str) else value)
                         if not any(w in line for line in lines)]
        elif key == "interpretations":
            have = got.get("interpretations") or []
            problems += [f"{cid}：应适用解释 {i}，实际为 {have}" for i in value if i not in have]
        elif key not in got or got[key] != value:
            problems.append(f"{cid}：{key} 应为 {value!r}，实际为 {got.get(key, '（无）')!r}")
    return problems


def _well_formed(case, texts: list[str]) -> list[str]:
    from ..policy import squeeze

    if not isinstance(case, dict):
        return ["案例应为映射"]
    out = [f"未知的字段 {k}" for k in sorted(set(case) - CASE_KEYS)]
    out += [f"缺少字段 {k}" for k in ("name", "sentence", "claims", "expect") if k not in case]
    if out:
        return out
    if not any(squeeze(str(case["sentence"])) in t for t in texts):
        out.append(f"所检查的语句不在政策原文或修订文件中：{case['sentence']}")
    ids = [c.get("id") for c in case["claims"] if isinstance(c, dict)]
    if len(ids) != len(set(ids)):
        out.append(f"申报 id 重复：{ids}")
    for cid, want in (case["expect"] or {}).items():
        if cid not in ids:
            out.append(f"expect 中的 {cid} 不是本案例的申报")
        elif not isinstance(want, dict) or set(want) - EXPECT_KEYS:
            out.append(f"{cid}：未知的期望字段 {sorted(set(want) - EXPECT_KEYS) if isinstance(want, dict) else want}")
        elif "amount" in want and not AMOUNT.match(str(want["amount"])):
            out.append(f"{cid}：金额应写成「元.分」格式的字符串，如 \"30000.00\"")
    return out


@dataclass
class Report:
    policy: str
    passed: int = 0
    failures: list[str] = field(default_factory=list)
    failed_cases: int = 0

    @property
    def ok(self) -> bool:
        return not self.failures and self.passed > 0

    def summary(self) -> str:
        if not self.passed and not self.failed_cases:
            return f"{self.policy}：没有测试案例（golden/*.yaml）"
        total = self.passed + self.failed_cases
        if self.failed_cases:
            return f"{self.policy}：{total} 个案例，{self.passed} 个通过，{self.failed_cases} 个未通过"
        return f"{self.policy}：{total} 个案例全部通过"


def _texts(policy) -> list[str]:
    from ..errors import BatchError
    from ..policy import package_file, squeeze

    texts = [squeeze(policy.source_text)]
    for doc in policy.documents.values():
        try:
            texts.append(squeeze(package_file(policy.path, doc.get("source_file", "")).read_text(encoding="utf-8")))
        except (OSError, BatchError):
            pass
    return texts


def run_case(policy, case: dict) -> list[str]:
    """The problems of one case: its form, its expectations, the bulk path agreeing."""
    from ..door import evaluate_claims
    from ..bulk import evaluate_lines
    from ..errors import BatchError

    problems = _well_formed(case, _texts(policy))
    if problems:
        return problems
    history = {"policy": policy.id, "awarded": copy.deepcopy(case["history"])} if "history" in case else None
    interpret = {str(k): str(v) for k, v in case["interpret"].items()} if "interpret" in case else None
    registers = case.get("registers")
    try:
        whole = evaluate_claims(policy, copy.deepcopy(case["claims"]), history=history, interpretations=interpret,
                                registers=registers)
    except BatchError as exc:
        return [f"批次无法计算：{exc}"]
    decisions = whole["decisions"]
    by_id = {d.get("id"): d for d in decisions}
    for cid, want in case["expect"].items():
        want = dict(want)
        if "installments" in want:
            problems += _check_installments(policy, cid, want.pop("installments"), by_id.get(cid, {}))
        problems += check_decision(cid, want, by_id.get(cid, {}))
    lines = [json.dumps(c, ensure_ascii=False).encode("utf-8") for c in case["claims"]]
    try:
        bulk = list(evaluate_lines(iter(lines), policy=policy, history=history, interpretations=interpret,
                                   registers=registers))
    except BatchError as exc:
        return problems + [f"大批量（JSONL）路径无法计算：{exc}"]
    strip = lambda d: {k: v for k, v in d.items() if k != "explanation"}  # noqa: E731
    if [strip(d) for d in bulk] != [strip(d) for d in decisions]:
        problems.append("大批量（JSONL）路径的决定与批次路径不同")
    return problems


def _check_installments(policy, cid: str, want, got: dict) -> list[str]:
    """`installments: ["15000.00", "15000.00"]`: the award's installments (分期拨付), in order."""
    from decimal import Decimal

    from ..installments import plan

    item = policy.items.get(got.get("item") or "")
    stages = getattr(item, "installments", ()) if item is not None else ()
    if not stages:
        return [f"{cid}：期望分期 {want}，但项目 {got.get('item')} 没有分期拨付"]
    have = [f"{p.amount:.2f}" for p in plan(stages, Decimal(got.get("amount") or "0"))]
    return [] if have == [str(w) for w in want or []] else [f"{cid}：installments 应为 {want}，实际为 {have}"]


def run_cases(policy) -> Report:
    report = Report(policy.id)
    try:
        cases = load_cases(policy.path)
    except Exception as exc:  # noqa: BLE001 - a broken golden file is reported, never a traceback
        report.failures.append(f"测试文件无法读取：{exc}")
        report.failed_cases += 1
        return report
    names = [c.get("name") for _, c in cases if isinstance(c, dict)]
    for name in sorted({str(n) for n in names if names.count(n) > 1}):
        report.failures.append(f"案例名称重复：{name}")
    for fname, case in cases:
        problems = run_case(policy, case)
        if problems:
            report.failed_cases += 1
            title = case.get("name", "（无名称）") if isinstance(case, dict) else "（无名称）"
            report.failures.append(f"✗ {fname}「{title}」")
            report.failures += [f"    {p}" for p in problems]
        else:
            report.passed += 1
    return report
