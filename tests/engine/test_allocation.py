"""Allocation arithmetic (engine/allocation.py), the expected figures worked out by hand first.

Pro rata: ratio = budget ÷ approved total, each award floor(amount × ratio) to the fen, the
remainder fen given back by the largest dropped fraction (ties in the order given) or left
unallocated. Ranking: scorers averaged exactly, ties by earlier submission."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from fractions import Fraction

import pytest

from ipfund.engine.allocation import LARGEST_REMAINDER, PANEL_SCORE, RANKING, UNALLOCATED, count_in_sentence, pro_rata, rank


def test_a_round_ratio_cuts_every_award_exactly():
    # 100,000 budget over 120,000 approved: ratio 5/6; 60,000 → 50,000, 30,000 → 25,000 twice.
    plan = pro_rata(D("100000.00"), [("a", D("60000.00")), ("b", D("30000.00")), ("c", D("30000.00"))], LARGEST_REMAINDER)
    assert plan.ratio == Fraction(5, 6) and plan.ratio_text == "0.833333"
    assert [(line.key, line.after, line.cut) for line in plan.lines] == [
        ("a", D("50000.00"), D("10000.00")), ("b", D("25000.00"), D("5000.00")), ("c", D("25000.00"), D("5000.00"))]
    assert plan.remainder == D("0.00") and plan.unallocated == D("0.00")


AWARDS = [("a", D("333.33")), ("b", D("333.33")), ("c", D("333.34")), ("d", D("100.00"))]


def test_the_remainder_goes_by_the_largest_dropped_fraction_in_the_order_given():
    # 1,000.00 over 1,100.00: ratio 10/11.  33333×10/11 = 30302.727… fen (twice), 33334×10/11 =
    # 30303.636…, 10000×10/11 = 9090.909…: floors 303.02, 303.02, 303.03, 90.90 = 999.97, 3 fen left,
    # to d (.909), then a and b (.727 each, a first): 303.03 ×3 + 90.91 = 1,000.00.
    plan = pro_rata(D("1000.00"), AWARDS, LARGEST_REMAINDER)
    assert [line.floor for line in plan.lines] == [D("303.02"), D("303.02"), D("303.03"), D("90.90")]
    assert plan.remainder == D("0.03")
    assert [line.after for line in plan.lines] == [D("303.03"), D("303.03"), D("303.03"), D("90.91")]
    assert [line.extra for line in plan.lines] == [D("0.01"), D("0.01"), D("0.00"), D("0.01")]
    assert plan.after_total == D("1000.00") and plan.unallocated == D("0.00")


def test_the_remainder_left_unallocated():
    plan = pro_rata(D("1000.00"), AWARDS, UNALLOCATED)
    assert [line.after for line in plan.lines] == [D("303.02"), D("303.02"), D("303.03"), D("90.90")]
    assert plan.after_total == D("999.97") and plan.unallocated == D("0.03")


def test_within_the_budget_nothing_is_cut():
    plan = pro_rata(D("1100.00"), AWARDS, LARGEST_REMAINDER)
    assert not plan.cuts and [line.cut for line in plan.lines] == [D("0.00")] * 4


def test_a_panel_ranks_by_the_exact_average_and_earlier_submission_breaks_ties():
    day = dt.datetime(2026, 3, 1)
    entries = [("x", [D("90"), D("80")], day + dt.timedelta(hours=2)),   # 85
               ("y", [D("85"), D("85")], day + dt.timedelta(hours=1)),   # 85, submitted first
               ("z", [D("88")], day + dt.timedelta(hours=3)),            # 88
               ("w", [D("70"), D("71"), D("72")], day)]                  # 71
    ranked = rank(entries, PANEL_SCORE)
    assert [(r.key, r.place, r.average_text) for r in ranked] == [("z", 1, "88.00"), ("y", 2, "85.00"),
                                                                   ("x", 3, "85.00"), ("w", 4, "71.00")]


def test_a_ranking_puts_the_lowest_average_place_first():
    day = dt.datetime(2026, 3, 1)
    ranked = rank([("z", [D(3), D(3)], day), ("y", [D(2), D(1)], day + dt.timedelta(1)), ("x", [D(1), D(2)], day)], RANKING)
    assert [(r.key, r.place) for r in ranked] == [("x", 1), ("y", 2), ("z", 3)]


def test_averages_are_compared_exactly_not_after_rounding():
    day = dt.datetime(2026, 3, 1)
    # 85.005 (three scorers) beats 85.00 though both print as 85.00/85.01
    ranked = rank([("p", [D("85")], day), ("q", [D("85.01"), D("85.01"), D("84.995")], day + dt.timedelta(1))], PANEL_SCORE)
    assert [r.key for r in ranked] == ["q", "p"]


@pytest.mark.parametrize("count, sentence, found", [
    (5, "每年择优支持不超过5个，按评审专家评分排序确定。", True),
    (5, "每年择优支持不超过五个。", True),
    (5, "每年择优支持不超过15个。", False),
    (12, "每批择优支持不超过十二家。", True),
    (3, "每年择优支持不超过5个。", False),
])
def test_the_count_is_read_in_its_sentence(count, sentence, found):
    assert count_in_sentence(count, sentence) is found
