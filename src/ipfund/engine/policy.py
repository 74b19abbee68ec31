"""A policy package loaded: its text, clause catalogue, dated parameters, interpretation register
and rules — and the check that they agree with each other and with the text."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .yamlfile import _load_yaml  # noqa: F401 (read here and by the checks)
from .errors import NO_PACKAGE, NO_PREDECESSOR, UNKNOWN_POLICY, BatchError
from .money import amount_text, as_fraction, fen_to_yuan, in_unit, yuan_to_fen
from .trace import objects
from .vocabulary import Item

KIND_LABELS = {
    "enterprise": "企业",
    "service_agency": "知识产权服务机构",
    "school": "中小学校",
    "university": "高校",
    "institution": "其他事业单位",
    "social_org": "社会组织",
    "person": "个人",
}

_SPACE = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """The text without line breaks and spaces: the PDF's layout is not part of the law's words."""
    return _SPACE.sub("", text)


#: The role a passage of the text plays in its clause, as `ipfund policy show` names it.
ROLE_LABELS = {
    "document": "文件信息",
    "heading": "标题",
    "goal": "目标",
    "scope": "适用范围",
    "definition": "定义",
    "procedure": "程序",
    "money": "资金",
}

#: Where a sentence of the text ends (once the PDF's layout is squeezed out).
_SENTENCE_END = re.compile(r"(?<=[。！？])")


@dataclass(eq=False, repr=False)
class Clause:
    number: str
    title: str
    source: tuple[str, ...]
    monetary: bool
    roles: tuple[str, ...] = ()  # the role of each passage of `source`

    @property
    def passages(self) -> tuple[tuple[str, str], ...]:
        """(role, text) of every passage of the clause."""
        return tuple(zip(self.roles, self.source))


def _clause(raw: dict) -> Clause:
    monetary = bool(raw.get("monetary"))
    texts, roles = [], []
    for entry in raw.get("source", ()):
        if isinstance(entry, dict):
            texts.append(str(entry.get("text", "")))
            roles.append(str(entry.get("role", "money" if monetary else "goal")))
        else:
            texts.append(str(entry))
            roles.append("money" if monetary else "goal")
    return Clause(str(raw["number"]), raw["title"], tuple(texts), monetary, tuple(roles))


def sentences(text: str) -> list[str]:
    """The sentences of a text, squeezed: each ends at 。！？ (the last one may not)."""
    return [s for s in _SENTENCE_END.split(squeeze(text)) if s]


def uncatalogued(source_text: str, passages) -> list[str]:
    """The sentences of the text with any character that no passage of the catalogue covers."""
    text = squeeze(source_text)
    covered = bytearray(len(text))
    for passage in passages:
        p = squeeze(passage)
        if not p:
            continue
        at = text.find(p)
        while at >= 0:
            covered[at : at + len(p)] = b"\x01" * len(p)
            at = text.find(p, at + 1)
    out, start = [], 0
    for sentence in sentences(source_text):
        end = start + len(sentence)
        if not all(covered[start:end]):
            out.append(sentence)
        start = end
    return out


@dataclass(eq=False, repr=False)
class Interpretation:
    id: str
    question: str
    clause: str
    options: dict
    default: str
    selectable: bool
    reason: str = ""  # why the default
    explicit: bool = False  # the text is explicit: one option, the code follows the text


@dataclass(eq=False, repr=False)
class Parameter:
    name: str
    clause: str
    title: str
    kind: str
    starts: tuple[int, ...]  # date ordinals each value took effect
    values: tuple  # parsed: int fen, Fraction, dict of fen, (inclusive, ((threshold, fen), ...)), int, ordinal
    amended_by: tuple = ()  # per value: None (the policy's own text) or (document number, sentence)
    #: The unit the text quotes the amounts in (policy.yaml `unit`: 元 or 万元): explanations say
    #: them so ("最高1万元"), beside the amount in 元; `policy check` finds them in the sentence.
    unit: str = "元"

    def period(self, events):
        """Index of the value in force at each event date (the first one before it took effect)."""
        if len(self.starts) == 1:
            return 0
        return np.maximum(np.searchsorted(np.asarray(self.starts), events, side="right") - 1, 0)

    def period_one(self, event: int) -> int:
        i = 0
        for j, start in enumerate(self.starts):
            if event >= start:
                i = j
        return i

    def at(self, event: int):
        return self.values[self.period_one(event)]

    def amendment(self, event: int):
        """(document number, sentence) of the amendment in force at the event, or None."""
        return self.amended_by[self.period_one(event)] if self.amended_by else None


def _parse_value(kind: str, raw):
    if kind == "money":
        return yuan_to_fen(raw)
    if kind == "money_table":
        return {str(k): yuan_to_fen(v) for k, v in raw.items()}
    if kind == "rate":
        return as_fraction(raw)
    if kind == "number":
        return int(raw)
    if kind == "date":
        return _as_date(raw).toordinal()
    if kind == "tiers":
        tiers = tuple(
            (yuan_to_fen(t) if isinstance(t, str) else int(t), yuan_to_fen(a)) for t, a in raw["tiers"]
        )
        return (bool(raw["inclusive"]), tiers)
    raise ValueError(f"unknown parameter kind {kind!r}")


def _as_date(raw, where: str = "日期") -> _dt.date:
    if isinstance(raw, _dt.date):
        return raw
    try:
        return _dt.date.fromisoformat(str(raw))
    except ValueError:
        raise ValueError(f"{where}应为 YYYY-MM-DD 格式的日期，现为 {raw!r}") from None


class Params:
    """The parameters of a policy, read at event dates (columns) or at one date (explanations)."""

    def __init__(self, parameters: dict[str, Parameter]):
        self.p = parameters

    def _column(self, name, events, pick):
        par = self.p[name]
        idx = par.period(events)
        if isinstance(idx, int):
            return pick(par.values[idx])
        return np.array([pick(v) for v in par.values])[idx]

    def money_fen(self, name, events, n=None):
        return self._column(name, events, lambda v: v)

    def number(self, name, events):
        return self._column(name, events, lambda v: v)

    def date(self, name: str, events: Any) -> Any:
        return self._column(name, events, lambda v: v)

    def rate(self, name, events):
        return (
            self._column(name, events, lambda v: v.numerator),
            self._column(name, events, lambda v: v.denominator),
        )

    def table_fen(self, name, keys, events):
        """The amounts of a table by key, each read in the version in force at its event; a key a
        version does not hold gives 0 there (versions may add or drop keys)."""
        par = self.p[name]
        out = np.zeros(len(keys), dtype=np.int64)
        for key in dict.fromkeys(k for v in par.values for k in v):
            out = np.where(keys == key, self._column(name, events, lambda v: v.get(key, 0)), out)
        return out

    def table_has(self, name, keys, events):
        """Whether the version in force at each event holds the key."""
        par = self.p[name]
        out = np.zeros(len(keys), dtype=bool)
        for key in dict.fromkeys(k for v in par.values for k in v):
            out |= (keys == key) & self._column(name, events, lambda v: key in v)
        return out

    def tier_amounts(self, name, value, events, cumulative: bool, rec: dict | None = None):
        """The amount of the tiers reached by each value, read with the shape (number of tiers,
        达到 or 超过) of the version in force at its event: the highest tier's amount, or with
        `cumulative` every reached tier's amount added up. `rec` (for explanations): each value's
        table (the version read) and which of its tiers it reached."""
        par = self.p[name]
        idx = par.period(events)
        dtype = value.dtype if value.dtype == object else np.int64
        out = None
        reached_by_version = []
        for k, (inclusive, tiers) in enumerate(par.values):
            fen = np.zeros(len(value), dtype=dtype)
            reached_each = []
            for threshold, amount in tiers:
                reached = value >= threshold if inclusive else value > threshold
                reached_each.append(reached)
                fen = np.where(reached, fen + amount if cumulative else amount, fen)
            reached_by_version.append(reached_each)
            if isinstance(idx, int):
                out = fen
                break
            out = fen if out is None else np.where(idx == k, fen, out)
        if rec is not None:
            versions = np.broadcast_to(np.asarray(idx), (len(value),)).tolist()
            rec["table"] = objects([par.values[k] for k in versions])
            rec["reached"] = objects([tuple(bool(m[j]) for m in reached_by_version[k]) for j, k in enumerate(versions)])
        return out

    # One claim, for explanations.
    def money_fen_one(self, name, event):
        return self.p[name].at(event)

    def table_fen_one(self, name, key, event):
        return self.p[name].at(event).get(key, 0)

    def rate_one(self, name, event) -> Fraction:
        return self.p[name].at(event)

    def tiers_one(self, name, event):
        return self.p[name].at(event)

    def value_one(self, name: str, event: int) -> Any:
        return self.p[name].at(event)

    def amount(self, name, fen) -> str:
        """An amount the parameter gives, as a person reads it: in 元, and in 万元 too where the
        text says 万元 (the parameter's `unit`)."""
        return amount_text(fen, self.p[name].unit)

    def in_text(self, name, fen) -> str:
        """An amount the parameter gives, only as the text writes it ("100万元", "5000元")."""
        unit = self.p[name].unit
        return f"{in_unit(fen, unit)}{unit}" if unit == "万元" else f"{fen_to_yuan(fen)} 元"

    def describe(self, name, event) -> str:
        par = self.p[name]
        start = _dt.date.fromordinal(par.starts[par.period_one(event)]).isoformat()
        amended = par.amendment(event)
        if amended:
            return f"{par.title}（{amended[0]}「{amended[1]}」，自 {start} 起施行）"
        return f"{par.title}（{par.clause}，自 {start} 起施行）"

    def show(self, name) -> list[str]:
        """Every dated value of a parameter, for `ipfund policy show`."""
        par = self.p[name]
        docs = par.amended_by or (None,) * len(par.values)
        return [
            f"自 {_dt.date.fromordinal(s).isoformat()} 起：{_format_value(par.kind, v, par.unit)}"
            + (f"（{d[0]}）" if d else "")
            for s, v, d in zip(par.starts, par.values, docs)
        ]



def _format_value(kind, v, unit="元") -> str:
    if kind == "money":
        return amount_text(v, unit)
    if kind == "money_table":
        return "，".join(f"{k} {amount_text(x, unit)}" for k, x in v.items())
    if kind == "rate":
        return f"{float(v) * 100:g}%"
    if kind == "date":
        return _dt.date.fromordinal(v).isoformat()
    if kind == "tiers":
        inclusive, tiers = v
        word = "达到" if inclusive else "超过"
        return "，".join(f"{word} {t if t < 10000 else amount_text(t, unit)} → {amount_text(a, unit)}" for t, a in tiers)
    return str(v)


class Policy:
    """A loaded policy package."""

    def __init__(self, data: dict, source_text: str, items: tuple[Item, ...], path: Path):
        self.path = path
        self.data = data
        self.id: str = data["id"]
        self.title: str = data["title"]
        self.document_number: str = data.get("document_number", "")
        self.source_text = source_text
        self.issued_on = _as_date(data["issued_on"], "issued_on（发布日期）")
        self.clauses = [_clause(c) for c in data["clauses"]]
        self.parameters: dict[str, Parameter] = {}
        for name, p in data["parameters"].items():
            values = sorted(p["values"], key=lambda v: _as_date(v["from"], f"参数 {name} 的 from（施行日期）"))
            self.parameters[name] = Parameter(
                name=name,
                clause=str(p.get("clause", "")),
                title=p.get("title", name),
                kind=p["kind"],
                starts=tuple(_as_date(v["from"]).toordinal() for v in values),
                values=tuple(_parse_value(p["kind"], v["value"]) for v in values),
                amended_by=tuple(
                    (str(v["amended_by"]), str(v.get("sentence", ""))) if v.get("amended_by") else None
                    for v in values
                ),
                unit=str(p.get("unit", "元")),
            )
        self.params = Params(self.parameters)
        self.interpretations = {
            iid: Interpretation(
                iid, i["question"], str(i.get("clause", "")), dict(i["options"]), i["default"], bool(i.get("selectable")),
                str(i.get("reason", "")), bool(i.get("explicit")),
            )
            for iid, i in data["interpretations"].items()
        }
        evidence = data.get("evidence", {})
        self.items: dict[str, Item] = {}
        for item in items:
            if not item.evidence and item.id in evidence:
                item = _with_evidence(item, tuple(evidence[item.id]))
            self.items[item.id] = item
        self.kind_labels = {**KIND_LABELS, **{str(k): str(v) for k, v in (data.get("applicant_kinds") or {}).items()}}
        self.documents = {str(d["number"]): d for d in data.get("documents") or ()}
        continues = data.get("continues") or {}
        self.predecessor_id: str | None = str(continues["policy"]) if continues.get("policy") else None
        self.continued: dict[str, str] = {str(k): str(v) for k, v in (continues.get("items") or {}).items()}
        self._predecessor: Policy | None = None
        for item in self.items.values():
            item.ledger_id = f"{self.id}/{item.id}"
        if self.predecessor_id and self.continued:
            pred = self.predecessor()
            assert pred is not None  # (a predecessor named: installed, or predecessor() raised)
            for mine, theirs in self.continued.items():
                if mine in self.items and theirs in pred.items:
                    self.items[mine].continues = f"{pred.id}/{theirs}"
                    self.items[mine].ledger_id = pred.items[theirs].ledger_id
        self.ledger_ids = {item.id: item.ledger_id for item in self.items.values()}
        from .known import qualify_sources

        qualify_sources(self)
        from .shared import read_caps, read_groups

        self.caps = read_caps(self.id, data.get("caps"), self.items, data.get("parameters") or {})
        self.exclusive_groups = read_groups(self.id, data.get("exclusive_groups"), self.items,
                                            data.get("interpretations") or {})
        from .allocation import read_allocation

        self.allocation = read_allocation(self.id, data.get("allocation"), self.items, data.get("interpretations") or {})
        self._shared: dict | None = None

    def _shared_cap_problems(self) -> list[str]:
        return _shared_cap_problems_of(self) + _per_unit_problems_of(self)

    def shared_for(self, item_id: str):
        """The caps and exclusive groups over an item's claims: the package's own and those other
        installed packages declare over it (`policy/item`), in a fixed order."""
        from .shared import Shared

        if self._shared is None:
            declared = list(self.caps), list(self.exclusive_groups)
            for other in _other_installed(self.id):
                declared[0].extend(other.caps)
                declared[1].extend(other.exclusive_groups)
            self._shared = {}
            for iid in self.items:
                q = f"{self.id}/{iid}"
                self._shared[iid] = Shared(tuple(c for c in declared[0] if q in c.items),
                                           tuple(g for g in declared[1] if q in g.items))
        return self._shared.get(item_id) or Shared()

    def predecessor(self) -> "Policy | None":
        """The installed policy this one succeeds (a BatchError names it when it is not installed)."""
        if self.predecessor_id is None:
            return None
        if self._predecessor is None:
            try:
                self._predecessor = load_policy(self.predecessor_id)
            except BatchError:
                raise BatchError(NO_PREDECESSOR.format(id=self.id, pred=self.predecessor_id)) from None
        return self._predecessor

    def continued_label(self, item: Item) -> str:
        """The predecessor's item an item continues, as a person reads it: 文号「title」."""
        pred = self.predecessor()
        assert pred is not None, "continued_label of an item that continues none"
        old = pred.items[self.continued[item.id]]
        return f"{pred.document_number}「{old.title}」"

    def ancestors(self) -> list["Policy"]:
        """The predecessor, its predecessor, … (nearest first)."""
        out, seen, p = [], {self.id}, self.predecessor()
        while p is not None and p.id not in seen:
            out.append(p)
            seen.add(p.id)
            p = p.predecessor()
        return out

    def amendments_in_force(self, item: Item, event: int) -> list[tuple[str, str]]:
        """(document number, sentence) of each amendment in force at the event among the
        parameters the item reads: the sentences an explanation quotes besides the item's own."""
        out = []
        for name in _item_params(item):
            par = self.parameters.get(name)
            amended = par.amendment(int(event)) if par is not None else None
            if amended and amended not in out:
                out.append(amended)
        return out

    def versions(self) -> list[tuple[_dt.date, str, str]]:
        """(date, document number, what it is) of the text and of each amending document, by date."""
        out = [(self.issued_on, self.document_number, "原文")]
        for number, doc in self.documents.items():
            out.append((_as_date(doc["date"]), number, str(doc.get("title", "修订"))))
        return sorted(out, key=lambda v: v[0])

    @cached_property
    def version(self) -> str:
        """What a claim records as the version it was decided under: the package's own `version`
        when it declares one, else the date of its latest document (the text or an amendment) and
        a digest of the files that decide (policy.yaml, items, texts, rules), so that any change
        to a package is a new version even when nobody wrote a new number."""
        declared = self.data.get("version")
        if declared:
            return str(declared)
        import hashlib

        digest = hashlib.sha256()
        for f in sorted(p for p in self.path.rglob("*") if p.is_file() and _decides(p.relative_to(self.path))):
            digest.update(str(f.relative_to(self.path)).encode() + b"\0" + f.read_bytes() + b"\0")
        latest = self.versions()[-1][0]
        return f"{latest.isoformat()}+{digest.hexdigest()[:8]}"

    @property
    def defaults(self) -> dict[str, str]:
        return {iid: i.default for iid, i in self.interpretations.items()}

    def clause(self, number: str) -> Clause | None:
        for c in self.clauses:
            if c.number == number:
                return c
        return None

    def resolve_interpretations(self, chosen: dict[str, str] | None) -> dict[str, str]:
        """Defaults overlaid with choices; an unknown id or option is a BatchError."""
        from .errors import UNKNOWN_INTERPRETATION, UNKNOWN_OPTION

        out = self.defaults
        for iid, option in (chosen or {}).items():
            interp = self.interpretations.get(iid)
            if interp is None:
                raise BatchError(UNKNOWN_INTERPRETATION.format(id=iid, known=", ".join(self.interpretations)))
            if option not in interp.options:
                raise BatchError(UNKNOWN_OPTION.format(option=option, id=iid, options=", ".join(interp.options)))
            out[iid] = option
        return out


def _shared_cap_problems_of(policy: "Policy") -> list[str]:
    """A cap parameter that several items use each as their own cap counts each item apart — read
    as a total it overpays. Such a package must declare the cap once over those items."""
    users: dict[str, list[str]] = {}
    for item in policy.items.values():
        if item.cap is not None:
            users.setdefault(item.cap.param, []).append(item.id)
    declared = {c.param: c for c in policy.caps}
    out = []
    for param, items in users.items():
        if len(items) < 2:
            continue
        cap = declared.get(param)
        if cap is None or any(f"{policy.id}/{i}" not in cap.items for i in items):
            out.append(
                f"参数 {param} 是项目 {'、'.join(items)} 各自的上限，但没有声明跨项目的上限：每个项目只计自己的资助，"
                f"若原文是这些项目合计的上限，会多付。请在 policy.yaml 的 caps 中声明一次，如 "
                f"caps: {{总额: {{label: …, clause: …, limit: {param}, per: [applicant, event_year], items: [{', '.join(items)}]}}}}，"
                f"并去掉各项目的 cap；若确是各项目分别计算，请为每个项目设各自的参数"
            )
    return out


def _per_unit_problems_of(policy: "Policy") -> list[str]:
    """Quantities: each unit amount a money parameter, the most units per claim a number."""
    from .vocabulary import PerLine, PerUnit

    out = []
    for item in policy.items.values():
        stack = [item.formula]
        while stack:
            f = stack.pop()
            stack += [f.inner] if hasattr(f, "inner") else []
            if not isinstance(f, (PerUnit, PerLine)):
                continue
            for _count, unit in (f.lines if isinstance(f, PerUnit) else f.units):
                par = policy.parameters.get(unit)
                if par is not None and par.kind != "money":
                    out.append(f"项目 {item.id}：单价参数 {unit} 的类型应为 money，现为 {par.kind}")
            par = policy.parameters.get(f.max_units) if f.max_units else None
            if par is not None and par.kind != "number":
                out.append(f"项目 {item.id}：最多资助数量参数 {f.max_units} 的类型应为 number，现为 {par.kind}")
    return out


def _other_installed(policy_id: str) -> list["Policy"]:
    """Every other installed package that declares caps or exclusive groups (unreadable ones are
    skipped here: `policy check` and the 政策库 report them)."""
    from .packages import installed

    out = []
    for pid in installed():
        if pid == policy_id:
            continue
        try:
            other = load_policy(pid)
        except BatchError:
            continue
        if other.caps or other.exclusive_groups:
            out.append(other)
    return out


def _decides(relative: Path) -> bool:
    """Whether a file of a package takes part in its decisions (golden cases and caches do not)."""
    parts = relative.parts
    return not (parts[0] in {"golden", "__pycache__"} or relative.suffix in {".pyc", ".pyo"})


def _with_evidence(item: Item, evidence: tuple[str, ...]) -> Item:
    from dataclasses import replace

    return replace(item, evidence=evidence)


def _item_params(item: Item) -> tuple[str, ...]:
    from .known import Derive

    names = list(item.formula.params)
    if item.cap is not None:
        names.append(item.cap.param)
    fact_names = {f.name for f in item.facts}
    for f in item.facts:  # parameters a derived fact reads (a share's rate, a unit)
        if isinstance(f.source, Derive):
            names += [n for n in f.source.operands if n not in fact_names]
    return tuple(names)


def package_file(folder: Path, name) -> Path:
    """A file a package names (its text, an amending document's text), which must lie inside the
    package's folder: a package read from an upload may not read the rest of the machine."""
    target = (folder / str(name)).resolve()
    if folder.resolve() not in target.parents:
        raise BatchError(f"政策包 {folder}：文件 {name!r} 不在政策包文件夹中")
    return target


def _load_path(path: Path) -> Policy:
    from .items import build_items

    if not (path / "policy.yaml").is_file():
        raise BatchError(NO_PACKAGE.format(path=path))
    data = _load_yaml(path / "policy.yaml")
    if not isinstance(data, dict):
        raise BatchError(NO_PACKAGE.format(path=path))
    source = package_file(path, data.get("source_file", "source.txt")).read_text(encoding="utf-8")
    if "items" not in data and (path / "items.yaml").is_file():
        data = {**data, "items": _load_yaml(path / "items.yaml")}
    return Policy(data, source, build_items(data), path)


def load_policy_path(path: str | Path) -> Policy:
    """Load a policy package from a folder holding policy.yaml and its source text, with its items
    written as data (`items:` in policy.yaml or items.yaml). A package that cannot be read is a
    BatchError naming what is wrong (in Chinese)."""
    from .items import AuthoringError

    try:
        return _load_path(Path(path))
    except BatchError:
        raise
    except AuthoringError as exc:
        raise BatchError(f"政策包 {path}：{exc}") from None
    except OSError as exc:
        raise BatchError(f"政策包 {path}：无法读取 {exc.filename}（{exc.strerror}）") from None
    except KeyError as exc:
        raise BatchError(f"政策包 {path}：缺少字段 {exc.args[0]}") from None
    except (TypeError, ValueError) as exc:
        raise BatchError(f"政策包 {path}：格式错误（{exc}）") from None


def load_policy(policy_id: str) -> Policy:
    """The installed policy of this id: built in, found on IPFUND_POLICY_PATH or in the policy store
    (cached per id, path and store contents: an installed package is immutable, and a package added
    to the store is seen at once, without a restart)."""
    import os

    from .packages import ENV, store_stamp

    return _load_installed(policy_id, os.environ.get(ENV, ""), store_stamp())


@lru_cache(maxsize=None)
def _load_installed(policy_id, path_value: str, store: tuple[str, int]) -> Policy:
    from .packages import discover

    found = discover(path_value, Path(store[0]) if store[0] else None)[0]
    ref = found.get(policy_id) if isinstance(policy_id, str) else None
    if ref is None:
        raise BatchError(UNKNOWN_POLICY.format(policy=policy_id, known=", ".join(found)))
    return load_policy_path(ref.path)
