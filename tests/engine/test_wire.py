"""When a block of JSON lines may be taken as decoded whole: exactly as many lines as values and
no blank line — the numpy shortcut must answer as the plain definition does."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ipfund.engine.wire import _one_value_per_line

line = st.one_of(st.just(b'{"id":"c1"}'), st.just(b"1"), st.just(b""),
                 st.text(alphabet=" \t\r\x0b\x0c", max_size=3).map(str.encode),
                 st.tuples(st.text(alphabet=" \t\r\x0b\x0c", max_size=2), st.sampled_from(["x", "{}"]),
                           st.text(alphabet=" \t\r", max_size=2)).map(lambda t: "".join(t).encode()))


@settings(max_examples=500)
@given(st.lists(line, max_size=8), st.integers(0, 9))
def test_the_shortcut_answers_as_the_definition(lines, values):
    blob = b"\n".join(lines)
    plain = blob.split(b"\n")
    expected = bool(blob) and len(plain) == values and all(x.strip() for x in plain)
    assert _one_value_per_line(blob, values) == expected
