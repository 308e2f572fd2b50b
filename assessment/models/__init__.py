from assessment.models.user import User

__all__ = ["User"]
