"""`ipfund evaluate --jsonl` with persons named by the platform's pseudonym: decided and keyed by
it, in either case, on the bulk path (one and two workers) as in the batch."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def _line(cid: str, person: str) -> str:
    return json.dumps({"id": cid, "item": "patent_attorney", "event_date": "2023-06-01",
                       "applicant": {"id": person, "kind": "person", "in_zone": True},
                       "facts": {"passed_exam": True, "employed_in_zone": True, "contract_years": 3}}, ensure_ascii=False)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_bulk_keys_persons_by_pseudonym(tmp_path, workers):
    path = tmp_path / "claims.jsonl"
    people = ["个人#0123456789ABCDEF", "个人#0123456789abcdef", "个人#FEDCBA9876543210", "个人#0123456789ABCDEZ"]
    path.write_text("\n".join(_line(f"{c}{i}", p) for i in range(3000) for c, p in zip("abcd", people)), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "ipfund.cli.main", "evaluate", "--jsonl", str(path),
                           "--policy", "zhaoqing-hitech-ip-2022", "--workers", workers],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    decisions = [json.loads(line) for line in done.stdout.splitlines()]
    eligible = [d["id"] for d in decisions if d.get("eligible")]
    assert eligible == ["a0", "c0"]
    bad = [d for d in decisions if "error" in d]
    assert len(bad) == 3000 and {d["error"]["field"] for d in bad} == {"applicant.id"}
