"""Errors of the engine and the messages users see (constants, so tests can assert on them)."""

from __future__ import annotations


class BatchError(Exception):
    """The batch (or history) as a whole cannot be used: the CLI exits 2 with this message."""


class StaleBuild(RuntimeError):
    """The compiled reader was built from another version of `_columns.c` than the one installed."""


class InvalidInput(Exception):
    """One claim is invalid: it gets an `error` entry naming the offending field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


STALE_BUILD = ("编译模块 ipfund.engine._columns 不是由当前的 {path} 编译的（编译时源码 SHA-256 {built}…，"
               "当前 {source}…）：请重新编译（.venv/bin/python setup.py build_ext --inplace，或再次运行 "
               "scripts/setup-dev），或设置 IPFUND_NO_COMPILED_READER=1 以不用编译模块运行")

# Batch-level messages (Chinese: the CLI prints them to a person).
NOT_JSON = "批次不是有效的 JSON：{detail}"
NOT_OBJECT = "批次应为含有 \"claims\" 列表的 JSON 对象"
NO_CLAIMS = "批次中没有 \"claims\" 列表"
NO_PACKAGE = "{path} 不是政策包：缺少 policy.yaml"
NO_PREDECESSOR = "政策 {id} 延续的前序政策 {pred} 未安装（内置政策或 IPFUND_POLICY_PATH 中均未找到）"
UNKNOWN_POLICY = "未知的政策：{policy!r}（已有：{known}）"
UNKNOWN_INTERPRETATION = "未知的解释：{id!r}（已有：{known}）"
UNKNOWN_OPTION = "解释 {id} 没有选项 {option!r}（可选：{options}）"
BAD_INTERPRET_ARG = "--interpret 的格式为 编号=选项，收到 {arg!r}"
TOO_DEEP = "批次嵌套过深，不是申报批次"
TOO_LARGE = "批次文件超过 {limit} MB；大批量请用 `ipfund evaluate --jsonl`"
HISTORY_INVALID = "已发放记录第 {index} 项无效：{field}：{message}"
HISTORY_NO_AMOUNT = "已发放记录第 {index} 项没有有效的 \"amount\"：{message}"
HISTORY_NOT_LIST = "已发放记录应为含有 \"awarded\" 列表的 JSON 对象"
HISTORY_POLICY = "已发放记录属于政策 {got!r}，批次属于 {want!r}"

# Claim-level messages (Chinese: reviewers and applicants read them).
MISSING = "缺少必填项"
NOT_OBJECT_FIELD = "应为 JSON 对象"
NOT_STRING = "应为非空字符串"
NOT_ENCODABLE = "含有无法编码的字符（单独的 UTF-16 代理码位，如 JSON 转义 \\ud800）"
NOT_INT = "应为整数"
NOT_BOOL = "应为 true 或 false"
NOT_NUMBER = "应为非负数字"
NOT_DATE = "应为 YYYY-MM-DD 格式的有效日期"
NOT_LIST = "应为列表"
BAD_ENUM = "取值无效，可选：{options}"
UNKNOWN_ITEM = "未知的资助项目：{value}"
BAD_KIND = "申请人类型无效，可选：{options}"
BAD_USCC = "统一社会信用代码无效（GB 32100-2015：字符集或校验码错误）"
BAD_RIC = "居民身份证号码无效（GB 11643-1999：出生日期、地址码或校验码错误）"
BAD_USCC_IN_LIST = "第 {index} 个统一社会信用代码无效（GB 32100-2015）"
DUPLICATE_ID = "批次内 id 重复：{value}"
MONEY_FORMAT = "金额应为以元计的数字或字符串，最多两位小数"
MONEY_NEGATIVE = "金额不能为负数"
MONEY_TOO_LARGE = "金额超出可受理范围（不超过 10^30 元）"
YEAR_RANGE = "年份应在 1 至 9999 之间"
NOT_WHOLE = "应为整数（件数、个数不能有小数）"
MONEY_ZERO = "金额应大于 0（金额为 0 不构成申报）"
YEAR_AFTER_EVENT = "年份不能晚于事件日期所在的 {year} 年"
SELF_IN_LIST = "所列第 {index} 个统一社会信用代码是申请人自己：服务机构不能把自己计为服务对象"
# A `lines` fact (清单): each message names the line and, where it is one column's, the column.
LINES_NOT_LIST = "应为清单（每行一个 JSON 对象：category、count{object}）"
LINES_EMPTY = "清单至少应有一行"
LINES_TOO_MANY = "清单最多 {most} 行，现为 {got} 行"
LINE_NOT_OBJECT = "第{line}行：应为 JSON 对象（category、count{object}）"
LINE_UNKNOWN_COLUMN = "第{line}行：未知的栏目「{column}」（可用：{known}）"
LINE_BAD_CATEGORY = "第{line}行·{column}：应为 {options} 之一"
LINE_BAD_COUNT = "第{line}行·{column}：应为正整数"
LINE_COUNT_TOO_LARGE = "第{line}行·{column}：不能超过 {most}"
LINE_BAD_OBJECT = "第{line}行·{column}：应为非空字符串"
LINE_REPEATED = "第{line}行：与第{first}行重复（{what}相同），请合并为一行"


class AuthoringError(ValueError):
    """A package's data cannot be read as items; the message (Chinese) names where."""
