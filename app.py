"""Application factory of Sổ tay đảng viên điện tử.

`create_app()` is what gunicorn, `flask` and the tests call. Extensions are created once in
`core.extensions` and bound here; each feature is a blueprint defined in
`blueprints/<feature>/blueprint.py`, whose route modules (`ROUTE_MODULES`) add its views. This
module is the top layer: nothing imports it, and the app-wide hooks that features provide are
installed here (`_install_hooks`), never as a side effect of importing a feature.
"""

from __future__ import annotations

import importlib
import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from core.config import check_quality_weights, load_config
from core.extensions import babel, compress, csrf, db, limiter, login_manager, migrate
from core.filemodes import private_dir
from core.ids import BoundedIntConverter


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the app; `test_config` overrides the environment's configuration."""
    app = Flask(__name__, instance_relative_config=True, static_folder="static")
    private_dir(app.instance_path)  # 0700: it holds the secret key and the SQLite file
    app.config.update(load_config(app.instance_path))
    if test_config:
        app.config.update(test_config)
    # A province's own meeting quality scale: refused here rather than on a request.
    check_quality_weights(
        app.config["MEETING_QUALITY_WEIGHTS"], app.config["MEETING_QUALITY_FULL_FOR_TOP"]
    )
    if app.config["RATELIMIT_STORAGE_URI"] == "sqlalchemy://":
        app.config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS", {"database_url": app.config["SQLALCHEMY_DATABASE_URI"]}
        )
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    app.url_map.converters["int"] = BoundedIntConverter  # before any route is added
    _init_extensions(app)
    _register_blueprints(app)
    _install_hooks(app)
    _register_commands(app)
    _init_background_work(app)
    return app


def _init_extensions(app: Flask) -> None:
    import core.idempotency  # model of the idempotency keys
    import core.ratelimit_store  # noqa: F401 - registers the sqlalchemy:// limits storage
    from blueprints.auth.sessions import load_user
    from core.errors import init_errors
    from core.i18n import init_i18n, select_locale
    from core.security import init_security
    from core.session import init_login

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(app.root_path, "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    compress.init_app(app)
    init_login(app, login_manager, load_user)
    init_security(app)
    init_i18n(app)
    init_errors(app)
    from core.urls import init_urls

    init_urls(app)
    from core.layout import init_layout

    init_layout(app)


# Every feature defines its blueprint in blueprints/<feature>/blueprint.py; its route modules add
# their views to it when imported. This is the list of them, in registration order
# (tests/test_structure.py checks it against the files).
ROUTE_MODULES: dict[str, tuple[str, ...]] = {
    "main": ("routes",),
    "auth": ("routes", "account_routes"),
    "members": ("routes",),
    "admin": ("routes",),
    "pwa": ("routes",),
    "roster": ("routes", "account_routes"),
    "cards": ("routes",),
    "handbook": ("attachment_routes", "editor_routes", "reading_routes"),
    "meetings": (
        "action_routes",
        "attendance_routes",
        "live_routes",
        "minutes_routes",
        "schedule_routes",
    ),
    "adoption": ("routes",),
    "mydata": ("routes",),
    "assistant": ("editor_routes", "queue_routes", "routes"),
}


def _register_blueprints(app: Flask) -> None:
    for feature, modules in ROUTE_MODULES.items():
        for module in modules:
            importlib.import_module(f"blueprints.{feature}.{module}")
        app.register_blueprint(importlib.import_module(f"blueprints.{feature}.blueprint").bp)


def _install_hooks(app: Flask) -> None:
    """The app-wide hooks features provide, all installed here (none hides in a feature's
    import): template context and globals, after-request headers, the fast-path WSGI layer."""
    from blueprints.adoption.refresh import refresh_after_score
    from blueprints.assistant.index import install as install_assistant_index
    from blueprints.assistant.routes import assistant_context
    from blueprints.handbook.blueprint import article_url
    from blueprints.handbook.reading_routes import unread_news_context
    from blueprints.meetings.blueprint import runs_console, upcoming_meeting
    from blueprints.meetings.fastpath import install as install_fast_path
    from blueprints.meetings.push import install as install_push
    from blueprints.meetings.services import on_score_stored
    from blueprints.pwa.routes import name_the_account, redirect_for_the_app_script
    from core.assets import asset_url

    # Templates link static files through `asset`, so a changed file gets a new URL.
    app.context_processor(lambda: {"asset": asset_url})
    app.context_processor(unread_news_context)
    app.context_processor(
        lambda: {"upcoming_meeting": upcoming_meeting, "runs_console": runs_console}
    )
    app.add_template_global(article_url, "article_url")
    app.context_processor(assistant_context)
    # Chapters and documents refresh the assistant's passages when published or changed.
    install_assistant_index()
    # A scored meeting (closed, minutes locked or reopened) rewrites its cell's monthly figures.
    on_score_stored(refresh_after_score)
    # Flask runs after-request hooks last registered first: these two before core's security
    # headers (installed with the extensions), the app-script redirect before the account name.
    app.after_request(name_the_account)
    app.after_request(redirect_for_the_app_script)
    # Live-meeting changes published to the push gateway when one is configured.
    install_push(app)
    # Outermost WSGI layer (outside ProxyFix): unchanged live-version polls never reach Flask.
    install_fast_path(app)


# Modules that declare background jobs (core.jobs) and housekeeping sweepers
# (core.housekeeping); the queue is bound once they are all imported.
BACKGROUND_MODULES = (
    "blueprints.adoption.refresh",
    "core.backup",
    "core.housekeeping",
    "blueprints.auth.housekeeping",
    "blueprints.audit.retention",
    "blueprints.meetings.housekeeping",
    "blueprints.roster.housekeeping",
    "blueprints.roster.issuing",
    "blueprints.roster.jobs",
)


def _init_background_work(app: Flask) -> None:
    from core.jobs import init_app as init_jobs

    for module in BACKGROUND_MODULES:
        importlib.import_module(module)
    init_jobs(app)


def _register_commands(app: Flask) -> None:
    from blueprints.adoption.commands import dashboard_cli
    from blueprints.assistant.commands import assistant_cli
    from blueprints.auth.commands import create_admin_command
    from blueprints.demo.commands import seed_demo_command
    from blueprints.handbook.commands import handbook_cli, news_cli
    from blueprints.roster.commands import members_cli, units_cli
    from core.cli import translate_cli
    from core.ops_cli import (
        backup_command,
        backup_key_command,
        housekeeping_command,
        jobs_cli,
        restore_command,
    )

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(translate_cli)
    app.cli.add_command(units_cli)
    app.cli.add_command(members_cli)
    app.cli.add_command(handbook_cli)
    app.cli.add_command(news_cli)
    for command in (jobs_cli, backup_command, backup_key_command, restore_command):
        app.cli.add_command(command)
    app.cli.add_command(housekeeping_command)
    app.cli.add_command(assistant_cli)
    app.cli.add_command(dashboard_cli)
