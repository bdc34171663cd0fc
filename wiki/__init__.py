"""campwiki: a collaborative wiki for running a BarCamp."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from wiki import bounds
from wiki import config as settings
from wiki.auth import AnonymousUser
from wiki.extensions import csrf, db, htmx, limiter, login_manager


def create_app(config: Mapping | None = None) -> Flask:
    """Build the application: defaults, then CAMPWIKI_* variables, then ``config``."""
    app = Flask(__name__, instance_relative_config=True)
    bounds.init_app(app)
    app.config.update(settings.defaults(app.instance_path))
    app.config.from_prefixed_env("CAMPWIKI")
    if config:
        app.config.update(config)
    settings.finalise(app.config)
    if app.config["DATABASE_URL"].startswith("sqlite:///"):
        Path(app.config["DATABASE_URL"].removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
    if app.config["PROXIES"]:
        n = int(app.config["PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    db.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    # Imported for what they register: the database:// limit storage, and the listener
    # that keeps the search index in step with saves.
    from wiki import ratelimit, search  # noqa: F401

    limiter.init_app(app)
    _init_login(app)

    from wiki import cli, errors, security, templating

    errors.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    cli.init_app(app)

    from wiki.accounts.views import bp as accounts_bp
    from wiki.admin.views import bp as admin_bp
    from wiki.attachments.views import bp as attachments_bp
    from wiki.events.views import bp as events_bp
    from wiki.main import bp as main_bp
    from wiki.moderation.views import bp as moderation_bp
    from wiki.notices.views import bp as notices_bp
    from wiki.pages.views import bp as pages_bp
    from wiki.pitches.views import bp as pitches_bp
    from wiki.schedule.editor_views import bp as drafts_bp
    from wiki.schedule.export_views import bp as feeds_bp
    from wiki.schedule.programme_views import bp as programme_bp
    from wiki.schedule.venue_views import bp as venue_bp
    from wiki.schedule.views import bp as schedule_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(pages_bp)
    app.register_blueprint(attachments_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(pitches_bp)
    app.register_blueprint(schedule_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(drafts_bp)
    app.register_blueprint(programme_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(venue_bp)
    app.register_blueprint(notices_bp)
    _connect_domains()
    return app


# Domains whose ``erasure`` module answers accounts' signals (account deletion, data export).
ERASURE_DOMAINS = (
    "accounts",
    "events",
    "pitches",
    "pages",
    "moderation",
    "attachments",
    "schedule",
    "notices",
)


def _connect_domains() -> None:
    # Importing a domain's erasure module connects its receivers (once per process), so
    # every app this factory builds hears from every domain; the order they answer in is
    # each module's declared ORDER, not this one.
    for domain in ERASURE_DOMAINS:
        import_module(f"wiki.{domain}.erasure")


def _init_login(app: Flask) -> None:
    from wiki.accounts.models import User

    login_manager.init_app(app)
    login_manager.anonymous_user = AnonymousUser
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Log in to do that."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        # The id carries the login's secret: an ended login loads nobody, whichever
        # cookie (session or remember-me, or a copy of either) brings it.
        from wiki.accounts.services import user_for_login

        ident, _, secret = user_id.partition(":")
        if not ident.isdigit() or len(ident) > 18:
            return None
        return user_for_login(int(ident), secret)


__all__ = ["create_app"]
