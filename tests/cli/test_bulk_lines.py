"""How `ipfund evaluate --jsonl` reads its lines: blocks are decoded whole when they can be, and
that must never shift a decision — blank lines of any kind are skipped, a line holding two claims
is one error, and lists of codes are judged as the batch path judges them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from stdnum.cn import uscc

from ipfund.engine import evaluate_batch

POLICY = "zhaoqing-hitech-ip-2022"
IPFUND = shutil.which("ipfund") or str(Path(sys.executable).with_name("ipfund"))


def _uscc(i: int) -> str:
    body = f"91441200{i:09d}"
    return body + uscc.calc_check_digit(body + "0")


def _claim(i: int, clients: list[str] | None = None) -> dict:
    if clients is not None:
        return {"id": f"p{i}", "item": "custody_provider", "event_date": "2023-05-01",
                "applicant": {"id": _uscc(900 + i), "kind": "service_agency", "in_zone": True},
                "facts": {"sme_clients": clients}}
    return {"id": f"c{i}", "item": "patent_alliance", "event_date": "2023-05-01",
            "applicant": {"id": _uscc(i), "kind": "social_org", "in_zone": True},
            "facts": {"alliance_id": f"AL-{i}", "review_passed": True}}


def _run(path: Path, workers: int) -> list[dict]:
    proc = subprocess.run([IPFUND, "evaluate", "--jsonl", str(path), "--policy", POLICY, "--workers", str(workers)],
                          capture_output=True, check=True, timeout=120)
    return [json.loads(x) for x in proc.stdout.splitlines()]


@pytest.mark.parametrize("workers", [1, 2])
def test_blank_lines_and_a_line_with_two_claims_shift_nothing(tmp_path, workers):
    # A blank line and a line holding two claims in the same block: as many values as lines.
    lines = [json.dumps(_claim(0)), "", json.dumps(_claim(1)) + " " + json.dumps(_claim(2)),
             "  \t\r", json.dumps(_claim(3)), "\x0c", json.dumps(_claim(4))]
    path = tmp_path / "claims.jsonl"
    path.write_text("\n" + "\n".join(lines) + "\n\n", encoding="utf-8")
    decisions = _run(path, workers)
    assert len(decisions) == 4
    assert [d.get("id") for d in decisions] == ["c0", None, "c3", "c4"]
    assert decisions[1]["error"]["field"] == "claim"
    assert all(d["eligible"] and d["amount"] == "200000.00" for d in (decisions[0], decisions[2], decisions[3]))


@pytest.mark.parametrize("workers", [1, 2])
def test_lists_of_codes_are_judged_as_the_batch_judges_them(tmp_path, workers):
    good = [_uscc(i) for i in range(40)]
    bad = good[7][:-1] + ("0" if good[7][-1] != "0" else "1")
    claims = [
        _claim(0, good[:10]),                         # 10 distinct: the first tier
        _claim(1, good[:19] + good[:5]),              # repeats count once: still 19
        _claim(2, [c.lower() for c in good[:20]]),    # lower case is the same code: 20
        _claim(3, good[:12] + [bad]),                 # one bad code: invalid, naming its place
        _claim(4, good[:30] + ["91441200ABC"]),       # too short
        _claim(5, []),
    ]
    path = tmp_path / "providers.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in claims), encoding="utf-8")
    decisions = _run(path, workers)
    assert decisions == evaluate_batch({"policy": POLICY, "claims": claims}, explain=False)["decisions"]
    assert [d.get("amount") for d in decisions] == ["50000.00", "50000.00", "100000.00", None, None, "0.00"]
    assert decisions[3]["error"]["field"] == "facts.sme_clients" and "13" in decisions[3]["error"]["message"]


@pytest.mark.parametrize("workers", [1, 2])
def test_money_text_of_odd_forms_is_judged_as_the_batch_judges_it(tmp_path, workers):
    # A line break inside a value once passed a check made over the whole column joined by line
    # breaks, and then crashed the conversion: every form here must give the batch's decision.
    odd = ["12\n34", "1\n", "\n1", " 1", "1.234", "１２", "1e3", "", "12.5", "007", "3000.00"]
    claims = []
    for i, cost in enumerate(odd):
        claims.append({"id": f"m{i}", "item": "custody_sme", "event_date": "2023-05-01",
                       "applicant": {"id": _uscc(i), "kind": "enterprise", "in_zone": True, "sme": True},
                       "facts": {"service_year": 2023, "actual_cost": cost}})
    path = tmp_path / "money.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in claims), encoding="utf-8")
    decisions = _run(path, workers)
    assert decisions == evaluate_batch({"policy": POLICY, "claims": claims}, explain=False)["decisions"]
    assert decisions[0]["error"]["field"] == "facts.actual_cost"
    assert [d.get("amount") for d in decisions[-3:]] == ["6.25", "3.50", "1500.00"]


@pytest.mark.parametrize("workers", [1, 2])
def test_history_keys_meet_the_stream_keys_as_in_the_batch(tmp_path, workers):
    # A stream that is never explained keeps keys of several facts joined into one string, and
    # history goes through the same path: earlier awards must still block the same keys, including
    # a work title holding the separator.
    def song(i, work, person=0):
        return {"id": f"s{i}", "item": "song_qingling_award", "event_date": "2023-05-01",
                "applicant": {"id": "441202200405212806" if person == 0 else "11010519491231002X",
                              "kind": "person", "in_zone": True},
                "facts": {"level": "gold", "award_year": 2023, "work": work}}

    def contest(i, year):
        return {"id": f"k{i}", "item": "contest_match", "event_date": f"{year}-05-01",
                "applicant": {"id": _uscc(1), "kind": "enterprise", "in_zone": True},
                "facts": {"contest_year": year, "standing": "winner", "contest_award_amount": "1000.00"}}

    history = {"policy": POLICY, "awarded": [dict(song(90, "a\x1fb"), amount="5000.00"),
                                             dict(contest(91, 2023), amount="500.00")]}
    claims = [song(0, "a\x1fb"), song(1, "a"), song(2, "a\x1fb", person=1), song(3, "a"),
              contest(4, 2023), contest(5, 2024), contest(6, 2024)]
    path = tmp_path / "claims.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in claims), encoding="utf-8")
    hist = tmp_path / "history.json"
    hist.write_text(json.dumps(history), encoding="utf-8")
    proc = subprocess.run([IPFUND, "evaluate", "--jsonl", str(path), "--policy", POLICY, "--workers", str(workers),
                           "--history", str(hist)], capture_output=True, check=True, timeout=120)
    decisions = [json.loads(x) for x in proc.stdout.splitlines()]
    batch = evaluate_batch({"policy": POLICY, "claims": claims}, history=history, explain=False)["decisions"]
    assert decisions == batch
    assert [d["eligible"] for d in decisions] == [False, True, True, False, False, True, False]


def test_text_that_cannot_be_written_back_is_invalid_input_naming_its_field(tmp_path):
    # A JSON escape of a lone UTF-16 surrogate ("\ud800") reads as text no decision could be
    # written in: the claim is refused, naming the field, in the batch and the bulk path alike,
    # and the claims around it are decided as usual.
    lines = [
        json.dumps(_claim(1)),
        json.dumps(dict(_claim(2), id="c2\ud800")),
        json.dumps(dict(_claim(3), applicant=dict(_claim(3)["applicant"], name="申请人\udfff"))),
        json.dumps(dict(_claim(4), facts={"alliance_id": "AL-\ud834", "review_passed": True})),
        json.dumps(dict(_claim(5), facts={"alliance_id": "AL-5", "review_passed": True, "\ud800": 1})),
        json.dumps(dict(_claim(6), id='c6 "引号" \\ \u0001 é')),  # escapes that do write back
        json.dumps(dict(_claim(2), id="c2\ud800")),  # the same unwritable id again
    ]
    path = tmp_path / "claims.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    want = evaluate_batch({"policy": POLICY, "claims": [json.loads(x) for x in lines]})["decisions"]
    assert [d.get("error", {}).get("field") for d in want] == [
        None, "id", "applicant.name", "facts.alliance_id", "facts", None, "id"]
    assert [d["id"] for d in want] == ["c1", None, "c3", "c4", "c5", 'c6 "引号" \\ \u0001 é', None]
    assert all("无法编码" in d["error"]["message"] for d in want if "error" in d)
    stripped = [{k: v for k, v in d.items() if k != "explanation"} for d in want]
    assert _run(path, 1) == stripped
    assert _run(path, 2) == stripped
