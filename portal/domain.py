"""One way for a rule to refuse a change, and one way for a view to show the refusal.

Services raise a `DomainError` (each area has its own subclass: `AccountError`,
`AuthoringError`, `RolloutError`, `SandboxError`...) with the message a person reads and,
when one field is at fault, that field's name. A view runs the service inside
`transaction(form)`: the block commits when it finishes; on a domain error the session is
rolled back, nothing is half-saved, and the message stands next to its field (or above the
form), ready for `render_form` to answer 422. Any other exception rolls back and goes on
to the error handlers.

    form = PlanForm()
    if form.validate_on_submit():
        with transaction(form) as saved:
            plan = services.create_plan(form.name.data, current_user)
        if saved:
            flash(_("Plan created."), "success")
            return redirect(url_for("rollout.plan_view", plan_id=plan.id))
    return render_form("rollout/plan_form.html", form, plan=None)

Without a form (a button that posts), `saved.flash(done)` says `done` or what refused
the change. A page that shows some refusals in a place of its own (a text box that is no
form field, a line above several forms) names their fields in `aside` and reads
`saved.aside_message`.
"""

from __future__ import annotations

from collections.abc import Collection
from types import TracebackType

from flask import flash
from wtforms import Form

from portal.extensions import db


class DomainError(ValueError):
    """A change the rules refuse; `field` names the form field at fault, if one is."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def show_error(form: Form, error: DomainError) -> None:
    """Put the refusal next to the field it concerns, or above the form."""
    target = getattr(form, error.field, None) if error.field else None
    if target is not None and hasattr(target, "errors"):
        target.errors = [*target.errors, error.message]
    else:
        form.form_errors.append(error.message)


class transaction:  # noqa: N801 - reads as a statement: `with transaction(form) as saved`
    """Commit the block's work, or roll it back and keep the domain error for the form.

    The error goes on `form` unless its field is named in `aside` (None stands for an error
    that names no field): the page shows those itself, from `aside_message`.
    """

    def __init__(self, form: Form | None = None, *, aside: Collection[str | None] = ()):
        self.form = form
        self.aside = aside
        self.error: DomainError | None = None
        self.saved = False

    def __enter__(self) -> transaction:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if error is None:
            db.session.commit()
            self.saved = True
            return False
        db.session.rollback()
        if not isinstance(error, DomainError):
            return False
        self.error = error
        if self.form is not None and error.field not in self.aside:
            show_error(self.form, error)
        return True

    def __bool__(self) -> bool:
        return self.saved

    @property
    def aside_message(self) -> str | None:
        """The refusal's message when no form took it (no form, or its field is aside)."""
        if self.error is None or (self.form is not None and self.error.field not in self.aside):
            return None
        return self.error.message

    def flash(self, done: str, category: str = "success") -> None:
        """Say `done` when the block was saved, or what refused it."""
        if self.saved:
            flash(done, category)
        elif self.error is not None:
            flash(self.error.message, "danger")
