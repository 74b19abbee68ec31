"""Bulk evaluation: JSONL in, one decision per line out, streaming in chunks.

The ledger (keys taken, caps used, top-ups paid) is carried from chunk to chunk, so the result is
the same as evaluating the whole file as one batch — in bounded memory. Lines are read with orjson;
a line orjson cannot read exactly (a money value sent as a long binary float, an integer beyond 64
bits) is re-read with the exact reader the batch path uses, so both paths decide alike.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Iterable, Iterator

import orjson

from .evaluation import Evaluator
from .policy import load_policy

CHUNK = 20_000
BAD_LINE = "该行不是有效的 JSON：{detail}"


def _exact(line: bytes):
    return json.loads(line, parse_float=Decimal)


def iter_lines(fh, block: int = 1 << 22) -> Iterator[bytes]:
    """Lines of a binary file, read in large blocks."""
    rest = b""
    while True:
        data = fh.read(block)
        if not data:
            break
        data = rest + data
        lines = data.split(b"\n")
        rest = lines.pop()
        yield from lines
    if rest:
        yield rest


def _parse(lines: list[bytes]) -> tuple[list, dict[int, dict]]:
    """Each line read with orjson; one orjson refuses is re-read exactly, or is an error."""
    loads, claims, bad = orjson.loads, [], {}
    for p, line in enumerate(lines):
        try:
            claims.append(loads(line))
        except orjson.JSONDecodeError:
            try:
                claims.append(_exact(line))
            except (ValueError, RecursionError, UnicodeDecodeError) as exc:
                claims.append(None)
                bad[p] = {
                    "id": None,
                    "error": {"code": "invalid_input", "field": "claim",
                              "message": BAD_LINE.format(detail=str(exc).splitlines()[0][:200])},
                }
    return claims, bad


class BulkEvaluator:
    def __init__(self, policy: str, *, history: dict | None = None, interpretations=None, explain: bool = False):
        from . import _history_claims

        self.policy = load_policy(policy)
        self.ev = Evaluator(self.policy, interpretations)
        self.ev.add_history(_history_claims(self.policy, history))
        self.explain = explain

    def _decide(self, lines: list[bytes]) -> list[dict]:
        claims, bad = _parse(lines)
        errors = self.ev.read_many(claims, exact=lambda p: _exact(lines[p]))
        errors.update(bad)
        return self.ev.decide(len(claims), errors, self.explain)

    def run_decisions(self, lines: Iterable[bytes]) -> Iterator[list[dict]]:
        chunk: list[bytes] = []
        for line in lines:
            if not line.strip():
                continue
            chunk.append(line)
            if len(chunk) >= CHUNK:
                yield self._decide(chunk)
                chunk = []
        if chunk:
            yield self._decide(chunk)

    def run_chunks(self, lines: Iterable[bytes]) -> Iterator[tuple[bytes, int]]:
        """Encoded output (one JSON decision per line) chunk by chunk, with the count decided."""
        dumps = orjson.dumps
        for decisions in self.run_decisions(lines):
            yield b"\n".join(map(dumps, decisions)) + b"\n", len(decisions)


def evaluate_lines(lines: Iterable[bytes], *, policy: str, history: dict | None = None, interpretations=None,
                   explain: bool = False) -> Iterator[dict]:
    """One decision per non-blank JSONL line, in order (the same decisions as evaluate_batch)."""
    bulk = BulkEvaluator(policy, history=history, interpretations=interpretations, explain=explain)
    for decisions in bulk.run_decisions(lines):
        yield from decisions
