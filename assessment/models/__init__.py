from assessment.models.assessment import Assessment, Status
from assessment.models.framework import (
    Benchmark,
    Framework,
    GlossaryTerm,
    Kind,
    Level,
    Option,
    PracticeExample,
    Question,
    Theme,
)
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
    "Assessment",
    "Benchmark",
    "Framework",
    "GlossaryTerm",
    "Invitation",
    "Kind",
    "LastLeadError",
    "Level",
    "Membership",
    "Nation",
    "Option",
    "Partnership",
    "PracticeExample",
    "Question",
    "Role",
    "Status",
    "Theme",
    "User",
]
