"""Rules that span items: caps declared once over several items (and policies), and exclusive
groups (同一事项同时符合多条规定的，按就高原则予以支持，不重复享受).

A package declares them at its top level:

    caps:
      yearly_total:
        label: 同一企业每年享受本措施各项资助总额
        clause: 六
        limit: yearly_total.cap          # a money parameter (dated versions, like any other)
        per: [applicant, event_year]     # applicant / event_year / {fact: NAME} / {fact: {item: NAME}}
        items: all                       # all of this policy's items, or a list: item, other-policy/item
    exclusive_groups:
      one_invoice:
        label: 同一发票
        clause: 六
        items: {filing_cost: invoice_no, custody_cost: invoice_no}   # item → the fact naming the matter
        rule: difference                 # difference (补差到较高者) / first (先获资助者得，其余不予)
        # or: rule: {interpretation: B3, options: {difference: difference, first: first}}

A cap bucket is (the cap, its scope's values); an award posts to every bucket it touches; the
engine applies every cap of a claim and names each one that cut it. A matter is (the group, the
matter's value): what it was paid is kept like a top-up, so a claim of another item of the group
gets the difference to its own amount, or nothing. Caps and groups declared by another installed
package over this policy's items (`policy/item`) apply too: a zone-wide total declared by a later
document counts the earlier policy's awards.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .items import AuthoringError

APPLICANT, EVENT_YEAR = "applicant", "event_year"
DIFFERENCE, FIRST = "difference", "first"
RULES = {DIFFERENCE: "补差：按就高原则只补足与已获资助的差额", FIRST: "先获资助者得，同一事项其余申报不予资助"}

CAP_KEYS = {"label", "clause", "limit", "per", "items", "sentence"}
GROUP_KEYS = {"label", "clause", "items", "rule", "sentence"}


class SharedError(AuthoringError):
    """A cap or exclusive group that cannot be read (the message, Chinese, names where)."""


@dataclass(frozen=True)
class SharedCap:
    """A cap over several items: `per` are the parts of its scope, each "applicant", "event_year"
    or a fact name per covered item ({ledger item: fact})."""

    owner: str  # the policy declaring it
    id: str
    label: str
    clause: str
    param: str
    per: tuple  # each: "applicant" | "event_year" | dict {policy/item: fact}
    items: frozenset  # "policy/item" of every item covered
    sentence: str = ""

    @property
    def head(self) -> str:
        return f"{self.owner}/cap:{self.id}"

    def parts_for(self, qualified: str) -> tuple:
        """The scope's parts for claims of one item: "applicant", "event_year" or a fact name."""
        return tuple(p if isinstance(p, str) else p[qualified] for p in self.per)


@dataclass(frozen=True)
class ExclusiveGroup:
    """Items that are one matter (同一事项) when their matter facts agree: paid once, at the higher amount."""

    owner: str
    id: str
    label: str
    clause: str
    matter: dict = field(hash=False, compare=False)  # policy/item → the fact naming the matter
    rule: str | tuple = DIFFERENCE  # a rule, or (interpretation id, {option: rule})
    sentence: str = ""

    @property
    def head(self) -> str:
        return f"{self.owner}/matter:{self.id}"

    @property
    def items(self) -> frozenset:
        return frozenset(self.matter)

    def rule_under(self, interp) -> str:
        if isinstance(self.rule, str):
            return self.rule
        iid, options = self.rule
        return options.get(interp.get(iid), DIFFERENCE)


def _qualified(owner: str, name, own_items, where: str) -> str:
    name = str(name)
    if "/" in name:
        return name
    if name not in own_items:
        raise SharedError(f"{where}：项目 {name!r} 不是本政策的项目（其他政策的项目写作「政策编号/项目编号」）")
    return f"{owner}/{name}"


def _items(owner: str, spec, own_items, where: str) -> list[str]:
    if spec == "all":
        return [f"{owner}/{i}" for i in own_items]
    if not isinstance(spec, list) or not spec:
        raise SharedError(f"{where}.items：应为 all 或项目编号的列表")
    return [_qualified(owner, i, own_items, f"{where}.items") for i in spec]


def _need(spec: dict, key: str, where: str):
    value = spec.get(key)
    if value in (None, ""):
        raise SharedError(f"{where}：缺少「{key}」")
    return value


def _unknown(spec: dict, known: set, where: str) -> None:
    for k in spec:
        if k not in known:
            raise SharedError(f"{where}：未知的字段 {k!r}（可用：{'、'.join(sorted(known))}）")


