"""What the portal's views share: role checks, service errors shown on forms, idempotency tokens."""

import functools
import uuid
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from ipfund.web.accounts import roles

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

FORBIDDEN = _("您没有访问此页面的权限。")


def role_required(*required: str):
    """The view needs a signed-in user holding one of ``required``; others get 403 (or the login page)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(roles.has_role(request.user, role) for role in required):
                raise PermissionDenied(FORBIDDEN)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def error_messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [str(m) for errors in exc.error_dict.values() for e in errors for m in e.messages]
    return [str(m) for m in exc.messages]


def show_service_error(exc: ValidationError, forms_by_field_owner: list, fallback_form=None) -> list[str]:
    """Put each message of a service's ValidationError beside the field it names.

    A field belongs to the first form in ``forms_by_field_owner`` that has it; a message naming
    no known field goes to ``fallback_form``'s non-field errors, or is returned for the page to
    show as a message.
    """
    leftovers: list[str] = []
    if not hasattr(exc, "error_dict"):
        if fallback_form is not None:
            fallback_form.add_error(None, exc.messages)
            return []
        return [str(m) for m in exc.messages]
    for field, errors in exc.error_dict.items():
        texts = [m for e in errors for m in e.messages]
        owner = next((f for f in forms_by_field_owner if f is not None and field in f.fields), None)
        if owner is not None:
            owner.add_error(field, texts)
        elif fallback_form is not None:  # a non-field error, or a field this page has no input for
            fallback_form.add_error(None, texts)
        else:
            leftovers.extend(texts)
    return leftovers


def run_service(request, call, *, form, success: "str | _StrPromise") -> bool:
    """Call a service for a form's page: its errors go beside the fields they name (or to the top
    of the form), a refusal of permission is flashed; on success the message is flashed. True when
    the service succeeded."""
    try:
        call()
    except ValidationError as exc:
        flash_errors(request, show_service_error(exc, [form], fallback_form=form))
        return False
    except PermissionDenied as exc:
        flash_errors(request, [str(exc)])
        return False
    messages.success(request, success)
    return True


def flash_errors(request, texts: list[str]) -> None:
    for text in texts:
        messages.error(request, text)


def new_form_token() -> str:
    """A fresh idempotency key for one rendering of a create form (double submits share it)."""
    return uuid.uuid4().hex
