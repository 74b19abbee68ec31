"""URLs of the pages; the root URLconf includes this module at ''."""

from django.urls import path

from ipfund.web.portal.views import (
    accounts,
    admin,
    applicant,
    documents,
    files,
    finance,
    jobs,
    notices,
    public,
    staff,
    statistics,
)

app_name = "portal"

urlpatterns = [
    # public
    path("", public.home, name="home"),
    path("calculator/", public.calculator, name="calculator"),
    path("policy/", public.policy_overview, name="policy"),
    path("notices/", notices.notice_list, name="notices"),
    path("notices/<int:pk>/", notices.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/entries/<int:entry_pk>/objection/", notices.objection_new, name="objection_new"),
    # accounts
    path("accounts/register/", accounts.register, name="register"),
    path("accounts/login/", accounts.PortalLoginView.as_view(), name="login"),
    path("accounts/logout/", accounts.PortalLogoutView.as_view(), name="logout"),
    path("start/", accounts.dashboard, name="dashboard"),
    path("notifications/", accounts.notifications, name="notifications"),
    path("notifications/read/", accounts.notifications_read, name="notifications_read"),
    # applicant
    path("me/profile/", accounts.profile, name="profile"),
    path("me/eligible/", applicant.eligible, name="eligible"),
    path("me/claims/", applicant.my_claims, name="my_claims"),
    path("me/claims/new/<slug:item>/", applicant.claim_new, name="claim_new"),
    path("me/claims/<int:pk>/", applicant.claim_detail, name="claim_detail"),
    path("me/claims/<int:pk>/edit/", applicant.claim_edit, name="claim_edit"),
    path("me/claims/<int:pk>/submit/", applicant.claim_submit_view, name="claim_submit"),
    path("me/claims/<int:pk>/withdraw/", applicant.claim_withdraw_view, name="claim_withdraw"),
    # files, after a permission check
    path("files/evidence/<int:pk>/", files.evidence_file, name="evidence_file"),
    path("files/objections/<int:pk>/", files.objection_file, name="objection_file"),
    # back office
    path("claims/<int:pk>/", staff.claim_link, name="claim_link"),
    path("staff/review/", staff.review_queue_view, name="review_queue"),
    path("staff/approval/", staff.approval_queue_view, name="approval_queue"),
    path("staff/batch/<slug:action>/", staff.queue_batch, name="queue_batch"),
    path("staff/claims/<int:pk>/", staff.staff_claim, name="staff_claim"),
    path("staff/claims/<int:pk>/history/", staff.claim_audit, name="claim_audit"),
    path("staff/claims/<int:pk>/<slug:action>/", staff.claim_action, name="claim_action"),
    path("staff/notices/", notices.notice_manage, name="notice_manage"),
    path("staff/notices/<int:pk>/close/", notices.notice_close_view, name="notice_close"),
    path("staff/objections/", notices.objections, name="objections"),
    path("staff/objections/<int:pk>/", notices.objection_detail, name="objection_detail"),
    path("staff/finance/", finance.finance_queue, name="finance_queue"),
    path("staff/finance/batch/", finance.finance_batch, name="finance_batch"),
    path("staff/finance/<int:pk>/", finance.finance_claim, name="finance_claim"),
    path("staff/finance/account-changes/", finance.account_changes, name="account_changes"),
    path("staff/finance/account-changes/<int:pk>/", finance.account_change, name="account_change"),
    path("staff/statistics/", statistics.statistics, name="statistics"),
    path("staff/admin/budgets/", statistics.budgets, name="admin_budgets"),
    path("staff/admin/rounds/", admin.rounds, name="admin_rounds"),
    path("staff/admin/rounds/<int:pk>/", admin.round_edit, name="admin_round_edit"),
    path("staff/admin/users/", admin.users, name="admin_users"),
    path("staff/admin/users/<int:pk>/roles/", admin.user_roles, name="admin_user_roles"),
    path("staff/admin/interpretations/", admin.interpretations, name="admin_interpretations"),
    # documents (PDF) and exports (background jobs)
    path("notices/<int:pk>/pdf/", documents.notice_document, name="notice_pdf"),
    path("claims/<int:pk>/receipt.pdf", documents.receipt_document, name="claim_receipt"),
    path("claims/<int:pk>/decision-letter.pdf", documents.decision_letter_document, name="decision_letter"),
    path("staff/finance/payment-list.pdf", documents.payment_list_document, name="payment_list_pdf"),
    path("staff/exports/", jobs.exports, name="exports"),
    path("staff/jobs/", jobs.job_start, name="job_start"),
    path("staff/jobs/<int:pk>/", jobs.job_detail, name="job_detail"),
    path("staff/jobs/<int:pk>/file/", jobs.job_file, name="job_file"),
]