def read_caps(owner: str, raw, own_items: dict, parameters: dict) -> tuple[SharedCap, ...]:
    """The `caps:` of a package, checked against its items and parameters."""
    if not raw:
        return ()
    if not isinstance(raw, dict):
        raise SharedError("caps：应为「上限编号: 定义」的映射")
    out = []
    for cid, spec in raw.items():
        where = f"caps.{cid}"
        if not isinstance(spec, dict):
            raise SharedError(f"{where}：应为 {{label, clause, limit, per, items}}")
        _unknown(spec, CAP_KEYS, where)
        param = str(_need(spec, "limit", where))
        if param not in (parameters or {}):
            raise SharedError(f"{where}.limit：参数 {param!r} 未在 parameters 中定义")
        if (parameters[param] or {}).get("kind") != "money":
            raise SharedError(f"{where}.limit：参数 {param} 的类型应为 money")
        items = _items(owner, _need(spec, "items", where), own_items, where)
        per_raw = _need(spec, "per", where)
        if not isinstance(per_raw, list):
            raise SharedError(f"{where}.per：应为列表，如 [applicant, event_year]")
        per: list = []
        for i, part in enumerate(per_raw):
            pw = f"{where}.per[{i + 1}]"
            if part in (APPLICANT, EVENT_YEAR):
                per.append(part)
            elif isinstance(part, dict) and set(part) == {"fact"}:
                fact = part["fact"]
                by_item = {q: str(fact) for q in items} if isinstance(fact, str) else {
                    _qualified(owner, k, own_items, pw): str(v) for k, v in (fact or {}).items()}
                missing = [q for q in items if q not in by_item]
                if missing:
                    raise SharedError(f"{pw}：未说明项目 {'、'.join(missing)} 按哪个事实计")
                _facts_exist(owner, by_item, own_items, pw)
                per.append(by_item)
            else:
                raise SharedError(f"{pw}：应为 applicant、event_year 或 {{fact: 事实名}}")
        out.append(SharedCap(owner, str(cid), str(_need(spec, "label", where)), str(_need(spec, "clause", where)),
                             param, tuple(per), frozenset(items), str(spec.get("sentence") or "")))
    return tuple(out)


def read_groups(owner: str, raw, own_items: dict, interpretations: dict) -> tuple[ExclusiveGroup, ...]:
    """The `exclusive_groups:` of a package, checked against its items and interpretations."""
    if not raw:
        return ()
    if not isinstance(raw, dict):
        raise SharedError("exclusive_groups：应为「组编号: 定义」的映射")
    out = []
    for gid, spec in raw.items():
        where = f"exclusive_groups.{gid}"
        if not isinstance(spec, dict):
            raise SharedError(f"{where}：应为 {{label, clause, items, rule}}")
        _unknown(spec, GROUP_KEYS, where)
        items = _need(spec, "items", where)
        if not isinstance(items, dict) or len(items) < 2:
            raise SharedError(f"{where}.items：应为「项目: 表示同一事项的事实」的映射，至少两个项目")
        matter = {_qualified(owner, k, own_items, f"{where}.items"): str(v) for k, v in items.items()}
        _facts_exist(owner, matter, own_items, f"{where}.items")
        rule = spec.get("rule", DIFFERENCE)
        if isinstance(rule, dict):
            rule = rule_by_interpretation(rule, interpretations, RULES, f"{where}.rule")
        elif rule not in RULES:
            raise SharedError(f"{where}.rule：应为 {'、'.join(RULES)} 或 {{interpretation, options}}")
        out.append(ExclusiveGroup(owner, str(gid), str(_need(spec, "label", where)), str(_need(spec, "clause", where)),
                                  matter, rule, str(spec.get("sentence") or "")))
    return tuple(out)


def rule_by_interpretation(spec: dict, interpretations: dict, rules: dict, where: str,
                           every_option: bool = False) -> tuple[str, dict]:
    """`{interpretation: X, options: {option: rule}}`: (X, the map), each option one of X's and each
    rule one of `rules` (with `every_option`, every option of X mapped)."""
    iid = str(_need(spec, "interpretation", where))
    if iid not in (interpretations or {}):
        raise SharedError(f"{where}.interpretation：解释 {iid!r} 未在 interpretations 中定义")
    options = {str(k): str(v) for k, v in (spec.get("options") or {}).items()}
    known = set((interpretations[iid] or {}).get("options") or {})
    if not options or set(options) - known or (every_option and set(options) != known) or set(options.values()) - set(rules):
        each = "每个" if every_option else ""
        raise SharedError(f"{where}.options：应把解释 {iid} 的{each}选项对应到 {'、'.join(rules)}")
    return iid, options


def _facts_exist(owner: str, by_item: dict, own_items: dict, where: str) -> None:
    for qualified, fact in by_item.items():
        pid, _, iid = qualified.partition("/")
        if pid != owner:
            continue  # another policy's item: checked when the rules are attached to it
        if fact in (APPLICANT, EVENT_YEAR):
            continue
        if fact not in {f.name for f in own_items[iid].facts}:
            raise SharedError(f"{where}：项目 {iid} 没有事实 {fact!r}")
        if any(f.name == fact and f.type == "lines" for f in own_items[iid].facts):
            raise SharedError(f"{where}：项目 {iid} 的 {fact} 是清单事实：合计上限与就高不重复目前每件申报只有一个额度（事项），"
                              "不能按清单的每一行分别计")


@dataclass(frozen=True)
class Shared:
    """The caps and exclusive groups that apply to one item's claims, wherever declared."""

    caps: tuple[SharedCap, ...] = ()
    groups: tuple[ExclusiveGroup, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.caps or self.groups)
