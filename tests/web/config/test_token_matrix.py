"""Token rules in the generated authorization matrix (issue #21 item 4): for every API operation
of the matrix (itself checked against the OpenAPI schema), every signed-in principal's token is
refused once that principal's roles differ from those it was issued under — whether the change
went through the two-administrator confirmation (which revokes the tokens) or around the
platform (which the token's recorded roles catch) — unless the operation is open to anyone."""

from __future__ import annotations

from django.test import Client

from ipfund.web.accounts.models import User
from ipfund.web.api.services import api_token_create

from . import test_authorization_matrix as matrix
from .test_authorization_matrix import ANON, FINANCE, MATRIX, SIGNED_IN, _got_through, _path

world = matrix.world  # the matrix's own objects and principals (a pytest fixture)

API_OPERATIONS = sorted(name for name in MATRIX if name.split(" ", 1)[0] in {"GET", "POST"} and " /api/" in name)


def _call(client: Client, name: str, path: str):
    if name.startswith("GET "):
        return client.get(path)
    return client.post(path, "{}", content_type="application/json")


def test_every_api_operation_refuses_a_token_whose_roles_changed(world):
    assert API_OPERATIONS, "the matrix lists the API's operations"
    wrong = []
    for principal in sorted(SIGNED_IN):
        user = world["users"][principal]
        _, secret = api_token_create(actor=user, name="matrix", second_factor=True)
        held = list(user.roles or [])
        # one role more (finance) or, for finance, one fewer: either way not the roles it was issued under
        changed = [r for r in held if r != FINANCE] if FINANCE in held else held + [FINANCE]
        User.objects.filter(pk=user.pk).update(roles=changed)
        client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        for name in API_OPERATIONS:
            params, methods = MATRIX[name]
            for allowed in methods.values():
                response = _call(client, name, _path(name, params, world, principal))
                if _got_through(response) != (ANON in allowed):
                    wrong.append(f"{name} as {principal} with roles {held} → {changed}: {response.status_code}")
        User.objects.filter(pk=user.pk).update(roles=held)
    assert not wrong, "\n".join(wrong)
