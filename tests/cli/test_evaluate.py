"""`ipfund evaluate` run as a user runs it: the installed console command, in a subprocess.

Contract: exit 0 when the batch was read (even with invalid claims); exit 2 with a one-line
message on stderr and nothing on stdout when the batch is unusable.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

POLICY = "zhaoqing-hitech-ip-2022"
ENT = {"id": "91441200MA00000159", "kind": "enterprise", "in_zone": True, "sme": False}
ENT2 = {"id": "91441200MA00000234", "kind": "enterprise", "in_zone": True, "sme": False}
SME = {"id": "91441200MA000004XN", "kind": "enterprise", "in_zone": True, "sme": True}


def ipfund_cmd() -> str:
    here = Path(sys.executable).parent / "ipfund"
    found = str(here) if here.exists() else shutil.which("ipfund")
    if not found:
        pytest.fail("the console command `ipfund` is not installed (pip install -e .)")
    return found


def run(*args, input: bytes | str | None = None, timeout: float = 60, cwd=None):
    if isinstance(input, str):
        input = input.encode("utf-8")
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    env.pop("COLUMNS", None)
    return subprocess.run([ipfund_cmd(), *map(str, args)], input=input, capture_output=True,
                          timeout=timeout, env=env, cwd=cwd)


def assert_unusable(proc, *must_mention: str):
    """Exit 2, a one-line message on stderr, nothing on stdout, no traceback."""
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2, (proc.returncode, err[-2000:])
    assert proc.stdout == b"", proc.stdout[:500]
    assert "Traceback" not in err, err[-2000:]
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected a one-line message, got: {err[-2000:]!r}"
    for word in must_mention:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def patent(cid, number="ZL201910000001.2", level="gold", applicant=ENT, date="2023-07-20"):
    return {"id": cid, "item": "china_patent_award", "applicant": applicant, "event_date": date,
            "facts": {"patent_number": number, "level": level}}


def litigation(cid, case, date, applicant=ENT, venue="foreign"):
    return {"id": cid, "item": "patent_litigation", "applicant": applicant, "event_date": date,
            "facts": {"case_number": case, "venue": venue, "infringement_established": True,
                      "judgment_effective": True}}


def write(tmp_path, name, obj) -> Path:
    p = tmp_path / name
    p.write_text(obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    return p


def decisions_of(proc):
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")[-2000:]
    out = json.loads(proc.stdout)
    assert out["policy"] == POLICY
    return {d["id"]: d for d in out["decisions"]}


# --- a read batch: exit 0 ---------------------------------------------------------------


def test_evaluate_file_prints_decisions(tmp_path):
    batch = write(tmp_path, "batch.json", {"policy": POLICY, "claims": [patent("c1")]})
    proc = run("evaluate", batch)
    d = decisions_of(proc)["c1"]
    assert d["item"] == "china_patent_award"
    assert (d["eligible"], d["amount"], d["capped"], d["reasons"], d["citation"]) == \
        (True, "300000.00", False, [], "一（二）")
    assert isinstance(d["explanation"], list) and d["explanation"]
    assert b"Traceback" not in proc.stderr


def test_invalid_claims_still_exit_0_and_the_rest_is_evaluated(tmp_path):
    claims = [
        {"id": "bad-id", **{k: v for k, v in patent("x").items() if k != "id"},
         "applicant": {**ENT, "id": "91441200MA00000150"}},
        {**patent("bad-level"), "facts": {"patent_number": "ZL9", "level": "platinum"}},
        {**patent("bad-date"), "event_date": "2023-02-30"},
        {**patent("bad-item"), "item": "nobel_prize"},
        patent("good"),
    ]
    d = decisions_of(run("evaluate", write(tmp_path, "b.json", {"policy": POLICY, "claims": claims})))
    assert d["bad-id"]["error"]["field"] == "applicant.id"
    assert d["bad-level"]["error"]["field"] == "facts.level"
    assert d["bad-date"]["error"]["field"] == "event_date"
    assert d["bad-item"]["error"]["field"] == "item"
    assert all(d[k]["error"]["code"] == "invalid_input" for k in ("bad-id", "bad-level", "bad-date", "bad-item"))
    assert d["good"]["eligible"] is True and d["good"]["amount"] == "300000.00"


def test_decisions_keep_batch_order(tmp_path):
    claims = [patent(f"c{i}", number=f"ZL{i % 3}") for i in range(9)]
    out = json.loads(run("evaluate", write(tmp_path, "b.json", {"policy": POLICY, "claims": claims})).stdout)
    assert [d["id"] for d in out["decisions"]] == [f"c{i}" for i in range(9)]
    assert [d["eligible"] for d in out["decisions"]] == [True] * 3 + [False] * 6


def test_empty_claims_list_is_a_read_batch(tmp_path):
    proc = run("evaluate", write(tmp_path, "b.json", {"policy": POLICY, "claims": []}))
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["decisions"] == []


def test_stdin_dash_gives_the_same_decisions_as_a_file(tmp_path):
    batch = {"policy": POLICY, "claims": [patent("c1"), patent("c2", applicant=ENT2)]}
    from_file = run("evaluate", write(tmp_path, "b.json", batch))
    from_stdin = run("evaluate", "-", input=json.dumps(batch))
    assert from_stdin.returncode == 0
    assert json.loads(from_stdin.stdout) == json.loads(from_file.stdout)
    assert json.loads(from_stdin.stdout)["decisions"][1]["reasons"] == ["duplicate"]


def test_money_as_json_numbers_is_exact(tmp_path):
    """1234.57 as a JSON number is 1234.57 yuan, not a binary float: 50% is 617.29."""
    raw = ('{"policy": "%s", "claims": [{"id": "c1", "item": "contest_match", "applicant": %s, '
           '"event_date": "2023-07-20", "facts": {"contest_year": 2023, "standing": "winner", '
           '"contest_award_amount": 1234.57}}]}' % (POLICY, json.dumps(ENT)))
    d = decisions_of(run("evaluate", "-", input=raw))["c1"]
    assert d["amount"] == "617.29"


def test_interpret_option_changes_the_decision(tmp_path):
    claims = [litigation(f"c{i}", f"F-{i}", f"{2023 + (i == 3)}-0{i + 1}-01") for i in range(4)]
    batch = write(tmp_path, "b.json", {"policy": POLICY, "claims": claims})
    default = decisions_of(run("evaluate", batch))["c3"]
    per_year = decisions_of(run("evaluate", batch, "--interpret", "A7=per_year"))["c3"]
    assert (default["eligible"], default["reasons"]) == (False, ["cap_reached"])
    assert (per_year["eligible"], per_year["amount"]) == (True, "100000.00")
    assert "A7=per_year" in per_year.get("interpretations", [])


def test_interpret_can_be_repeated(tmp_path):
    claims = [
        {"id": "s1", "item": "service_revenue", "applicant": ENT, "event_date": "2023-03-31",
         "facts": {"year": 2022, "ip_service_revenue": "1500000"}},
        {"id": "s2", "item": "service_revenue", "applicant": ENT, "event_date": "2024-03-31",
         "facts": {"year": 2023, "ip_service_revenue": "1500000"}},
    ] + [litigation(f"c{i}", f"F-{i}", f"{2023 + (i == 3)}-0{i + 1}-01") for i in range(4)]
    batch = write(tmp_path, "b.json", {"policy": POLICY, "claims": claims})
    d = decisions_of(run("evaluate", batch, "--interpret", "A7=per_year", "--interpret", "A12=once"))
    assert d["s2"]["reasons"] == ["duplicate"]
    assert d["c3"]["eligible"] is True


def test_default_option_named_explicitly_is_accepted(tmp_path):
    batch = write(tmp_path, "b.json", {"policy": POLICY, "claims": [patent("c1")]})
    plain = json.loads(run("evaluate", batch).stdout)
    explicit = run("evaluate", batch, "--interpret", "A7=policy_life")
    assert explicit.returncode == 0
    assert json.loads(explicit.stdout) == plain


def test_history_counts_against_keys_and_caps(tmp_path):
    hist = write(tmp_path, "h.json", {"policy": POLICY, "awarded": [
        {**patent("h1"), "amount": "300000.00"},
        {"id": "h2", "item": "custody_sme", "applicant": SME, "event_date": "2023-03-01",
         "facts": {"service_year": 2023, "actual_cost": "16000"}, "amount": "8000.00"},
    ]})
    batch = write(tmp_path, "b.json", {"policy": POLICY, "claims": [
        patent("c1", applicant=ENT2),
        {"id": "c2", "item": "custody_sme", "applicant": SME, "event_date": "2023-09-01",
         "facts": {"service_year": 2023, "actual_cost": "10000"}},
    ]})
    d = decisions_of(run("evaluate", batch, "--history", hist))
    assert "h1" not in d and "h2" not in d, "history claims get no decision"
    assert d["c1"]["reasons"] == ["duplicate"]
    assert (d["c2"]["amount"], d["c2"]["capped"], d["c2"]["reasons"]) == ("2000.00", True, ["cap_reached"])
    # and without history the same batch pays in full
    d0 = decisions_of(run("evaluate", batch))
    assert d0["c1"]["eligible"] and d0["c2"]["amount"] == "5000.00"


def test_two_runs_with_history_equal_one_run(tmp_path):
    claims = [litigation(f"c{i}", f"D-{i}", "2023-07-20", venue="domestic") for i in range(7)]
    whole = decisions_of(run("evaluate", write(tmp_path, "w.json", {"policy": POLICY, "claims": claims})))
    first = decisions_of(run("evaluate", write(tmp_path, "a.json", {"policy": POLICY, "claims": claims[:3]})))
    hist = write(tmp_path, "h.json", {"policy": POLICY, "awarded": [
        {**c, "amount": first[c["id"]]["amount"]} for c in claims[:3] if first[c["id"]]["eligible"]]})
    second = decisions_of(run("evaluate", write(tmp_path, "b.json", {"policy": POLICY, "claims": claims[3:]}),
                              "--history", hist))
    strip = lambda d: {k: v for k, v in d.items() if k != "explanation"}  # noqa: E731
    for c in claims[3:]:
        assert strip(second[c["id"]]) == strip(whole[c["id"]])
    assert whole["c5"]["reasons"] == ["cap_reached"]


def test_same_batch_same_output(tmp_path):
    batch = write(tmp_path, "b.json", {"policy": POLICY, "claims": [patent("c1"), patent("c2")]})
    assert run("evaluate", batch).stdout == run("evaluate", batch).stdout


# --- an unusable batch: exit 2, one line on stderr, nothing on stdout ----------------------


@pytest.mark.parametrize("text", [
    "not json at all",
    "",
    "{\"policy\": \"zhaoqing-hitech-ip-2022\", \"claims\": [",
    "\ufeff{]",
    "[]",
    "42",
    "{\"policy\": \"zhaoqing-hitech-ip-2022\"}",
    "{\"policy\": \"zhaoqing-hitech-ip-2022\", \"claims\": {\"id\": \"c1\"}}",
    "{\"policy\": \"zhaoqing-hitech-ip-2022\", \"claims\": null}",
], ids=["not-json", "empty", "truncated", "garbage-after-bom", "array", "number", "no-claims",
        "claims-object", "claims-null"])
def test_unusable_batch_exits_2(tmp_path, text):
    assert_unusable(run("evaluate", write(tmp_path, "b.json", text)))
    assert_unusable(run("evaluate", "-", input=text))


def test_invalid_utf8_exits_2(tmp_path):
    p = tmp_path / "b.json"
    p.write_bytes(b'{"policy": "zhaoqing-hitech-ip-2022", "claims": [], "x": "\xff\xfe"}')
    assert_unusable(run("evaluate", p))


def test_unknown_policy_exits_2(tmp_path):
    assert_unusable(run("evaluate", write(tmp_path, "b.json", {"policy": "shenzhen-2099", "claims": []})),
                    "shenzhen-2099")


def test_missing_policy_exits_2(tmp_path):
    assert_unusable(run("evaluate", write(tmp_path, "b.json", {"claims": []})))


@pytest.mark.parametrize("choice,mention", [
    ("A99=anything", "A99"),
    ("A7=per_decade", "per_decade"),
    ("A7", "A7"),
    ("a7=per_year", "a7"),
], ids=["unknown-id", "unknown-option", "no-equals", "lowercase-id"])
def test_unknown_interpretation_exits_2(tmp_path, choice, mention):
    batch = write(tmp_path, "b.json", {"policy": POLICY, "claims": [patent("c1")]})
    assert_unusable(run("evaluate", batch, "--interpret", choice), mention)


def test_missing_batch_file_exits_2(tmp_path):
    assert_unusable(run("evaluate", tmp_path / "nope.json"))


@pytest.mark.parametrize("text", ["not json", "[]", '{"policy": "zhaoqing-hitech-ip-2022"}',
                                  '{"policy": "zhaoqing-hitech-ip-2022", "awarded": {}}'],
                         ids=["not-json", "array", "no-awarded", "awarded-object"])
def test_unusable_history_exits_2(tmp_path, text):
    batch = write(tmp_path, "b.json", {"policy": POLICY, "claims": [patent("c1")]})
    assert_unusable(run("evaluate", batch, "--history", write(tmp_path, "h.json", text)))


def test_history_of_another_policy_exits_2(tmp_path):
    batch = write(tmp_path, "b.json", {"policy": POLICY, "claims": [patent("c1")]})
    hist = write(tmp_path, "h.json", {"policy": "shenzhen-2099", "awarded": []})
    assert_unusable(run("evaluate", batch, "--history", hist))


# --- hostile input: no crash, no traceback, bounded ---------------------------------------


def test_deeply_nested_arrays_exit_2_without_traceback(tmp_path):
    p = tmp_path / "deep.json"
    p.write_text("[" * 100_000 + "]" * 100_000)
    assert_unusable(run("evaluate", p, timeout=30))
    assert_unusable(run("evaluate", "-", input=p.read_bytes(), timeout=30))


def test_deeply_nested_object_in_batch_exit_2_without_traceback(tmp_path):
    deep = '{"a":' * 100_000 + "1" + "}" * 100_000
    text = '{"policy": "%s", "claims": [], "extra": %s}' % (POLICY, deep)
    assert_unusable(run("evaluate", "-", input=text, timeout=30))


def test_deep_nesting_inside_a_claim_does_not_crash(tmp_path):
    deep = "[" * 50_000 + "]" * 50_000
    text = ('{"policy": "%s", "claims": [{"id": "c1", "item": "china_patent_award", "applicant": %s, '
            '"event_date": "2023-07-20", "facts": {"patent_number": "ZL1", "level": "gold", "x": %s}}]}'
            % (POLICY, json.dumps(ENT), deep))
    proc = run("evaluate", "-", input=text, timeout=30)
    assert b"Traceback" not in proc.stderr
    assert proc.returncode in (0, 2), proc.stderr[-1000:]
    if proc.returncode == 2:
        assert_unusable(proc)


@pytest.mark.parametrize("value", ["1" * 5000, "1e400", "1e30", "-0.0", "1" * 30 + ".5"],
                         ids=["5000-digit-int", "1e400", "1e30", "minus-zero-float", "huge-decimal"])
def test_hostile_numbers_do_not_crash(tmp_path, value):
    text = ('{"policy": "%s", "claims": [{"id": "c1", "item": "contest_match", "applicant": %s, '
            '"event_date": "2023-07-20", "facts": {"contest_year": %s, "standing": "winner", '
            '"contest_award_amount": %s}}, %s]}'
            % (POLICY, json.dumps(ENT), value if "." not in value and "e" not in value else 2023,
               value, json.dumps(patent("ok"))))
    proc = run("evaluate", "-", input=text, timeout=30)
    assert b"Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert proc.returncode in (0, 2)
    if proc.returncode == 2:
        assert_unusable(proc)
    else:
        d = {x["id"]: x for x in json.loads(proc.stdout)["decisions"]}
        assert d["ok"]["eligible"] is True
        # the contract sets no upper bound and allows any JSON number: either paid exactly
        # (a JSON number is its decimal value, never a binary float), or refused naming the field
        expected = {"1e400": "5" + "0" * 399 + ".00", "1e30": "5" + "0" * 29 + ".00",
                    "1" * 30 + ".5": "55555555555555555555555555555.75"}.get(value)
        if expected is not None:
            if "error" in d["c1"]:
                assert d["c1"]["error"]["field"] == "facts.contest_award_amount", d["c1"]
            else:
                assert d["c1"]["amount"] == expected, d["c1"]


def test_large_batch_is_evaluated_quickly(tmp_path):
    claims = [patent(f"c{i}", number=f"ZL{i % 1000}") for i in range(5000)]
    p = write(tmp_path, "big.json", {"policy": POLICY, "claims": claims})
    t = time.monotonic()
    proc = run("evaluate", p, timeout=120)
    assert proc.returncode == 0
    out = json.loads(proc.stdout)["decisions"]
    assert len(out) == 5000 and sum(d["eligible"] for d in out) == 1000
    assert time.monotonic() - t < 60


def test_huge_string_does_not_crash(tmp_path):
    text = ('{"policy": "%s", "claims": [{"id": "%s", "item": "x"}]}' % (POLICY, "x" * 20_000_000))
    proc = run("evaluate", "-", input=text, timeout=60)
    assert b"Traceback" not in proc.stderr
    assert proc.returncode in (0, 2)


# --- bulk: --jsonl ------------------------------------------------------------------------


def _jsonl(tmp_path, claims, extra_lines=()):
    p = tmp_path / "claims.jsonl"
    lines = [json.dumps(c, ensure_ascii=False) for c in claims] + list(extra_lines)
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_jsonl_one_decision_per_line_same_as_batch(tmp_path):
    claims = [patent(f"c{i}", number=f"ZL{i % 4}", applicant=[ENT, ENT2][i % 2]) for i in range(10)]
    claims += [litigation(f"l{i}", f"K{i}", "2023-07-20") for i in range(5)]
    claims.append({**patent("bad"), "event_date": "2023-13-01"})
    proc = run("evaluate", "--jsonl", _jsonl(tmp_path, claims), "--policy", POLICY)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.decode().splitlines()
    assert len(lines) == len(claims)
    bulk = [json.loads(ln) for ln in lines]
    whole = json.loads(run("evaluate", write(tmp_path, "b.json", {"policy": POLICY, "claims": claims})).stdout)
    assert bulk == [{k: v for k, v in d.items() if k != "explanation"} for d in whole["decisions"]]
    assert bulk[-1]["error"]["field"] == "event_date"


def test_jsonl_explain_includes_explanations(tmp_path):
    proc = run("evaluate", "--jsonl", _jsonl(tmp_path, [patent("c1")]), "--policy", POLICY, "--explain")
    d = json.loads(proc.stdout.decode().splitlines()[0])
    assert proc.returncode == 0 and d["explanation"]


def test_jsonl_from_stdin_with_history_and_interpret(tmp_path):
    hist = write(tmp_path, "h.json", {"policy": POLICY, "awarded": [
        {**litigation("h1", "F-1", "2023-01-01"), "amount": "100000.00"},
        {**litigation("h2", "F-2", "2023-02-01"), "amount": "100000.00"},
        {**litigation("h3", "F-3", "2023-03-01"), "amount": "100000.00"}]})
    claims = [litigation("c1", "F-4", "2024-01-01"), litigation("c2", "F-3", "2024-01-01", applicant=ENT2)]
    text = "\n".join(json.dumps(c) for c in claims) + "\n"
    default = run("evaluate", "--jsonl", "-", "--policy", POLICY, "--history", hist, input=text)
    per_year = run("evaluate", "--jsonl", "-", "--policy", POLICY, "--history", hist,
                   "--interpret", "A7=per_year", input=text)
    d0 = [json.loads(x) for x in default.stdout.decode().splitlines()]
    d1 = [json.loads(x) for x in per_year.stdout.decode().splitlines()]
    assert d0[0]["reasons"] == ["cap_reached"] and d0[1]["reasons"] == ["duplicate"]
    assert d1[0]["eligible"] is True and d1[1]["reasons"] == ["duplicate"]


def test_jsonl_bad_line_gets_an_error_decision_and_the_rest_goes_on(tmp_path):
    p = _jsonl(tmp_path, [patent("c1")], extra_lines=["{not json", json.dumps(patent("c3", number="ZL7"))])
    proc = run("evaluate", "--jsonl", p, "--policy", POLICY)
    assert proc.returncode == 0, proc.stderr[-1000:]
    out = [json.loads(x) for x in proc.stdout.decode().splitlines()]
    assert len(out) == 3
    assert out[0]["eligible"] is True and "error" in out[1] and out[2]["eligible"] is True
    assert b"Traceback" not in proc.stderr


def test_jsonl_unknown_policy_exits_2(tmp_path):
    assert_unusable(run("evaluate", "--jsonl", _jsonl(tmp_path, [patent("c1")]), "--policy", "nope-2099"))


def test_jsonl_unknown_interpretation_exits_2(tmp_path):
    assert_unusable(run("evaluate", "--jsonl", _jsonl(tmp_path, [patent("c1")]), "--policy", POLICY,
                        "--interpret", "A7=never"))


def test_jsonl_no_progress_bar_when_not_a_terminal(tmp_path):
    proc = run("evaluate", "--jsonl", _jsonl(tmp_path, [patent("c1")] * 3), "--policy", POLICY)
    assert proc.stderr == b""


def test_jsonl_streams_decisions_before_input_ends():
    """Decisions come out while input is still being written: the input is never held whole.

    The writer keeps the pipe open after 100000 lines (far more than any sensible chunk); the
    first decision must arrive within 60 s, before end of input.
    """
    proc = subprocess.Popen([ipfund_cmd(), "evaluate", "--jsonl", "-", "--policy", POLICY],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    line = (json.dumps(patent("c", number="ZL1")) + "\n").encode()
    stop = threading.Event()
    first: list[bytes] = []

    def feed():
        try:
            for _ in range(100_000):
                if stop.is_set():
                    return
                proc.stdin.write(line)
            proc.stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            pass

    def read_first():
        first.append(proc.stdout.readline())

    writer = threading.Thread(target=feed, daemon=True)
    reader = threading.Thread(target=read_first, daemon=True)
    writer.start()
    reader.start()
    try:
        reader.join(timeout=60)
        got_output = bool(first and first[0])
    finally:
        stop.set()
        proc.kill()
        proc.wait(timeout=30)
    assert got_output, "no decision came out while the input was still open (not streaming)"
    assert json.loads(first[0])["eligible"] is True


def _person(number: str) -> dict:
    return {"id": number, "kind": "person", "name": "王工", "in_zone": True}


def _resident(body: str) -> str:
    from stdnum.cn import ric

    return body + ric.calc_check_digit(body + "0")


def test_resident_numbers_are_checked_against_the_counties_in_use_in_the_birth_year():
    # 110103 (崇文区) was in use until 2010; 119999 is no county of 北京市 (python-stdnum raised
    # KeyError on it, and this command stopped with a traceback); 441202 is in use.
    claims = [{"id": cid, "item": "guangdong_outstanding_inventor", "applicant": _person(_resident(body)),
               "event_date": "2023-07-20", "facts": {"award_year": 2023}}
              for cid, body in (("old", "11010320100101001"), ("gone", "11010320110101001"),
                                ("nowhere", "11999919900101001"), ("here", "44120219880101102"))]
    batch = json.dumps({"policy": POLICY, "claims": claims}, ensure_ascii=False)
    proc = run("evaluate", "-", input=batch)
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr, proc.stderr.decode()[-2000:]
    d = {x["id"]: x for x in json.loads(proc.stdout)["decisions"]}
    assert d["old"]["eligible"] is True and d["here"]["eligible"] is True
    for cid in ("gone", "nowhere"):
        assert d[cid]["error"]["field"] == "applicant.id" and "居民身份证号码无效" in d[cid]["error"]["message"]
    # the bulk path answers alike
    lines = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in claims)
    proc = run("evaluate", "--jsonl", "-", "--policy", POLICY, "--workers", "1", input=lines)
    bulk = {x["id"]: x for x in map(json.loads, proc.stdout.splitlines())}
    assert proc.returncode == 0 and {k: v.get("error", {}).get("field") for k, v in bulk.items()} == {
        "old": None, "gone": "applicant.id", "nowhere": "applicant.id", "here": None}
