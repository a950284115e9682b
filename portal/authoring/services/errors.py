"""The error every authoring rule raises."""

from __future__ import annotations

from portal.domain import DomainError


class AuthoringError(DomainError):
    """An edit the authoring rules refuse; `field` names the form field at fault."""
