"""The public policy calculator (政策计算器): a form that builds a one-claim batch and asks the engine."""

from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext_lazy as _

from ipfund.engine import BatchError, evaluate_batch
from ipfund.web.portal import labels
from ipfund.web.portal.facts import (
    BOOL_CHOICES,
    ERROR_CHOOSE,
    ERROR_DATE,
    ERROR_REQUIRED,
    NO,
    YES,
    attach_engine_error,
    facts_form,
)
from ipfund.web.portal.policy import current_policy, current_policy_id, items_open_to

# The calculator is anonymous, but the contract requires a verified identifier for the
# applicant. These two are well-formed (check characters computed with python-stdnum) and
# stand for "the visitor"; a one-claim batch without history cannot collide with anyone.
VISITOR_ORGANISATION_ID = "91441200MA4W0Q9X3H"
VISITOR_PERSON_ID = "441203199001010010"

# How the explanation names the visitor, and the stand-in identifier it shows instead of a code
# the visitor never typed.
VISITOR_NAME = _("您")
VISITOR_ID_SHOWN = {VISITOR_ORGANISATION_ID: _("本单位"), VISITOR_PERSON_ID: _("本人")}

ERROR_ITEM_NOT_FOR_KIND = _("所选申请人类型不能申报该项目，请重新选择。")


def item_choices(kind: str = "") -> list[tuple[str, str]]:
    """All items, or those open to ``kind`` when one is chosen."""
    items = items_open_to(kind) if kind else list(current_policy().items.values())
    return [("", _("— 请选择项目 —"))] + [(item.id, f"{item.clause} {item.title}") for item in items]


class CalculatorForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("申请人类型"),
        error_messages={"required": ERROR_CHOOSE, "invalid_choice": ERROR_CHOOSE},
    )
    item = forms.ChoiceField(
        label=_("申报项目"),
        error_messages={"required": ERROR_CHOOSE, "invalid_choice": ERROR_CHOOSE},
    )
    event_date = forms.DateField(
        label=_("事件日期"),
        help_text=_("获奖公布、称号授予、判决生效、费用发生、审核通过等日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        error_messages={"required": ERROR_REQUIRED, "invalid": ERROR_DATE},
    )
    in_zone = forms.TypedChoiceField(
        label=_("是否在高新区注册（个人：在区内工作、学习或居住）"),
        choices=BOOL_CHOICES,
        coerce=lambda v: v == YES,
        initial=YES,
        widget=forms.RadioSelect,
        error_messages={"required": ERROR_CHOOSE, "invalid_choice": ERROR_CHOOSE},
    )
    sme = forms.TypedChoiceField(
        label=_("是否中小微企业"),
        choices=BOOL_CHOICES,
        coerce=lambda v: v == YES,
        initial=NO,
        widget=forms.RadioSelect,
        required=False,
        empty_value=False,
        error_messages={"invalid_choice": ERROR_CHOOSE},
    )

    def __init__(self, *args, kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("— 请选择 —"))] + labels.kind_choices()
        self.fields["item"].choices = item_choices(kind if kind in dict(labels.kind_choices()) else "")
        self.fields["item"].error_messages["invalid_choice"] = ERROR_ITEM_NOT_FOR_KIND


@dataclass
class CalculatorOutcome:
    decision: dict | None = None
    clause: object | None = None
    sentence: str = ""
    message: str = ""
    reasons: list[str] = field(default_factory=list)


def build_batch(main: dict, facts: dict) -> dict:
    kind = main["kind"]
    applicant_id = VISITOR_PERSON_ID if kind == "person" else VISITOR_ORGANISATION_ID
    return {
        "policy": current_policy_id(),
        "claims": [
            {
                "id": "calculator",
                "item": main["item"],
                "applicant": {
                    "id": applicant_id,
                    "name": str(VISITOR_NAME),
                    "kind": kind,
                    "in_zone": main["in_zone"],
                    "sme": bool(main.get("sme")),
                },
                "event_date": main["event_date"].isoformat(),
                "facts": facts,
            }
        ],
    }


def run_calculator(data) -> tuple[CalculatorForm, object, CalculatorOutcome | None]:
    """Bind the forms to ``data`` (a QueryDict or None); evaluate when they are valid.

    Returns the main form, the facts form (None until an item is chosen) and the outcome
    (None until evaluated).
    """
    evaluating = bool(data and data.get("evaluate"))
    kind = (data or {}).get("kind") or ""
    item_id = (data or {}).get("item") or ""
    item_spec = current_policy().items.get(item_id)
    initial = _initial(data)
    if item_spec is not None and item_spec.requires_sme and "sme" not in initial:
        initial["sme"] = YES  # only an SME can claim it: the visitor asking is presumably one
    main = CalculatorForm(data=data if evaluating else None, initial=initial, kind=kind)
    facts = None
    if item_spec is not None:
        facts = facts_form(item_spec, data=data if evaluating else None)
    if not evaluating or item_spec is None:
        return main, facts, None
    if not (main.is_valid() & facts.is_valid()):
        return main, facts, None
    batch = build_batch(main.cleaned_data, facts.contract_facts())
    try:
        result = evaluate_batch(batch)
    except BatchError as exc:
        return main, facts, CalculatorOutcome(message=str(exc.args[0]))
    decision = _without_visitor_id(result["decisions"][0])
    if "error" in decision:
        if attach_engine_error(decision["error"], {"facts": facts, "main": main}):
            return main, facts, None
        return main, facts, CalculatorOutcome(message=decision["error"].get("message", ""))
    outcome = CalculatorOutcome(
        decision=decision,
        clause=current_policy().clause(decision.get("citation", "")),
        sentence=item_spec.source,
        reasons=[labels.reason_label(code) for code in decision.get("reasons", [])],
    )
    return main, facts, outcome


def _initial(data) -> dict:
    if not data:
        return {}
    return {
        key: data.get(key)
        for key in ("kind", "item", "event_date", "in_zone", "sme")
        if data.get(key)
    }


def _without_visitor_id(decision: dict) -> dict:
    """The stand-in identifier the calculator sent is replaced by 本单位 / 本人 in what is shown."""
    lines = decision.get("explanation")
    if not lines:
        return decision
    shown = []
    for line in lines:
        for code, words in VISITOR_ID_SHOWN.items():
            line = line.replace(code, str(words))
        shown.append(line)
    return {**decision, "explanation": shown}
