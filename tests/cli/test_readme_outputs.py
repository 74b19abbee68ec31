"""The README's example outputs are what the commands print today (issue 21, item 9): every block
that begins `$ ipfund …` is run, and its output compared — in full, or for `evaluate`, whose
explanations and interpretations the README cuts, field by field on the fields it shows."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLOCKS = re.findall(r"```\n\$ (ipfund [^\n]*)\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)


def run(command: str) -> str:
    env = {**os.environ, "NO_COLOR": "1"}
    args = shlex.split(command)[1:]
    done = subprocess.run([sys.executable, "-m", "ipfund.cli.main", *args], cwd=ROOT, capture_output=True, text=True, env=env,
                          timeout=300)
    return done.stdout


def test_the_readme_shows_commands_with_their_output():
    assert {c.split()[1] for c, _ in BLOCKS} >= {"policy", "evaluate", "explain"}


@pytest.mark.parametrize("command,shown", BLOCKS, ids=[c for c, _ in BLOCKS])
def test_a_readme_example_is_what_the_command_prints(command, shown):
    printed = run(command)
    if command.startswith("ipfund evaluate"):
        document = json.loads(printed)
        assert f'"policy": "{document["policy"]}"' in shown
        expected = [json.loads(line.strip().rstrip(",")) for line in shown.splitlines() if line.strip().startswith('{"id"')]
        assert len(document["decisions"]) == len(expected)
        for got, want in zip(document["decisions"], expected):
            assert {k: got.get(k) for k in want} == want
    else:
        assert printed == shown
