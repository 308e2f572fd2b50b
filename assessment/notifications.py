"""Who is told what, by email. Filled in by the notifications step."""


def submitted(assessment) -> None:
    pass


def returned(approval) -> None:
    pass


def signed_off(assessment) -> None:
    pass


def challenge_raised(challenge) -> None:
    pass


def challenge_noted(note) -> None:
    pass


def action_assigned(action) -> None:
    pass


def theme_assigned(assessment, assignments) -> None:
    pass
