"""Errors of the engine and the messages users see (constants, so tests can assert on them)."""

from __future__ import annotations


class BatchError(Exception):
    """The batch (or history) as a whole cannot be used: the CLI exits 2 with this message."""


class InvalidInput(Exception):
    """One claim is invalid: it gets an `error` entry naming the offending field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# Batch-level messages.
NOT_JSON = "batch is not valid JSON: {detail}"
NOT_OBJECT = "batch must be a JSON object with a \"claims\" list"
NO_CLAIMS = "batch has no \"claims\" list"
NO_PACKAGE = "{path} 不是政策包：缺少 policy.yaml"
NO_PREDECESSOR = "政策 {id} 延续的前序政策 {pred} 未安装（内置政策或 IPFUND_POLICY_PATH 中均未找到）"
UNKNOWN_POLICY = "unknown policy: {policy!r} (known: {known})"
UNKNOWN_INTERPRETATION = "unknown interpretation: {id!r} (known: {known})"
UNKNOWN_OPTION = "unknown option {option!r} for interpretation {id} (options: {options})"
BAD_INTERPRET_ARG = "--interpret takes ID=OPTION, got {arg!r}"
TOO_DEEP = "batch is nested too deeply to be a claims batch"
TOO_LARGE = "batch file is larger than {limit} MB; use `ipfund evaluate --jsonl` for bulk input"
HISTORY_INVALID = "history claim #{index} is invalid: {field}: {message}"
HISTORY_NO_AMOUNT = "history claim #{index} has no valid \"amount\": {message}"
HISTORY_NOT_LIST = "history must be a JSON object with an \"awarded\" list"
HISTORY_POLICY = "history is for policy {got!r}, batch is for {want!r}"

# Claim-level messages (Chinese: reviewers and applicants read them).
MISSING = "缺少必填项"
NOT_OBJECT_FIELD = "应为 JSON 对象"
NOT_STRING = "应为非空字符串"
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
YEAR_RANGE = "年份应在 1900 至 2100 之间"
