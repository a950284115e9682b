"""Sign-in, own account settings, and admin user management."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from portal import bulkjobs
from portal.accounts import queries, services
from portal.accounts.devices import known_device, remember_device
from portal.accounts.forms import (
    ActiveForm,
    ConfirmForm,
    DepartmentForm,
    EmailSettingsForm,
    LanguageForm,
    LoginForm,
    PasswordChangeForm,
    RosterForm,
    UserForm,
)
from portal.accounts.models import Department, User
from portal.accounts.roles import Role
from portal.accounts.roster import RosterOutcome, decode_upload, import_or_queue
from portal.accounts.services import AccountError, AccountLocked, SignInBusy, UserData
from portal.database import utcnow
from portal.domain import transaction
from portal.extensions import db, limiter
from portal.navigation import home_url
from portal.rendering import render, render_form
from portal.security import is_safe_redirect, roles_required

auth_bp = Blueprint("accounts", __name__, template_folder="templates")
admin_bp = Blueprint("admin", __name__, template_folder="templates")


@admin_bp.before_request
@login_required
@roles_required(Role.ADMIN)
def require_admin():
    """Every page under /admin/ needs a signed-in admin."""
    return None


# Pages a user who must choose a new password can still reach.
_OPEN_WHILE_PASSWORD_CHANGE = {
    "accounts.account",
    "accounts.password_change",
    "accounts.logout",
    "core.language_set",
    "core.healthz",
    "static",
}


@auth_bp.before_app_request
def require_password_change():
    if (
        current_user.is_authenticated
        and current_user.password_change_required
        and request.endpoint not in _OPEN_WHILE_PASSWORD_CHANGE
    ):
        flash(_("Choose a new password to continue."), "warning")
        return redirect(url_for("accounts.account"))
    return None


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _fresh_session() -> None:
    """Start a new session (nothing from before carries over) but keep the language."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


@auth_bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        with transaction(form) as attempt:  # commits the sign-in, or the wrong password counted
            user = services.authenticate(
                form.email.data, form.password.data, known_device_of=known_device()
            )
        if attempt and user is not None:
            return _signed_in(user)
        status, headers = _refused(form, attempt.error)
    elif form.is_submitted():
        status = 422
    response = render("accounts/login.html", form=form, status=status)
    response.headers.update(headers)
    return response


def _signed_in(user: User):
    """Start the user's fresh session, then go where they were going."""
    _fresh_session()
    login_user(user)
    target = request.args.get("next")
    response = redirect(target if is_safe_redirect(target) else home_url(user))
    remember_device(response, user)
    return response


def _refused(form: LoginForm, error: AccountError | None) -> tuple[int, dict[str, str]]:
    """The status and headers of a sign-in that did not happen (the form says why)."""
    if isinstance(error, AccountLocked):
        return 429, {"Retry-After": str(error.seconds)}
    if isinstance(error, SignInBusy):
        return 503, {"Retry-After": "5"}
    if error is None:
        form.form_errors.append(
            _("The email or password is not right, or the account is disabled.")
        )
    return 401, {}


@auth_bp.post("/logout")
@login_required
def logout():
    locale = current_user.locale
    services.end_sessions(current_user)
    db.session.commit()
    logout_user()
    _fresh_session()
    if locale:
        session["locale"] = locale  # the sign-in page stays in the user's language
    flash(_("You are signed out."), "info")
    return redirect(url_for("accounts.login"))


def _account_page(password_form: PasswordChangeForm, status: int = 200):
    language_form = LanguageForm(locale=current_user.locale)
    language_form.locale.choices = list(current_app.config["LANGUAGES"].items())
    return render(
        "accounts/account.html",
        password_form=password_form,
        language_form=language_form,
        email_form=EmailSettingsForm(obj=current_user),
        status=status,
    )


@auth_bp.get("/account")
@login_required
def account():
    return _account_page(PasswordChangeForm())


@auth_bp.post("/account/email")
@login_required
def email_settings():
    """Switch the daily reminders (portal.reminders) and the weekly digest on or off."""
    form = EmailSettingsForm()
    if form.validate_on_submit():
        current_user.reminder_emails = form.reminder_emails.data
        current_user.digest_emails = form.digest_emails.data
        db.session.commit()
        flash(_("Your email settings are saved."), "success")
    return redirect(url_for("accounts.account"))


@auth_bp.post("/account/password")
@login_required
def password_change():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        with transaction(form) as saved:
            services.change_own_password(
                current_user, form.current_password.data, form.new_password.data
            )
        if saved:
            # The version moved on: sign this session in again with it. Pass the user
            # itself, not the `current_user` proxy, or the proxy would point at itself.
            login_user(current_user._get_current_object())
            flash(_("Your password is changed. Other sessions are signed out."), "success")
            return redirect(home_url(current_user))
    return _account_page(form, status=422)


# Admin: users


def _user_form(user: User | None = None) -> UserForm:
    form = UserForm(obj=user) if user is not None else UserForm()
    form.department_id.choices = [(0, _("No department"))] + [
        (d.id, d.name) for d in queries.departments()
    ]
    form.locale.choices = [("", _("Browser default"))] + list(
        current_app.config["LANGUAGES"].items()
    )
    if user is not None and not form.is_submitted():
        form.manages_department.data = bool(
            user.department and user.department.manager_id == user.id
        )
        form.roles.data = sorted(user.roles)
        form.department_id.data = user.department_id or 0
        form.locale.data = user.locale or ""
    elif user is None and not form.is_submitted():
        form.roles.data = ["learner"]  # most new accounts are learners
    return form


