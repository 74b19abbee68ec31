"""Public pages without login: home, the policy calculator, the policy overview, the language switch."""

import re

import pytest
from django.urls import reverse

from ipfund.engine.policy import load_policy
from ipfund.web.common import facts as facts_module
from ipfund.web.engine_door import VISITOR_ORGANISATION_ID, VISITOR_PERSON_ID
from ipfund.web.portal.calculator import ERROR_ITEM_NOT_FOR_KIND

pytestmark = pytest.mark.django_db

POLICY = "zhaoqing-hitech-ip-2022"


def calc(client, **params):
    return client.get(reverse("portal:calculator"), params)


def gold_patent(**overrides):
    params = {
        "kind": "enterprise",
        "item": "china_patent_award",
        "event_date": "2023-07-20",
        "in_zone": "true",
        "sme": "false",
        "facts-patent_number": "ZL201910000001.2",
        "facts-level": "gold",
        "evaluate": "1",
    }
    params.update(overrides)
    return params


def test_home_is_chinese_by_default(client):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "政策计算器" in html
    assert "肇高管办〔2022〕2号" in html


def test_visitor_identifiers_are_well_formed():
    from stdnum.cn import ric, uscc

    assert uscc.is_valid(VISITOR_ORGANISATION_ID)
    assert ric.is_valid(VISITOR_PERSON_ID)


def test_calculator_gold_patent_award_pays_300000_with_sentence(client):
    response = calc(client, **gold_patent())
    html = response.content.decode()
    assert response.status_code == 200
    assert "符合条件" in html
    assert "¥300,000.00" in html
    assert "对获得中国专利金奖、银奖、优秀奖的单位分别每项奖励30万元" in html
    assert "一（二）" in html


def test_calculator_outside_validity_says_why(client):
    html = calc(client, **gold_patent(event_date="2025-03-01")).content.decode()
    assert "不符合条件" in html
    assert "¥0.00" in html
    assert "有效期" in html


def test_calculator_person_cannot_pick_an_organisation_item(client):
    response = calc(client, **gold_patent(kind="person"))
    form = response.context["form"]
    assert form.errors["item"] == [str(ERROR_ITEM_NOT_FOR_KIND)]


def test_calculator_missing_fact_is_shown_beside_the_field_and_input_kept(client):
    params = gold_patent()
    del params["facts-level"]
    response = calc(client, **params)
    html = response.content.decode()
    assert response.context["outcome"] is None
    assert response.context["facts_form"].errors["level"] == [str(facts_module.ERROR_CHOOSE)]
    error_block = re.search(r'id="field-facts-level".*?</div>', html, re.S).group(0)
    assert "请选择一项。" in error_block
    # what was typed is still there
    assert 'value="ZL201910000001.2"' in html
    assert 'value="2023-07-20"' in html


def test_calculator_negative_money_is_refused_in_chinese(client):
    params = {
        "kind": "enterprise",
        "item": "custody_sme",
        "event_date": "2023-05-01",
        "in_zone": "true",
        "sme": "true",
        "facts-service_year": "2023",
        "facts-actual_cost": "-5",
        "evaluate": "1",
    }
    response = calc(client, **params)
    assert response.context["facts_form"].errors["actual_cost"] == [
        str(facts_module.ERROR_MONEY_NEGATIVE)
    ]
    assert 'value="-5"' in response.content.decode()


def test_calculator_half_of_custody_cost_for_an_sme(client):
    params = {
        "kind": "enterprise",
        "item": "custody_sme",
        "event_date": "2023-05-01",
        "in_zone": "true",
        "sme": "true",
        "facts-service_year": "2023",
        "facts-actual_cost": "8000.50",
        "evaluate": "1",
    }
    html = calc(client, **params).content.decode()
    assert "¥4,000.25" in html


def test_calculator_engine_error_on_a_bad_credit_code_is_beside_the_field(client):
    params = {
        "kind": "service_agency",
        "item": "custody_provider",
        "event_date": "2023-05-01",
        "in_zone": "true",
        "facts-sme_clients": "NOT-A-CODE",
        "evaluate": "1",
    }
    response = calc(client, **params)
    errors = response.context["facts_form"].errors["sme_clients"]
    assert errors and "统一社会信用代码" in errors[0]


def test_calculator_lists_items_for_a_kind(client):
    response = calc(client, kind="school")
    titles = [item.id for item in response.context["items_for_kind"]]
    assert "ip_education_school" in titles
    # the organisation award of the children's invention prizes is open to schools
    assert "song_qingling_award" in titles
    assert "china_patent_award" in titles
    assert "patent_attorney" not in titles


def test_calculator_form_has_one_field_per_fact(client):
    spec = load_policy(POLICY).items["patent_litigation"]
    response = calc(client, kind="enterprise", item="patent_litigation")
    form = response.context["facts_form"]
    assert list(form.fields) == [fact.name for fact in spec.facts]


def test_policy_overview_lists_every_item_with_its_sentence(client):
    policy = load_policy(POLICY)
    html = client.get(reverse("portal:policy")).content.decode()
    for item in policy.items.values():
        assert item.title in html
    assert "对经主管部门组织评审通过的专利联盟一次性给予其秘书处20万元工作经费补贴。" in html


def test_language_switch_to_english_and_back(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("portal:calculator")}
    )
    assert response.status_code == 302
    html = client.get(reverse("portal:calculator")).content.decode()
    assert '<html lang="en">' in html
    assert "Policy calculator" in html
    client.post(reverse("set_language"), {"language": "zh-hans"})
    html = client.get(reverse("portal:calculator")).content.decode()
    assert "政策计算器" in html


def test_an_english_browser_still_gets_chinese_until_english_is_chosen(client):
    html = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in html
    client.post(reverse("set_language"), {"language": "en"})
    html = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert '<html lang="en">' in html
