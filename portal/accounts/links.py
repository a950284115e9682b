"""Pages for one-time password links: forgot password, choose a password from a link,
and the admin's invitations (send again, or hand out the link when there is no mail)."""

from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _

from portal.accounts import onboarding
from portal.accounts.forms import ConfirmForm, ForgotPasswordForm, NewPasswordForm
from portal.accounts.models import User, normalise_email
from portal.accounts.tokens import LinkError, Purpose
from portal.accounts.views import _signed_in, admin_bp, auth_bp
from portal.domain import transaction
from portal.extensions import db, limiter
from portal.rendering import render, render_form

REASONS = {
    "expired": lambda: _("This link has expired."),
    "used": lambda: _("This link has been used already, or a newer one was sent since."),
    "invalid": lambda: _("This link is not valid."),
}


def _reset_limit() -> str:
    return current_app.config["RESET_RATE_LIMIT"]


def _email_key() -> str:
    return "reset:" + normalise_email(request.form.get("email", ""))[:254]


@auth_bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
@limiter.limit(_reset_limit, methods=["POST"], key_func=_email_key)
def forgot_password():
    """Ask for a reset link; the answer never says whether the address has an account."""
    if not current_app.config["PASSWORD_SIGN_IN"]:
        return _passwords_off()
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        onboarding.request_reset(form.email.data)
        db.session.commit()
        flash(
            _(
                "If an account uses that address, we have emailed it a link to choose a new "
                "password. It works for an hour. Check your spam folder too."
            ),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_form("accounts/forgot_password.html", form)


@auth_bp.route("/password/<any(invite, reset):purpose>/<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def password_from_link(purpose: str, token: str):
    """Choose a password from an invitation or reset link."""
    if not current_app.config["PASSWORD_SIGN_IN"]:
        return _passwords_off()
    purpose = Purpose(purpose)
    try:
        user = onboarding.user_of(token, purpose)
    except LinkError as error:
        return _bad_link(error.reason)
    form = NewPasswordForm()
    if form.validate_on_submit():
        with transaction(form) as saved:
            user = onboarding.password_from_link(token, purpose, form.new_password.data)
        if saved:
            flash(_("Your password is set. Welcome, %(name)s.", name=user.name), "success")
            return _signed_in(user)
        if isinstance(saved.error, LinkError):
            return _bad_link(saved.error.reason)
    return render_form("accounts/password_from_link.html", form, user=user, purpose=purpose)


def _passwords_off():
    """With PASSWORD_SIGN_IN off nobody signs in with a password: the reset and invitation
    pages say so and change nothing (the link stays as it was)."""
    return render(
        "accounts/sso_refused.html",
        message=_(
            "Passwords are not used here: sign in through your organisation's single sign-on."
        ),
        status=403 if request.method == "POST" else 200,
    )


def _bad_link(reason: str):
    status = 400 if reason == "invalid" else 410
    return render("accounts/bad_link.html", message=REASONS[reason](), status=status)


@admin_bp.post("/users/<int:user_id>/invite")
def user_invite(user_id: int):
    """Send the person a new invitation (the old link stops working)."""
    user = db.get_or_404(User, user_id)
    form = ConfirmForm()
    if not form.validate_on_submit() or not user.active:
        return redirect(url_for("admin.user_list"))
    if user.password_hash is not None:
        flash(_("%(name)s has a password already.", name=user.name), "info")
        return redirect(url_for("admin.user_list"))
    return send_invitation(user)


def send_invitation(user: User):
    """Invite and commit, then say it is on its way, or show the link to hand out, once."""
    link, mail = onboarding.invite(user)
    db.session.commit()
    if mail.status == "not_configured":
        return render("accounts/admin/invitation_link.html", user=user, link=link)
    flash(_("An invitation is on its way to %(email)s.", email=user.email), "success")
    return redirect(url_for("admin.user_list"))
