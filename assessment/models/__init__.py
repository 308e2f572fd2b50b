from assessment.models.partnership import (
    ROLE_DESCRIPTIONS,
    Agency,
    Invitation,
    LastLeadError,
    Membership,
    Nation,
    Partnership,
    Role,
)
from assessment.models.user import User

__all__ = [
    "ROLE_DESCRIPTIONS",
    "Agency",
    "Invitation",
    "LastLeadError",
    "Membership",
    "Nation",
    "Partnership",
    "Role",
    "User",
]