def _user_data(form: UserForm) -> UserData:
    return UserData(
        email=form.email.data or "",
        name=form.name.data or "",
        roles=list(form.roles.data or []),
        department_id=form.department_id.data or None,
        job_title=form.job_title.data or "",
        locale=form.locale.data or None,
    )


@admin_bp.get("/users")
def user_list():
    filters = queries.UserFilters.from_args(request.args)
    page = queries.search_users(filters, per_page=current_app.config["USERS_PER_PAGE"])
    return render(
        "accounts/admin/users.html",
        "accounts/admin/_user_results.html",
        page=page,
        filters=filters,
        departments=queries.departments(),
        confirm_form=ConfirmForm(),
    )


@admin_bp.route("/users/new", methods=["GET", "POST"])
def user_create():
    form = _user_form()
    if form.validate_on_submit():
        with transaction(form) as saved:
            user = services.create_user(
                _user_data(form),
                form.password.data or None,
                require_change=form.require_change.data,
            )
            services.set_manager(user, form.manages_department.data)
        if saved and form.invite.data and not form.password.data:
            from portal.accounts.links import send_invitation

            return send_invitation(user)
        if saved:
            flash(_("%(name)s can now be found in the user list.", name=user.name), "success")
            return redirect(url_for("admin.user_list"))
    return render_form("accounts/admin/user_form.html", form, user=None)


@admin_bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = _user_form(user)
    if form.validate_on_submit():
        with transaction(form) as saved:
            services.update_user(user, _user_data(form), actor=current_user)
            services.set_manager(user, form.manages_department.data)
            if form.password.data:
                services.set_password(
                    user, form.password.data, require_change=form.require_change.data
                )
        if saved:
            if form.password.data and user.id == current_user.id:
                login_user(user)  # a new password ends other sessions, not this one
            flash(_("Changes to %(name)s are saved.", name=user.name), "success")
            return redirect(url_for("admin.user_list"))
    return render_form(
        "accounts/admin/user_form.html", form, user=user, confirm_form=ConfirmForm(), now=utcnow()
    )


@admin_bp.post("/users/<int:user_id>/active")
def user_set_active(user_id: int):
    user = db.get_or_404(User, user_id)
    form = ActiveForm()
    if not form.validate_on_submit():
        abort(400)
    make_active = form.make_active
    with transaction() as saved:
        services.set_active(user, make_active, actor=current_user)
    if make_active:
        saved.flash(_("%(name)s can sign in again.", name=user.name))
    else:
        saved.flash(_("%(name)s is disabled and signed out.", name=user.name))
    if request.htmx:
        return render("accounts/admin/_user_row.html", user=user, confirm_form=ConfirmForm())
    return redirect(url_for("admin.user_edit", user_id=user.id))


@admin_bp.post("/users/<int:user_id>/unlock")
def user_unlock(user_id: int):
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.unlock(user)
    db.session.commit()
    flash(_("%(name)s can sign in again.", name=user.name), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@admin_bp.route("/users/import", methods=["GET", "POST"])
def user_import():
    form = RosterForm()
    outcome = RosterOutcome()
    if form.validate_on_submit():
        # A roster with a rejected row changes nothing (see import_roster): nothing to commit.
        # A large one is applied by a job, whose page shows the report (portal.bulkjobs).
        with transaction(form):
            text = decode_upload(form.file.data.read())
            password = form.initial_password.data or None
            outcome = import_or_queue(text, password, bool(form.invite.data), current_user)
        if outcome.job is not None:
            return redirect(url_for("bulkjobs.show", token=outcome.job.token))
    report = outcome.report
    status = 422 if form.is_submitted() and (report is None or not report.applied) else 200
    return render(
        "accounts/admin/import.html",
        form=form,
        report=report,
        links=outcome.links,
        background_rows=bulkjobs.setting("ROSTER_BACKGROUND_ROWS"),
        status=status,
    )


# Admin: departments


@admin_bp.route("/departments", methods=["GET", "POST"])
def department_list():
    form = DepartmentForm()
    if form.validate_on_submit():
        with transaction(form) as saved:
            department = services.create_department(form.name.data)
        if saved:
            flash(_("Department %(name)s added.", name=department.name), "success")
            return redirect(url_for("admin.department_list"))
    return render_form(
        "accounts/admin/departments.html",
        form,
        departments=queries.departments_with_counts(),
        confirm_form=ConfirmForm(),
    )


@admin_bp.post("/departments/<int:department_id>/rename")
def department_rename(department_id: int):
    department = db.get_or_404(Department, department_id)
    form = DepartmentForm()
    if form.validate_on_submit():
        with transaction() as saved:
            services.rename_department(department, form.name.data)
        saved.flash(_("Department renamed to %(name)s.", name=department.name))
    elif (form.name.data or "").strip() and form.name.errors:
        flash(form.name.errors[0], "danger")  # for example: too long
    else:
        flash(_("Enter a department name."), "danger")
    return redirect(url_for("admin.department_list"))


@admin_bp.post("/departments/<int:department_id>/delete")
def department_delete(department_id: int):
    department = db.get_or_404(Department, department_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with transaction() as saved:
        services.delete_department(department)
    saved.flash(_("Department deleted."))
    return redirect(url_for("admin.department_list"))
