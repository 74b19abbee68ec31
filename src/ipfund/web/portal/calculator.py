"""The public policy calculator (政策计算器): a form that builds a one-claim batch and asks the engine."""

from dataclasses import dataclass, field, replace

from django import forms
from django.utils.translation import gettext_lazy as _

from ipfund.web.engine_door import (
    VISITOR_ORGANISATION_ID,
    VISITOR_PERSON_ID,
    BatchError,
    Decision,
    decide_calculator,
)
from ipfund.web.common import labels
from ipfund.web.common.facts import (
    BOOL_CHOICES,
    ERROR_CHOOSE,
    ERROR_DATE,
    ERROR_REQUIRED,
    NO,
    YES,
    ADD_LINE,
    attach_engine_error,
    facts_form,
    judged_nothing,
)
from ipfund.web.common.policy import items_open_to, page_policy, policy_choices, policy_facts

# How the explanation names the visitor, and the stand-in identifier it shows instead of a code
# the visitor never typed.
VISITOR_NAME = _("您")
VISITOR_ID_SHOWN = {VISITOR_ORGANISATION_ID: _("本单位"), VISITOR_PERSON_ID: _("本人")}

ERROR_ITEM_NOT_FOR_KIND = _("所选申请人类型不能申报该项目，请重新选择。")


def item_choices(policy, kind: str = "") -> list[tuple[str, str]]:
    """All items of the policy, or those open to ``kind`` when one is chosen."""
    items = items_open_to(kind, policy) if kind else list(policy.items.values())
    return [("", _("— 请选择项目 —"))] + [(item.id, f"{item.clause} {item.title}") for item in items]  # type: ignore[return-value]  # (a lazy string, which Django takes: the stubs say str)


class CalculatorForm(forms.Form):
    policy = forms.ChoiceField(
        label=_("适用政策"),
        required=False,
        help_text=_("默认为现行政策；已失效的政策仍可测算其有效期内发生的事件。"),
        error_messages={"required": ERROR_CHOOSE, "invalid_choice": ERROR_CHOOSE},
    )
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
        empty_value=False,  # type: ignore[arg-type]  # (Django takes any empty value: the stubs say str)
        error_messages={"invalid_choice": ERROR_CHOOSE},
    )

    def __init__(self, *args, policy, kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].choices = policy_choices()  # type: ignore[attr-defined]  # (a choice field: the stubs type form fields as Field)
        self.fields["policy"].initial = policy.id
        kinds = labels.kind_choices(policy)
        self.fields["kind"].choices = [("", _("— 请选择 —"))] + kinds  # type: ignore[attr-defined]  # (a choice field: the stubs type form fields as Field)
        self.fields["item"].choices = item_choices(policy, kind if kind in dict(kinds) else "")  # type: ignore[attr-defined]  # (a choice field: the stubs type form fields as Field)
        self.fields["item"].error_messages["invalid_choice"] = ERROR_ITEM_NOT_FOR_KIND


@dataclass
class CalculatorOutcome:
    decision: Decision | None = None
    clause: object | None = None
    sentence: str = ""
    message: str = ""
    reasons: list[str] = field(default_factory=list)


def run_calculator(data) -> tuple[CalculatorForm, object, CalculatorOutcome | None]:
    """Bind the forms to ``data`` (a QueryDict or None); evaluate when they are valid.

    Returns the main form, the facts form (None until an item is chosen) and the outcome
    (None until evaluated).
    """
    evaluating = bool(data and data.get("evaluate"))
    policy = page_policy((data or {}).get("policy"))
    kind = (data or {}).get("kind") or ""
    item_id = (data or {}).get("item") or ""
    item_spec = policy.items.get(item_id)
    initial = {"policy": policy.id, **_initial(data)}
    if item_spec is not None and "not_sme" in item_spec.gates() and "sme" not in initial:
        initial["sme"] = YES  # only an SME can claim it: the visitor asking is presumably one
    main = CalculatorForm(data=data if evaluating else None, initial=initial, policy=policy, kind=kind)
    main.policy_facts = policy_facts(policy)  # type: ignore[attr-defined]  # (as written before types were checked (issue 23: typed later))
    facts = None
    adding = bool(data and data.get(ADD_LINE))  # one more row of a lines fact: shown as typed
    if item_spec is not None:
        facts = facts_form(item_spec, data=data if evaluating or adding else None)
        if adding and not evaluating:
            judged_nothing(facts)
    if not evaluating or item_spec is None:
        return main, facts, None
    if not (main.is_valid() & facts.is_valid()):  # type: ignore[union-attr]  # (an Optional not checked here, as before (issue 23: typed later))
        return main, facts, None
    m = main.cleaned_data
    try:
        decision = decide_calculator(policy=policy, kind=m["kind"], in_zone=m["in_zone"], sme=bool(m.get("sme")), item=m["item"],
                                     event_date=m["event_date"], facts=facts.contract_facts(),  # type: ignore[union-attr]  # (an Optional not checked here, as before (issue 23: typed later))
                                     name=str(VISITOR_NAME))
    except BatchError as exc:
        return main, facts, CalculatorOutcome(message=str(exc.args[0]))
    decision = _without_visitor_id(decision)
    if decision.error is not None:
        if attach_engine_error(decision.error.field, decision.error.message, {"facts": facts, "main": main}):  # type: ignore[dict-item]  # (an Optional not checked here, as before (issue 23: typed later))
            return main, facts, None
        return main, facts, CalculatorOutcome(message=decision.error.message)
    outcome = CalculatorOutcome(
        decision=decision,
        clause=policy.clause(decision.citation),
        sentence=item_spec.source,
        reasons=[labels.reason_label(code) for code in decision.reasons],
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


def _without_visitor_id(decision: Decision) -> Decision:
    """The stand-in identifier the calculator sent is replaced by 本单位 / 本人 in what is shown."""
    if decision.explanation is None:
        return decision

    def shown(step):
        zh, en = step.zh, step.en
        for code, words in VISITOR_ID_SHOWN.items():
            zh, en = zh.replace(code, str(words)), en.replace(code, str(words))
        return replace(step, zh=zh, en=en, children=tuple(shown(c) for c in step.children))

    explanation = replace(decision.explanation, steps=tuple(shown(s) for s in decision.explanation.steps))
    return replace(decision, explanation=explanation)
