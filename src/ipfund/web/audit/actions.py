"""Every action the audit trail records, with its Chinese label: the one table of them.

`audit_record(action=...)` takes an AuditAction (mypy holds every call to it); the stored value is
the member's code, as before. A claim's workflow moves are `claim_<Action>`, an export
`export_<job kind>`, a password change `password_<via>`: AuditAction(f"...") names them, and a move
without a member here is a ValueError rather than a new free string in the trail.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    # claims: the applicant's drafts and every workflow move (claims.workflow.Action)
    CLAIM_DRAFT_CREATE = "claim_draft_create", _("创建申报草稿")
    CLAIM_DRAFT_UPDATE = "claim_draft_update", _("修改申报内容")
    CLAIM_SUBMIT = "claim_submit", _("提交申报")
    CLAIM_WITHDRAW = "claim_withdraw", _("撤回申报")
    CLAIM_RETURN = "claim_return", _("退回补正")
    CLAIM_REJECT = "claim_reject", _("不予资助")
    CLAIM_RECOMMEND = "claim_recommend", _("初审推荐")
    CLAIM_FACTS_CONFIRM = "claim_facts_confirm", _("核对申报事实")
    CLAIM_APPROVE = "claim_approve", _("审定通过")
    CLAIM_SEND_BACK = "claim_send_back", _("退回初审")
    CLAIM_QUOTA_REFUSE = "claim_quota_refuse", "未入选名额（不予资助）"
    CLAIM_PUBLISH = "claim_publish", _("列入公示")
    CLAIM_REVOKE = "claim_revoke", _("撤销资助（异议成立）")
    CLAIM_FINALIZE = "claim_finalize", _("公示期满，资助确定")
    CLAIM_PAY = "claim_pay", _("资金已拨付")
    CLAIM_PAY_FAIL = "claim_pay_fail", _("拨付未成功")
    # stages (分期拨付)
    CLAIM_PAY_PART = "claim_pay_part", _("分期资金已拨付")
    CLAIM_CLOSE = "claim_close", _("余款取消，申报结案")
    INSTALLMENTS_PLAN = "installments_plan", _("确定分期拨付计划")
    INSTALLMENT_CONFIRM = "installment_confirm", _("确认分期拨付条件（如验收合格）")
    INSTALLMENT_FAIL = "installment_fail", _("确认分期拨付条件未满足（如验收不合格）")
    INSTALLMENT_CANCEL = "installment_cancel", _("取消分期款项")
    INSTALLMENT_REDUCE = "installment_reduce", _("核减分期款项")
    # added with 免申即享, the bureau's registers, money controls and security (2026-12-07)
    CLAIM_PROPOSE = "claim_propose", _("依据名单生成待确认申报（免申即享）")
    CLAIM_CONFIRM = "claim_confirm", _("确认享受（转入初审）")
    CLAIM_DECLINE = "claim_decline", _("放弃（放弃声明）")
    ALLIANCE_APPLY = "alliance_apply", _("专利联盟申请评审")
    ALLIANCE_DECIDE = "alliance_decide", _("专利联盟评审决定")
    ALLIANCE_DECLARE = "alliance_declare", _("评审专家利益冲突声明")
    ALLIANCE_PANEL_FORM = "alliance_panel_form", _("组建专利联盟评审组")
    ALLIANCE_SCORE = "alliance_score", _("评审专家评分")
    ANALYSIS_ACCEPT = "analysis_accept", _("分析评议报告审定")
    ANALYSIS_ASSIGN = "analysis_assign", _("分派分析评议任务")
    ANALYSIS_REGISTER = "analysis_register", _("登记分析评议事项")
    ANALYSIS_REMIND = "analysis_remind", _("分析评议到期提醒")
    ANALYSIS_REPORT = "analysis_report", _("提交分析评议报告")
    API_TOKENS_REVOKE_ALL = "api_tokens_revoke_all", _("吊销用户的全部接口令牌")
    BUDGET_WAIVE = "budget_waive", _("记录不设预算")
    BUDGET_WAIVER_REPLACED = "budget_waiver_replaced", _("不设预算记录被年度预算取代")
    COMPLAINT_FILE = "complaint_file", _("受理举报投诉或维权援助申请")
    COMPLAINT_LINK_CLAIM = "complaint_link_claim", _("维权援助案件关联维权资助申报")
    COMPLAINT_UPDATE = "complaint_update", _("处理举报投诉")
    PROMISE_RECORD = "promise_record", _("登记资助承诺")
    PROMISE_START = "promise_start", _("承诺期起算")
    PROMISE_KEPT = "promise_kept", _("承诺期满履行")
    PROMISE_VOID = "promise_void", _("资助撤销，承诺不再适用")
    PROMISE_FLAG = "promise_flag", _("名单显示可能违反承诺")
    PROMISE_REMIND = "promise_remind", _("承诺期届满提醒")
    PROMISE_BREACH = "promise_breach", _("登记违反承诺并立案追回")
    RECOVERY_NOTICE = "recovery_notice", _("出具追回通知书")
    RECOVERY_REPAY = "recovery_repay", _("登记追回资金归还")
    RECOVERY_WRITE_OFF_REQUEST = "recovery_write_off_request", _("申请核销追回余额")
    RECOVERY_WRITE_OFF_APPROVE = "recovery_write_off_approve", _("批准核销追回余额")
    RECOVERY_WRITE_OFF_REJECT = "recovery_write_off_reject", _("驳回核销追回余额")
    MATCH_RUN = "match_run", _("运行免申即享匹配")
    MFA_RESET = "mfa_reset", _("重置双因素认证")
    REGISTER_IMPORT = "register_import", _("导入名单")
    REGISTER_ROW_RESOLVE = "register_row_resolve", _("确认名单中的单位")
    REGISTER_UPLOAD = "register_upload", _("上传名单文件")
    # what hangs on a claim: evidence, payments, objections
    EVIDENCE_ATTACH = "evidence_attach", _("上传证明材料")
    EVIDENCE_REMOVE = "evidence_remove", _("删除证明材料")
    EVIDENCE_REPLACE = "evidence_replace", _("替换证明材料")
    PAYMENT_RECORD = "payment_record", _("记录拨付")
    PAYMENT_FAIL = "payment_fail", _("记录拨付失败")
    PAYMENT_BATCH_RECORD = "payment_batch_record", "记录批量拨付"
    OBJECTION_FILE = "objection_file", _("公示异议")
    OBJECTION_RESOLVE = "objection_resolve", _("处理异议")
    # the ledger, notices, rounds, budgets, policies
    AWARD_GRANT = "award_grant", "记入资助台账"
    AWARD_REVOKE = "award_revoke", "冲销资助台账"
    AWARD_REDUCE = "award_reduce", "核减资助台账"
    ALLOCATION_PRO_RATA = "allocation_pro_rata", "超出预算按同一比例核减"
    QUOTA_SCORE = "quota_score", "名额评审评分（排序）"
    QUOTA_FILL = "quota_fill", "按评审排名确定名额"
    NOTICE_PUBLISH = "notice_publish", "发布公示"
    NOTICE_CLOSE = "notice_close", "公示期满结束"
    ROUND_CREATE = "round_create", "设立申报批次"
    ROUND_UPDATE = "round_update", "修改申报批次"
    BUDGET_SET = "budget_set", "设定预算"
    BUDGET_CHARGE = "budget_charge", "核销的追回款计入预算"
    INTERPRETATION_CHOOSE = "interpretation_choose", "选定政策解释"
    POLICY_PACKAGE_ACTIVATE = "policy_package_activate", "启用政策包"
    POLICY_PACKAGE_RETIRE = "policy_package_retire", "停用政策包"
    # the policy sandbox (政策沙盘): never writes to the ledger
    SANDBOX_SCENARIO_CREATE = "sandbox_scenario_create", "新建沙盘情景"
    SANDBOX_RUN_REQUEST = "sandbox_run_request", "申请沙盘测算"
    SANDBOX_RUN = "sandbox_run", "完成沙盘测算"
    DOCUMENT_PAYMENT_LIST = "document_payment_list", "生成拨付清单"
    # exports (background jobs)
    JOB_REQUEST = "job_request", "申请导出"
    EXPORT_QUEUE_REVIEW = "export_queue_review", "导出初审队列"
    EXPORT_QUEUE_APPROVAL = "export_queue_approval", "导出审定队列"
    EXPORT_QUEUE_FINANCE = "export_queue_finance", "导出待拨付清单"
    EXPORT_AWARDS = "export_awards", "导出资助名单"
    EXPORT_BANK_BATCH = "export_bank_batch", "导出银行批量代付文件"
    EXPORT_STATISTICS = "export_statistics", "导出统计"
    EXPORT_DECISION_LETTERS = "export_decision_letters", "导出决定书"
    EXPORT_SANDBOX_RUN = "export_sandbox_run", "导出政策沙盘测算结果"
    EXPORT_MATCH_RUN = "export_match_run", "完成免申即享匹配（后台任务）并生成结果文件"
    EXPORT_DOWNLOAD = "export_download", "下载导出文件"
    EXPORT_EXPIRE = "export_expire", "导出文件过期删除"
    # accounts, roles, tokens, personal data
    APPLICANT_REGISTER = "applicant_register", "申报人注册"
    APPLICANT_PROFILE_UPDATE = "applicant_profile_update", "修改申报人信息"
    APPLICANT_ERASE = "applicant_erase", "删除申报人个人信息"
    STAFF_USER_CREATE = "staff_user_create", "创建工作人员账号"
    STAFF_NAME_SET = "staff_name_set", "设定工作人员姓名"
    USER_ROLES_SET = "user_roles_set", "设定用户角色"
    ROLE_CHANGE_REQUEST = "role_change_request", "申请变更角色"
    ROLE_CHANGE_REJECT = "role_change_reject", "驳回角色变更"
    ROLE_CHANGE_SUPERSEDED = "role_change_superseded", "角色变更申请被取代"
    PASSWORD_CHANGE = "password_change", "修改密码"
    PASSWORD_RESET = "password_reset", "重设密码"
    MFA_ENROLL = "mfa_enroll", "启用双因素认证"
    API_TOKEN_CREATE = "api_token_create", "生成接口令牌"
    API_TOKEN_REVOKE = "api_token_revoke", "吊销接口令牌"
    PII_REVEAL = "pii_reveal", "查看完整个人信息"
    BANK_ACCOUNT_REVEAL = "bank_account_reveal", "查看完整银行账号"
    BANK_CHANGE_REQUEST = "bank_change_request", "申请变更银行账户"
    BANK_CHANGE_CONFIRM = "bank_change_confirm", "确认变更银行账户"
    BANK_CHANGE_REJECT = "bank_change_reject", "驳回银行账户变更"
    BANK_CHANGE_SUPERSEDED = "bank_change_superseded", "银行账户变更申请被取代"
