"""Authoring pages under /author/: trainers and admins only."""

# Each module adds its pages to the blueprint defined in base.
from portal.authoring.views import (  # noqa: F401
    editor,
    exercises,
    people,
    transfer,
    translations,
)
from portal.authoring.views.base import bp

__all__ = ["bp"]
