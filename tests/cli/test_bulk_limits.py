"""A JSONL line too long to be a claim is answered with an error and never held whole."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

IPFUND = shutil.which("ipfund") or str(Path(sys.executable).with_name("ipfund"))
CLAIM = {"id": "ok", "item": "patent_alliance",
         "applicant": {"id": "91110108551385082Q", "kind": "social_org", "in_zone": True},
         "event_date": "2023-05-01", "facts": {"alliance_id": "AL-1", "review_passed": True}}


@pytest.mark.parametrize("workers", [1, 2])
def test_a_line_over_16_mb_is_an_error_and_the_rest_is_decided(tmp_path, workers):
    path = tmp_path / "long.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('{"id": "huge", "pad": "' + "x" * (20 * 1024 * 1024) + '"}\n')
        fh.write(json.dumps(CLAIM) + "\n")
    proc = subprocess.run([IPFUND, "evaluate", "--jsonl", str(path), "--policy", "zhaoqing-hitech-ip-2022",
                           "--workers", str(workers)], capture_output=True, timeout=120, check=True)
    first, second = (json.loads(x) for x in proc.stdout.splitlines())
    assert first["error"]["field"] == "claim" and "16 MB" in first["error"]["message"]
    assert second["id"] == "ok" and second["eligible"] is True and second["amount"] == "200000.00"
