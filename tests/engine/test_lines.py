"""Lines (清单, a `lines` fact read by `per_unit`) in the engine, on the fictional package
tests/fixtures/policies/fictional-foreign-lines-2026: a claim's amount is, per patent, the dearest
three countries at most, whatever the order its lines are written in — checked against a plain
recount of every country of every line; one process, the bulk path (which reads these claims with
msgspec, not the compiled reader) and Dask decide alike; the explanation's calculation has one
line per line of the claim, from the amounts the formula computed."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest

from ipfund.engine import evaluate_batch, wire
from ipfund.engine.bulk import BulkEvaluator
from ipfund.engine.distributed import decide_jsonl
from ipfund.engine.policy import load_policy

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "policies"
POLICY = "fictional-foreign-lines-2026"
ORGS = ["91441200MA00000159", "91441200MA00000234"]


@pytest.fixture(autouse=True)
def _installed(monkeypatch):
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(FIXTURES))


def _units() -> dict[str, int]:
    """The unit amounts (fen) as the package's parameters state them."""
    params = load_policy(POLICY).data["parameters"]
    return {"major": int(params["foreign_lines.major_unit"]["values"][0]["value"]) * 100,
            "other": int(params["foreign_lines.other_unit"]["values"][0]["value"]) * 100}


def _recount(lines: list[dict], most: int = 3) -> int:
    """Every country of every line as one unit amount; per patent the `most` dearest (fen)."""
    units = _units()
    by_patent: dict[str, list[int]] = {}
    for line in lines:
        by_patent.setdefault(line["object"].upper().removeprefix("ZL"), []).extend([units[line["category"]]] * line["count"])
    return sum(sum(sorted(amounts, reverse=True)[:most]) for amounts in by_patent.values())


def _random_lines(rng: random.Random) -> list[dict]:
    out, seen = [], set()
    for _ in range(rng.randint(1, 6)):
        patent, cat = f"ZL20251000000{rng.randint(1, 3)}.2", rng.choice(["major", "other"])
        if (patent, cat) not in seen:
            seen.add((patent, cat))
            out.append({"object": patent, "category": cat, "count": rng.randint(1, 4)})
    return out


def _claim(cid: str, lines: list[dict], org: str = ORGS[0], day: str = "2026-05-01") -> dict:
    return {"id": cid, "item": "foreign_lines", "event_date": day, "facts": {"grants": lines},
            "applicant": {"id": org, "kind": "enterprise", "in_zone": True}}


def _fen(amount: str) -> int:
    return int(amount.replace(".", ""))


@pytest.mark.parametrize("seed", range(5))
def test_the_amount_is_the_dearest_three_countries_per_patent_in_any_order(seed):
    rng = random.Random(seed)
    for n in range(8):
        lines = _random_lines(rng)
        shuffled = rng.sample(lines, len(lines))
        # each claim alone (a claim per year and applicant would meet the yearly cap of 20万)
        decisions = [evaluate_batch({"policy": POLICY, "claims": [_claim(f"c{n}", ls)]}, explain=False)["decisions"][0]
                     for ls in (lines, shuffled)]
        want = min(_recount(lines), 200000 * 100)
        assert [_fen(d["amount"]) for d in decisions] == [want, want], lines
        assert decisions[0]["capped"] == (want < _recount(lines, most=10**6))  # some country (or the year's cap) cut


def _stream(claims: list[dict]) -> bytes:
    return "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in claims).encode()


def test_bulk_and_dask_decide_claims_with_lines_as_the_batch_does(dask_client):
    rng = random.Random(7)
    claims = [_claim(f"c{i}", _random_lines(rng), org=rng.choice(ORGS), day=rng.choice(["2026-05-01", "2027-05-01"]))
              for i in range(40)]
    claims[5]["facts"]["grants"][0]["count"] = 0  # a bad line: an error of that claim only
    claims[9]["facts"]["grants"] = []
    blob = _stream(claims)
    assert wire.read_columns(load_policy(POLICY), blob) is None  # the compiled reader leaves lines to msgspec
    one = b"".join(part for part, _n in BulkEvaluator(POLICY).run_blocks(io.BytesIO(blob), block=2048))
    assert one == b"".join(decide_jsonl(POLICY, blob.splitlines(), dask_client))
    batch = evaluate_batch({"policy": POLICY, "claims": claims}, explain=False)["decisions"]
    assert [json.loads(x) for x in one.splitlines()] == batch
    assert batch[5]["error"]["field"] == "facts.grants[1].count" and batch[9]["error"]["message"] == "清单至少应有一行"


def test_the_calculation_has_one_line_per_line_of_the_claim():
    lines = [{"object": "ZL202510000001.2", "category": "other", "count": 3},
             {"object": "ZL202510000001.2", "category": "major", "count": 1},
             {"object": "ZL202510000002.7", "category": "major", "count": 2}]
    decision = evaluate_batch({"policy": POLICY, "claims": [_claim("c1", lines)]})["decisions"][0]
    steps = decision["explanation"]
    arithmetic = [s.strip() for s in steps[steps.index("计算：") + 1:] if s.startswith("  ")]
    said = [s for s in arithmetic if s.startswith("第")]
    assert [s.split(" ", 1)[0] for s in said] == ["第1行", "第2行", "第3行"]
    assert "其他国家或地区 2 个（申报 3，超过最多资助数量）" in said[0]  # the patent's dearer country came first
    assert said[2].endswith("美日欧 2 个 × 3万元 = 6万元")
    assert f"合计 {decision['amount']} 元" in arithmetic
