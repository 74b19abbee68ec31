"""Role changes need a second administrator (issue #11 item 1), through the pages: asked for on
the user's roles page, confirmed or rejected on 角色变更确认 by another administrator; nobody
asks for or confirms their own; only taking roles away applies at once. Audited and told."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from ipfund.web.accounts import role_changes
from ipfund.web.accounts.models import RoleChange
from ipfund.web.audit.models import AuditEvent
from ipfund.web.notifications.models import Notification


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ask(client, person, role_list):
    return client.post(reverse("portal:admin_user_roles", args=[person.pk]), {"roles": role_list}, follow=True)


def decide(client, change, action, **data):
    return client.post(reverse("portal:admin_role_change_decide", args=[change.pk, action]), data, follow=True)


def page_text(response) -> str:
    return response.content.decode()


@pytest.fixture
def admins(staff):
    return signed_in(staff.admin), signed_in(staff.admin2)


def test_a_grant_waits_for_a_second_administrator(staff, admins, django_capture_on_commit_callbacks):
    first, second = admins
    enterprise = staff.reviewer2  # an applicant's account never gets a staff role: a staff member is given another
    with django_capture_on_commit_callbacks(execute=True):
        asked = ask(first, enterprise, ["reviewer", "approver"])
    enterprise.refresh_from_db()
    assert enterprise.roles == ["reviewer"]  # nothing granted yet
    change = RoleChange.objects.get(user=enterprise)
    assert change.state == RoleChange.PENDING and change.after == ["approver", "reviewer"]
    assert "待确认" in page_text(asked) and enterprise.username in page_text(asked)
    assert AuditEvent.objects.filter(action="role_change_request", object_id=str(change.pk), actor=staff.admin).exists()
    # the other administrator is told, by notification and mail; the person is not yet
    (note,) = Notification.objects.filter(user=staff.admin2)
    assert "须由另一位管理员" in note.message and "审定人员" in note.message
    assert [m.to for m in mail.outbox] == [["admin2@ipfund.local"]]

    # the one who asked cannot confirm: the page offers no button, a POST is refused
    assert f'{change.pk}/confirm/' not in page_text(first.get(reverse("portal:admin_role_changes")))
    refused = decide(first, change, "confirm")
    assert role_changes.NOT_YOUR_OWN_REQUEST in page_text(refused)
    enterprise.refresh_from_db()
    assert enterprise.roles == ["reviewer"]

    listing = second.get(reverse("portal:admin_role_changes"))
    assert listing.status_code == 200 and "角色变更确认" in page_text(listing)
    assert f'{change.pk}/confirm/' in page_text(listing)
    confirmed = decide(second, change, "confirm")
    assert "角色变更已确认" in page_text(confirmed)
    enterprise.refresh_from_db()
    assert enterprise.roles == ["approver", "reviewer"]
    change.refresh_from_db()
    assert (change.state, change.decided_by) == (RoleChange.CONFIRMED, staff.admin2)
    event = AuditEvent.objects.filter(action="user_roles_set", object_id=str(enterprise.pk)).get()
    assert event.actor == staff.admin2 and event.after["requested_by"] == "admin" and event.before == {"roles": ["reviewer"]}
    assert Notification.objects.filter(user=enterprise, message__contains="admin2 确认").exists()
    # decided once: not again
    assert role_changes.NOT_PENDING.format(state="已确认生效") in page_text(decide(first, change, "reject"))


def test_no_administrator_asks_for_or_confirms_its_own_roles(staff, admins):
    first, second = admins
    own = ask(first, staff.admin, ["admin", "approver"])
    assert role_changes.NOT_YOUR_OWN_ROLES in page_text(own)
    assert not RoleChange.objects.exists()
    # admin asks to give admin2 the approver role: admin2, the person concerned, cannot confirm it
    ask(first, staff.admin2, ["admin", "approver"])
    change = RoleChange.objects.get(user=staff.admin2)
    assert role_changes.NOT_YOUR_OWN_CONFIRMATION in page_text(decide(second, change, "confirm"))
    staff.admin2.refresh_from_db()
    assert staff.admin2.roles == ["admin"]


def test_a_new_account_gets_its_roles_only_when_confirmed(staff, admins):
    first, second = admins
    first.post(reverse("portal:admin_users"), {"username": "wangfang", "password": "Zq-Office-2026!x", "email": "wf@ipfund.local",
                                               "full_name": "王芳", "roles": ["approver"], "affiliation": ""})
    from ipfund.web.accounts.models import User

    person = User.objects.get(username="wangfang")
    assert person.roles == []
    change = RoleChange.objects.get(user=person, state=RoleChange.PENDING)
    decide(second, change, "confirm")
    person.refresh_from_db()
    assert person.roles == ["approver"]


def test_taking_roles_away_applies_at_once_and_supersedes_a_pending_grant(staff, admins, django_capture_on_commit_callbacks):
    first, second = admins
    ask(first, staff.finance, ["finance", "admin"])
    pending = RoleChange.objects.get(user=staff.finance)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        ask(second, staff.finance, [])
    staff.finance.refresh_from_db()
    assert staff.finance.roles == []
    pending.refresh_from_db()
    assert pending.state == RoleChange.SUPERSEDED
    assert AuditEvent.objects.filter(action="user_roles_set", actor=staff.admin2, after={"roles": []}).exists()
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"finance", "admin"}
    # the superseded grant can no longer be confirmed
    assert "已被新的变更取代" in page_text(decide(second, pending, "confirm"))
    staff.finance.refresh_from_db()
    assert staff.finance.roles == []


def test_a_rejected_grant_never_applies_and_the_asker_is_told(staff, admins):
    first, second = admins
    enterprise = staff.reviewer2
    ask(first, enterprise, ["reviewer", "admin"])
    change = RoleChange.objects.get(user=enterprise)
    rejected = decide(second, change, "reject", reason="申报单位人员不得任财务")
    assert "角色变更已驳回" in page_text(rejected)
    change.refresh_from_db()
    assert (change.state, change.reason) == (RoleChange.REJECTED, "申报单位人员不得任财务")
    enterprise.refresh_from_db()
    assert enterprise.roles == ["reviewer"]
    assert Notification.objects.filter(user=staff.admin, message__contains="申报单位人员不得任财务").exists()
    listing = page_text(first.get(reverse("portal:admin_role_changes")))
    assert "已驳回" in listing and "没有待确认的角色变更" in listing


def test_only_administrators_see_or_decide_role_changes(staff, enterprise, admins):
    first, _ = admins
    ask(first, staff.reviewer2, ["reviewer", "approver"])
    change = RoleChange.objects.get()
    for person in (staff.reviewer, staff.approver, staff.finance, enterprise):
        client = signed_in(person)
        assert client.get(reverse("portal:admin_role_changes")).status_code == 403
        assert client.post(reverse("portal:admin_role_change_decide", args=[change.pk, "confirm"])).status_code == 403
    change.refresh_from_db()
    assert change.state == RoleChange.PENDING


# --- issue #21 item 7: administrators are not stripped by one administrator ------------------------


def test_taking_the_administrator_role_away_waits_for_a_second_administrator(staff, admins, django_capture_on_commit_callbacks):
    """The probe's finding: one administrator stripped every role from another in one empty POST."""
    first, second = admins
    ask(first, staff.admin2, [])  # the empty POST
    staff.admin2.refresh_from_db()
    assert staff.admin2.roles == ["admin"] and staff.admin2.is_superuser  # nothing taken yet
    change = RoleChange.objects.get(user=staff.admin2)
    assert change.state == RoleChange.PENDING and change.after == []
    # the person concerned cannot confirm it; a third administrator can
    assert role_changes.NOT_YOUR_OWN_CONFIRMATION in page_text(decide(second, change, "confirm"))
    from ipfund.web.demo import flow

    third = flow.staff_user_create(actor=None, username="admin3", password="Zq-Office-2026!x")
    flow.roles_set(staff, third, ["admin"])
    decide(signed_in(third), change, "confirm")
    staff.admin2.refresh_from_db()
    assert staff.admin2.roles == [] and not staff.admin2.is_superuser


def test_two_administrators_cannot_strip_each_other_so_one_always_remains(staff, admins):
    first, second = admins
    ask(first, staff.admin2, [])
    ask(second, staff.admin, ["finance"])
    for change in RoleChange.objects.filter(state=RoleChange.PENDING):
        for client in admins:  # the one who asked, and the person concerned: neither may confirm
            decide(client, change, "confirm")
    staff.admin.refresh_from_db()
    staff.admin2.refresh_from_db()
    assert staff.admin.roles == ["admin"] and staff.admin2.roles == ["admin"]
    assert RoleChange.objects.filter(state=RoleChange.PENDING).count() == 2


def test_the_last_active_administrator_keeps_the_role_even_if_asked_around_the_pages(staff):
    from ipfund.web.accounts.models import User

    User.objects.filter(pk=staff.admin2.pk).update(is_active=False)  # left the bureau
    change = RoleChange.objects.create(user=staff.admin, before=["admin"], after=[], requested_by=staff.admin2)
    with pytest.raises(role_changes.ValidationError, match="唯一在用的管理员"):
        role_changes._removes_admin(staff.admin, change.after)
