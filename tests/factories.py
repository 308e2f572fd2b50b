"""Deterministic helpers that make the objects tests need.

No randomness: a failing test fails the same way every time.
"""

from assessment.models import User

PASSWORD = "correct horse battery staple"


def make_user(email: str, name: str = "", password: str = PASSWORD, **fields) -> User:
    return User.objects.create_user(email=email, password=password, name=name, **fields)
