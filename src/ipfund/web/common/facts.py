"""Forms generated from an item's facts (the contract's vocabulary), and their conversion to contract values."""

import re
from datetime import date
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from ipfund.web.engine_door import applicant_facts, fact_source
from ipfund.web.common import labels

ERROR_REQUIRED = _("请填写此项。")
ERROR_CHOOSE = _("请选择一项。")
ERROR_INTEGER = _("请输入整数。")
ERROR_MONEY = _("请输入金额（元），最多两位小数。")
ERROR_MONEY_NEGATIVE = _("金额不能为负数。")
ERROR_MONEY_DIGITS = _("金额最多两位小数。")
ERROR_NUMBER = _("请输入数字。")
ERROR_NUMBER_NEGATIVE = _("不能为负数。")
ERROR_DATE = _("请输入日期，格式为 年-月-日（如 2023-07-20）。")
ERROR_USCC_LIST = _("请每行填写一个统一社会信用代码。")

YES, NO = "true", "false"
BOOL_CHOICES = ((YES, _("是")), (NO, _("否")))

MONEY_MAX_DIGITS = 14


# Thousands separators and the currency written around an amount, as people type them:
# "18,000", "18，000", "¥18 000.50", "18000元".
_MONEY_DECORATION = re.compile(r"^[¥￥\s]*|[\s,，_]|元$")
_GROUPED = re.compile(r"^\s*[¥￥]?\s*\d{1,3}([,，\s]\d{3})+(\.\d*)?\s*元?\s*$|^\s*[¥￥]?\s*\d+(\.\d*)?\s*元?\s*$")


class MoneyField(forms.DecimalField):
    """A DecimalField that takes an amount as people write it: thousands separators in groups of
    three and a ¥ or 元 around it are allowed; anything else ("1,8000", "18.000,00") stays invalid."""

    def to_python(self, value):
        if isinstance(value, str) and _GROUPED.match(value):
            value = _MONEY_DECORATION.sub("", value.strip())
        return super().to_python(value)


def _money_field(required: bool, label: str) -> forms.DecimalField:
    return MoneyField(
        label=label,
        required=required,
        min_value=Decimal("0"),
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "required": ERROR_REQUIRED,
            "invalid": ERROR_MONEY,
            "min_value": ERROR_MONEY_NEGATIVE,
            "max_decimal_places": ERROR_MONEY_DIGITS,
            "max_digits": ERROR_MONEY,
            "max_whole_digits": ERROR_MONEY,
        },
    )


def _bool_to_python(value: str) -> bool:
    return value == YES


# --- Lines (清单): a fact whose value is rows of {category, count, object} --------------------

#: The submit button that asks for one more row of a lines fact (its value: the field's name);
#: the form comes back as typed, one row longer, nothing saved and nothing judged.
ADD_LINE = "add_line"
LINES_MIN_ROWS = 3  # empty rows a new form shows
LINES_MAX_ROWS = 200  # as the engine takes (vocabulary.MAX_LINES)
LINE_COLUMNS = ("category", "count", "object")
ERROR_LINES_REQUIRED = _("请至少填写一行。")


class LinesWidget(forms.Widget):
    """Rows of a lines fact as a table of inputs (``facts-grants-0-category`` …), with a hidden
    count of rows and an "增加一行" submit button: plain HTML, no script (the CSP allows none inline)."""

    template_name = "portal/includes/lines_widget.html"

    def __init__(self, columns, attrs=None):
        super().__init__(attrs)
        self.columns = columns

    def value_from_datadict(self, data, files, name):
        try:
            n = int(data.get(f"{name}-rows", "") or 0)
        except (TypeError, ValueError):
            n = 0
        n = max(0, min(n, LINES_MAX_ROWS))
        rows = [{c: str(data.get(f"{name}-{i}-{c}") or "").strip() for c in LINE_COLUMNS} for i in range(n)]
        if data.get(ADD_LINE) == name and n < LINES_MAX_ROWS:
            rows.append(dict.fromkeys(LINE_COLUMNS, ""))
        return rows

    def value_omitted_from_data(self, data, files, name):
        return f"{name}-rows" not in data

    def id_for_label(self, id_):
        return f"{id_}-0-category" if id_ else id_

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        rows = [{c: "" if r.get(c) is None else str(r.get(c)) for c in LINE_COLUMNS}
                for r in (value if isinstance(value, (list, tuple)) else []) if isinstance(r, dict)]
        while len(rows) < LINES_MIN_ROWS:
            rows.append(dict.fromkeys(LINE_COLUMNS, ""))
        cols = self.columns
        context["widget"].update({
            "rows": rows,
            "category_label": cols.category_label,
            "count_label": cols.count_label,
            "count_unit": cols.count_unit,
            "object_label": cols.object_label,
            "options": [(code, text) for code, text in cols.options.items()],
            "add_line": ADD_LINE,
        })
        return context


