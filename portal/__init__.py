"""CRM Academy: the Flask portal. `create_app()` builds it in named steps."""

from __future__ import annotations

from typing import Any

from flask import Flask

from portal.config import load_config


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the portal: config, extensions, blueprints, CLI, error pages."""
    app = Flask(__name__, instance_relative_config=True)
    load_config(app, test_config)
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    register_errorhandlers(app)
    return app


def register_extensions(app: Flask) -> None:
    from portal import arguments, database, i18n, jobs, navigation, security, uploads
    from portal.accounts import session as account_session  # noqa: F401 - registers the loader
    from portal.extensions import csrf, db, htmx, limiter, login_manager, migrate

    arguments.init_app(app)
    _no_ping_on_sqlite(app)
    db.init_app(app)
    database.install_sqlite_pragmas(app)
    migrate.init_app(app, db, directory=_migrations_dir(), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    uploads.init_app(app)
    navigation.init_app(app)
    login_manager.init_app(app)
    jobs.init_app(app)
    import portal.mailqueue  # noqa: F401 - its table and its delivery job


def _no_ping_on_sqlite(app: Flask) -> None:
    """A SQLite file cannot drop a connection: no `SELECT 1` before each request's first
    statement, as pool_pre_ping does for a database server."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options.pop("pool_pre_ping", None)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def register_blueprints(app: Flask) -> None:
    from portal.accounts import (
        links,  # noqa: F401 - password-link pages on the same blueprints
        scim_tokens,  # noqa: F401 - SCIM token pages on the admin blueprint
        sso,  # noqa: F401 - single sign-on pages on the sign-in blueprint
    )
    from portal.accounts.views import admin_bp, auth_bp
    from portal.adoption.api import bp as adoption_api_bp
    from portal.adoption.views import bp as adoption_bp
    from portal.authoring.views import bp as authoring_bp
    from portal.bulkjobs import bp as bulkjobs_bp
    from portal.core import bp as core_bp
    from portal.dashboard.views import bp as dashboard_bp
    from portal.learning.views import bp as learning_bp
    from portal.rollout.views import bp as rollout_bp
    from portal.scim.views import bp as scim_bp
    from sandbox import scoping
    from sandbox.views import bp as sandbox_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(learning_bp)
    app.register_blueprint(authoring_bp, url_prefix="/author")
    app.register_blueprint(dashboard_bp, url_prefix="/dashboard")
    app.register_blueprint(rollout_bp, url_prefix="/rollout")
    app.register_blueprint(adoption_bp, url_prefix="/adoption")
    app.register_blueprint(adoption_api_bp, url_prefix="/api/adoption")
    app.register_blueprint(sandbox_bp, url_prefix="/sandbox")
    app.register_blueprint(scim_bp, url_prefix="/scim/v2")
    app.register_blueprint(bulkjobs_bp, url_prefix="/jobs")
    scoping.init_app(app)
    import portal.digests  # noqa: F401 - the weekly digest job
    import portal.reminders  # noqa: F401 - the daily reminder job
    import portal.rollout.summaries  # noqa: F401 - keeps learner_summaries exact at each commit
    import sandbox.expiry  # noqa: F401 - the nightly clearing of unused sandboxes


def register_cli(app: Flask) -> None:
    from portal.cli import courses_cli, seed_cli, users_cli
    from portal.rollout.summaries import evidence_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(courses_cli)
    app.cli.add_command(seed_cli)
    app.cli.add_command(evidence_cli)


def register_errorhandlers(app: Flask) -> None:
    from portal.errors import register

    register(app)


def _migrations_dir() -> str:
    from pathlib import Path

    return str(Path(__file__).resolve().parent.parent / "migrations")
