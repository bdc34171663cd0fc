"""The role vocabulary and the questions everyone, logged in or not, can answer."""

import ast
from pathlib import Path

import pytest

from wiki import auth
from wiki.auth import AnonymousUser, Role, RoleHolder


class Holder(RoleHolder):
    def __init__(self, role: Role) -> None:
        self.role = role


def test_someone_not_logged_in_holds_no_role():
    nobody = AnonymousUser()
    assert not nobody.is_authenticated
    assert not nobody.is_facilitator and not nobody.is_admin
    assert not any(nobody.has_role(role) for role in Role)


@pytest.mark.parametrize(
    ("role", "facilitator", "admin"),
    [(Role.PARTICIPANT, False, False), (Role.FACILITATOR, True, False), (Role.ADMIN, True, True)],
)
def test_a_stronger_role_answers_for_the_weaker_ones(role, facilitator, admin):
    person = Holder(role)
    assert (person.is_facilitator, person.is_admin) == (facilitator, admin)
    assert person.has_role(Role.PARTICIPANT)


def test_auth_imports_no_domain():
    tree = ast.parse(Path(auth.__file__).read_text())
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    } | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert not [name for name in imported if name.startswith("wiki")]
