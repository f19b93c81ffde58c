"""The one action table (services.permissions): every use case checks its actor against it."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.records import Role, StaffMember
from needlepoint.services import permissions
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.permissions import Action, PermissionDeniedError

SERVICES = Path(permissions.__file__).parent

HELPERS = {
    ("audit.py", "record"),
    ("permissions.py", "require"),
    ("access.py", "series_or_raise"),
    ("access.py", "listed_patient"),
    ("access.py", "audited_refusal"),
    ("portal/sign_in.py", "patient_event"),
    ("treatment/photos.py", "photo_or_raise"),
    ("treatment/photos.py", "stored_or_raise"),
    ("treatment/photos.py", "verified_or_refuse"),
    ("records/programme.py", "read_programme"),  # inside patient_programme and break-glass
    ("accounts/two_step.py", "require_fresh"),  # inside the use cases that change an account
}
"""Functions that take a context but are helpers inside a use case that already checked it."""


def context(role: Role, auth: AuthMethod = AuthMethod.SESSION) -> RequestContext:
    member = StaffMember(uuid4(), uuid4(), "a@clinic.test", "A", role, Decimal("1.5"))
    return RequestContext(actor=member, request_id="req", auth=auth)


def test_every_action_names_the_roles_that_may_take_it() -> None:
    assert set(permissions.ROLES_BY_ACTION) == set(Action)
    assert all(permissions.ROLES_BY_ACTION[action] for action in Action)


def test_ac5_the_audit_trail_its_export_and_the_reminder_log_are_for_admins_only() -> None:
    admin_only = (Action.AUDIT_READ, Action.AUDIT_EXPORT, Action.MESSAGES_REVIEW)

    assert all(permissions.ROLES_BY_ACTION[action] == {Role.ADMIN} for action in admin_only)


def test_front_desk_never_touches_clinical_content() -> None:
    clinical = {a for a in Action if a.value.split(".")[0] in {"consultation", "chart", "outcome"}}

    assert not any(permissions.allows(Role.FRONT_DESK, action) for action in clinical)


@given(action=st.sampled_from(sorted(permissions.ATTESTED)), role=st.sampled_from(list(Role)))
def test_an_api_token_never_attests_whatever_the_role(action: Action, role: Role) -> None:
    with pytest.raises(PermissionDeniedError):
        permissions.require(context(role, AuthMethod.API_TOKEN), action)


@given(action=st.sampled_from(list(Action)), role=st.sampled_from(list(Role)))
def test_a_signed_in_actor_may_take_exactly_what_the_table_gives_their_role(
    action: Action, role: Role
) -> None:
    allowed = role in permissions.ROLES_BY_ACTION[action]
    try:
        permissions.require(context(role), action)
        refused = False
    except PermissionDeniedError:
        refused = True

    assert refused is not allowed


def test_a_token_may_take_an_action_that_is_not_an_attestation() -> None:
    permissions.require(context(Role.CLINICIAN, AuthMethod.API_TOKEN), Action.PATIENT_READ)


def test_the_refusal_says_what_was_refused_and_why() -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        permissions.require(context(Role.ADMIN, AuthMethod.API_TOKEN), Action.CONSULTATION_SIGN)

    assert caught.value.code == "permission-denied"
    assert "own signed-in session" in str(caught.value)


def _use_cases_taking_a_staff_context() -> list[tuple[str, ast.FunctionDef]]:
    found = []
    for path in sorted(SERVICES.rglob("*.py")):
        name = path.relative_to(SERVICES).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            names = {a.arg: a.annotation for a in (*node.args.args, *node.args.kwonlyargs)}
            annotation = names.get("context")
            staff = annotation is not None and "RequestContext" in ast.unparse(annotation)
            if staff and (name, node.name) not in HELPERS:
                found.append((name, node))
    return found


def _checks_the_table(node: ast.FunctionDef) -> bool:
    return any(
        isinstance(call, ast.Call) and ast.unparse(call.func) == "permissions.require"
        for call in ast.walk(node)
    )


def test_every_use_case_acting_for_staff_checks_the_action_table() -> None:
    use_cases = _use_cases_taking_a_staff_context()
    unchecked = [f"{module}:{n.name}" for module, n in use_cases if not _checks_the_table(n)]

    assert len(use_cases) > 40
    assert unchecked == []
