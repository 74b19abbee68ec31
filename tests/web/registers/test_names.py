"""Names normalised so one enterprise matches itself; the zone read from a registered address."""

from ipfund.web.registers.names import in_zone, name_normal, suggestions


def test_full_and_half_width_brackets_and_company_forms_meet():
    a = name_normal("肇庆市宏达（肇庆）科技有限责任公司")
    assert a == name_normal("宏达科技有限公司")
    assert name_normal("ＡＢＣ　电子有限公司") == name_normal("abc电子有限公司")
    assert name_normal("广东省肇庆市【大旺】星辉有限公司") == name_normal("星辉有限公司")


def test_place_names_stay_when_they_are_the_whole_name():
    assert name_normal("肇庆") == "肇庆"


def test_a_different_company_stays_different():
    assert name_normal("宏达科技有限公司") != name_normal("宏远科技有限公司")


def test_zone_from_the_registered_address(settings, tmp_path):
    assert in_zone("广东省肇庆市肇庆高新区迎宾大道 18 号")
    assert in_zone("肇庆市大旺工业园")
    assert not in_zone("广东省广州市天河区天河路 1 号")
    own = tmp_path / "zone.txt"
    own.write_text("# 只有这一条\n天河区\n", encoding="utf-8")
    settings.IPFUND_ZONE_ADDRESS_FILE = str(own)
    assert in_zone("广东省广州市天河区天河路 1 号")
    assert not in_zone("肇庆高新区迎宾大道 18 号")


def test_suggestions_rank_the_closest_name_first():
    choices = {name_normal("宏达科技有限公司"): [("A", "宏达科技有限公司")],
               name_normal("星辉电子有限公司"): [("B", "星辉电子有限公司")]}
    found = suggestions(name_normal("宏达科技"), choices)
    assert found[0]["credit_code"] == "A" and found[0]["score"] >= 60
    assert all(s["credit_code"] != "B" for s in found)
