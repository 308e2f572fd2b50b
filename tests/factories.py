"""Deterministic helpers that make the objects tests need.

No randomness: a failing test fails the same way every time.
"""

from assessment.models import Agency, Invitation, Membership, Nation, Partnership, Role, User

PASSWORD = "correct horse battery staple"


def make_user(email: str, name: str = "", password: str = PASSWORD, **fields) -> User:
    return User.objects.create_user(email=email, password=password, name=name, **fields)


def make_partnership(
    name: str = "Partnership A", nation: str = Nation.ENGLAND, **fields
) -> Partnership:
    return Partnership.objects.create(
        name=name, nation=nation, area=fields.pop("area", f"{name} area"), **fields
    )


def make_member(
    partnership: Partnership, user: User, role: str = Role.CONTRIBUTOR, agency: str = Agency.POLICE
) -> Membership:
    return Membership.objects.create(partnership=partnership, user=user, role=role, agency=agency)


def make_invitation(
    partnership: Partnership,
    email: str = "dana@example.org",
    role: str = Role.CONTRIBUTOR,
    agency: str = Agency.HEALTH,
    invited_by: User | None = None,
) -> tuple[Invitation, str]:
    return Invitation.create(
        partnership=partnership, email=email, role=role, agency=agency, invited_by=invited_by
    )