class LinesField(forms.Field):
    """A lines fact: blank rows are dropped; each filled row is checked, every error naming its
    row and column (「第2行·数量：应为正整数」); the value is the contract's list of lines."""

    def __init__(self, columns, **kwargs):
        self.columns = columns
        kwargs.setdefault("widget", LinesWidget(columns))
        super().__init__(**kwargs)

    def clean(self, value):
        cols = self.columns
        rows = [r for r in (value or []) if isinstance(r, dict) and any(r.get(c) for c in LINE_COLUMNS)]
        if not rows:
            if self.required:
                raise forms.ValidationError(ERROR_LINES_REQUIRED, code="required")
            return []
        out, errors = [], []
        for k, row in enumerate(rows, 1):
            cat, count, obj = row.get("category", ""), row.get("count", ""), row.get("object", "")
            if cat not in cols.options:
                errors.append(f"第{k}行·{cols.category_label}：请选择一项")
            if not (count.isascii() and count.isdigit() and int(count) > 0):
                errors.append(f"第{k}行·{cols.count_label}：应为正整数")
            if cols.object_label is not None and not obj:
                errors.append(f"第{k}行·{cols.object_label}：请填写此项")
            line: dict = {"category": cat, "count": int(count) if count.isascii() and count.isdigit() else count}
            if cols.object_label is not None:
                line["object"] = obj
            out.append(line)
        if errors:
            raise forms.ValidationError(errors)
        return out


def judged_nothing(*forms_: forms.Form) -> None:
    """Bound forms shown again as typed, with no errors (one more row was asked for, nothing was
    submitted): their fields are not judged when the page renders them."""
    from django.forms.utils import ErrorDict

    for form in forms_:
        form._errors = ErrorDict()  # type: ignore[attr-defined]  # (Django judges a form whose _errors is None: this one counts as judged)


def lines_shown(fact, value) -> str:
    """A claim's lines as a person reads them: 「第1行 ZL… 美日欧 2 个；第2行 …」."""
    cols = fact.columns
    unit = f" {cols.count_unit}" if cols.count_unit else ""
    parts = []
    for k, line in enumerate(value if isinstance(value, list) else [], 1):
        if not isinstance(line, dict):
            continue
        about = f" {line.get('object')}" if line.get("object") else ""
        parts.append(f"第{k}行{about} {cols.option_text(str(line.get('category')))} {line.get('count')}{unit}")
    return "；".join(parts)


def build_fact_field(fact) -> forms.Field:
    """One form field for one ``FactSpec`` of the engine."""
    required = not getattr(fact, "optional", False)
    label = fact.label or fact.name
    if fact.type == "lines":
        return LinesField(fact.columns, label=label, required=required, help_text=_("每行一项；空行不计。行数不够时按“增加一行”。"))
    if fact.type in ("int", "year"):
        return forms.IntegerField(
            label=label,
            required=required,
            error_messages={"required": ERROR_REQUIRED, "invalid": ERROR_INTEGER},
        )
    if fact.type == "money":
        return _money_field(required, label)
    if fact.type == "number":
        return forms.DecimalField(
            label=label,
            required=required,
            min_value=Decimal("0"),
            max_digits=10,
            decimal_places=2,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            error_messages={
                "required": ERROR_REQUIRED,
                "invalid": ERROR_NUMBER,
                "min_value": ERROR_NUMBER_NEGATIVE,
                "max_decimal_places": ERROR_NUMBER,
                "max_digits": ERROR_NUMBER,
                "max_whole_digits": ERROR_NUMBER,
            },
        )
    if fact.type == "bool":
        return forms.TypedChoiceField(
            label=label,
            required=required,
            choices=BOOL_CHOICES,
            coerce=_bool_to_python,
            widget=forms.RadioSelect(attrs={"class": "radios"}),
            error_messages={"required": ERROR_CHOOSE, "invalid_choice": ERROR_CHOOSE},
        )
    if fact.type == "enum":
        choices = [("", _("— 请选择 —"))] + [
            (option, labels.option_label(fact, option)) for option in fact.options
        ]
        return forms.ChoiceField(
            label=label,
            required=required,
            choices=choices,
            error_messages={"required": ERROR_CHOOSE, "invalid_choice": ERROR_CHOOSE},
        )
    if fact.type == "date":
        return forms.DateField(
            label=label,
            required=required,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            input_formats=["%Y-%m-%d"],
            error_messages={"required": ERROR_REQUIRED, "invalid": ERROR_DATE},
        )
    if fact.type == "uscc_list":
        return forms.CharField(
            label=label,
            required=required,
            widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
            help_text=_("每行一个统一社会信用代码"),
            error_messages={"required": ERROR_USCC_LIST},
        )
    # "text" and any identifier-like type: a one-line string
    return forms.CharField(
        label=label,
        required=required,
        max_length=200,
        error_messages={"required": ERROR_REQUIRED},
    )


