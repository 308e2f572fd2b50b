"""The sign-off lock: one guard for the assessment and every record that belongs to it.

A signed-off assessment changes only by being reopened (a lead, with a reason). The guard covers
every ORM write path: ``save`` and ``delete`` on an object, and ``update``, ``delete``,
``bulk_create`` and ``bulk_update`` on a queryset. It always reads the status from the database,
never from the object in memory, which may be stale. Historical models (django-simple-history)
do not inherit the mixin, so recording history never trips it. Cascading deletes of a whole
partnership go through Django's collector, not these methods, and are not refused.

A model joins by inheriting ``LockedWithAssessment``, naming in ``lock_parent`` the foreign key
that leads to its assessment (directly, or through another locked model), and using
``LockedQuerySet`` for its manager. A model whose records should stay editable after sign-off
sets ``locked_after_sign_off = False``; one whose records may move on into a later cycle (open
actions) sets ``moves_on_after_sign_off = True``.
"""

from typing import ClassVar

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    SIGNED_OFF = "signed_off", "Signed off"


OPEN = (Status.DRAFT, Status.IN_REVIEW)


class AssessmentLocked(ValidationError):
    """A change to a signed-off assessment."""

    def __init__(
        self,
        message: str = "This self-assessment is signed off and locked. A lead must reopen it first.",
    ):
        super().__init__(message)


def _assessment_model() -> type[models.Model]:
    return apps.get_model("assessment", "Assessment")


def _parent_field(model: type[models.Model]) -> models.ForeignKey:
    """The foreign key from ``model`` to the record it is locked with (its ``lock_parent``)."""
    name = getattr(model, "lock_parent", None)
    field = model._meta.get_field(name) if isinstance(name, str) else None
    if not isinstance(field, models.ForeignKey):
        raise TypeError(f"{model.__name__}.lock_parent must name a foreign key")
    return field


def lock_path(model: type[models.Model]) -> str:
    """The lookup from ``model`` to its assessment: "assessment", "action__assessment" …"""
    if model is _assessment_model():
        return ""
    field = _parent_field(model)
    rest = lock_path(_parent_model(model))
    return f"{field.name}__{rest}" if rest else field.name


def _status_lookup(model: type[models.Model]) -> str:
    path = lock_path(model)
    return f"{path}__status" if path else "status"


def _any_signed_off(model: type[models.Model], pks) -> bool:
    """Whether any of the ``model`` rows ``pks`` belongs to a signed-off assessment."""
    pks = {pk for pk in pks if pk is not None}
    if not pks:
        return False
    return (
        model._base_manager.filter(pk__in=pks, **{_status_lookup(model): Status.SIGNED_OFF})
        .order_by()
        .exists()
    )


def _parent_model(model: type[models.Model]) -> type[models.Model]:
    related = _parent_field(model).related_model
    if not isinstance(related, type):  # "self" is resolved to the class once the apps are ready
        raise TypeError(f"{model.__name__}.lock_parent has no resolved model")
    return related


def _parent_ids(objs: list[models.Model]) -> set:
    return {getattr(obj, _parent_field(type(obj)).attname) for obj in objs}


class LockedQuerySet(models.QuerySet):
    """Bulk writes skip ``save``: each is refused when it would touch a signed-off record."""

    def _refuse_if_locked(self) -> None:
        if getattr(self.model, "locked_after_sign_off", True) and (
            self.filter(**{_status_lookup(self.model): Status.SIGNED_OFF}).order_by().exists()
        ):
            raise AssessmentLocked()

    def update(self, **kwargs):
        self._refuse_if_locked()
        parent = getattr(self.model, "lock_parent", None)
        if parent is not None:
            target = kwargs.get(parent, kwargs.get(f"{parent}_id"))
            target = getattr(target, "pk", target)
            if target is not None and _any_signed_off(_parent_model(self.model), [target]):
                raise AssessmentLocked()
        return super().update(**kwargs)

    def delete(self):
        self._refuse_if_locked()
        return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if getattr(self.model, "locked_after_sign_off", False) and _any_signed_off(
            _parent_model(self.model), _parent_ids(objs)
        ):
            raise AssessmentLocked()
        return super().bulk_create(objs, *args, **kwargs)


class LockedWithAssessment(models.Model):
    """A record that belongs to an assessment and is locked with it (see the module docstring)."""

    lock_parent: ClassVar[str] = "assessment"
    locked_after_sign_off: ClassVar[bool] = True
    moves_on_after_sign_off: ClassVar[bool] = False
    locked_message: ClassVar[str] = (
        "This self-assessment is signed off and locked. A lead must reopen it first."
    )

    objects = LockedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.refuse_if_locked()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.refuse_if_locked(deleting=True)
        return super().delete(*args, **kwargs)

    def refuse_if_locked(self, *, deleting: bool = False) -> None:
        if not self.locked_after_sign_off:
            return
        parent_id = _parent_field(type(self)).attname
        target = getattr(self, parent_id)
        if _any_signed_off(_parent_model(type(self)), [target]):
            raise AssessmentLocked(self.locked_message)
        if self.pk is None:
            return
        stored = (
            type(self)._base_manager.filter(pk=self.pk).values_list(parent_id, flat=True).first()
        )
        if stored is None or (not deleting and self.moves_on_after_sign_off and stored != target):
            return  # new, or moving on out of a signed-off cycle (which keeps it in its snapshot)
        if stored != target and _any_signed_off(_parent_model(type(self)), [stored]):
            raise AssessmentLocked(self.locked_message)