class FactsForm(forms.Form):
    """The facts of one item; built by :func:`facts_form_class`."""

    item_spec = None

    def contract_facts(self) -> dict:
        """The cleaned data as the contract's JSON values (money as strings, dates ISO)."""
        return facts_to_contract(self.item_spec, self.cleaned_data)


CONFIRMED_HELP = _("审核人员将核对此项，请与证明材料一致。")


def facts_form_class(item_spec) -> type[FactsForm]:
    fields = {}
    for fact in applicant_facts(item_spec):
        field = fields[fact.name] = build_fact_field(fact)
        if fact_source(fact) == "confirmed":  # the package marks it: a reviewer confirms it
            field.help_text = CONFIRMED_HELP
    return type(f"FactsForm_{item_spec.id}", (FactsForm,), {**fields, "item_spec": item_spec})


def facts_form(item_spec, data=None, initial_facts: dict | None = None) -> FactsForm:
    form_class = facts_form_class(item_spec)
    initial = contract_to_initial(item_spec, initial_facts or {})
    return form_class(data=data, initial=initial, prefix="facts")


def _split_codes(text: str) -> list[str]:
    parts = text.replace(",", "\n").replace("，", "\n").replace("、", "\n").split()
    return [p.strip().upper() for p in parts if p.strip()]


def facts_to_contract(item_spec, cleaned: dict) -> dict:
    facts: dict = {}
    for fact in item_spec.facts:
        value = cleaned.get(fact.name)
        if value is None or value == "":
            continue
        if fact.type == "money":
            facts[fact.name] = f"{value:.2f}"
        elif fact.type == "number":
            facts[fact.name] = int(value) if value == value.to_integral_value() else float(value)
        elif fact.type == "date":
            facts[fact.name] = value.isoformat()
        elif fact.type == "uscc_list":
            facts[fact.name] = _split_codes(value)
        elif fact.type == "lines":
            if value:
                facts[fact.name] = value
        elif fact.type == "text":
            facts[fact.name] = value.strip()
        else:
            facts[fact.name] = value
    return facts


def contract_to_initial(item_spec, facts: dict) -> dict:
    """Contract values back into form initial values (for editing a draft or a returned claim)."""
    initial = {}
    for fact in item_spec.facts:
        if fact.name not in facts:
            continue
        value = facts[fact.name]
        if fact.type == "bool":
            initial[fact.name] = YES if value else NO
        elif fact.type == "uscc_list":
            initial[fact.name] = "\n".join(value)
        elif fact.type == "date" and isinstance(value, str):
            initial[fact.name] = date.fromisoformat(value)  # type: ignore[assignment]  # (as written before types were checked (issue 23: typed later))
        else:
            initial[fact.name] = value
    return initial


def display_facts(item_spec, facts: dict) -> list[tuple[str, str]]:
    """(label, value shown to a person) for each fact of a claim, in the item's order."""
    rows = []
    for fact in applicant_facts(item_spec):
        if fact.name not in facts:
            continue
        value = facts[fact.name]
        if fact.type == "bool":
            shown = str(_("是")) if value else str(_("否"))
        elif fact.type == "enum":
            shown = labels.option_label(fact, value)
        elif fact.type == "money":
            shown = f"¥{Decimal(str(value)):,.2f}"
        elif fact.type == "uscc_list":
            shown = "、".join(value) + f"（{len(set(value))}）"
        elif fact.type == "lines":
            shown = lines_shown(fact, value)
        else:
            shown = str(value)
        rows.append((fact.label or fact.name, shown))
    return rows


def attach_engine_error(field: str, message: str, forms_by_prefix: dict[str, forms.Form]) -> bool:
    """Put an engine ``invalid_input`` error beside the field it names; False when no field matched."""
    message = message or str(_("输入有误"))
    head, _sep, rest = field.partition(".")
    if head == "facts" and "facts" in forms_by_prefix:
        form = forms_by_prefix["facts"]
        rest = rest.split("[", 1)[0]  # a line of a lines fact (facts.grants[2].count): the fact's field
        if rest in form.fields:
            form.add_error(rest, message)
            return True
    main = forms_by_prefix.get("main")
    if main is not None and field in main.fields:
        main.add_error(field, message)
        return True
    return False
