"""Flask extensions, created once here and bound to the app in `create_app` with `init_app`."""

import sqlite3

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

from core.filemodes import private_sqlite
from core.models import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
compress = Compress()
babel = Babel()
# No default limits: throttling is declared on the routes that need it (login, password reset).
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@event.listens_for(Engine, "connect")
def _sqlite_file_pragmas(dbapi_connection, _record) -> None:
    """File SQLite under several gunicorn workers: write-ahead log and a busy timeout.

    With WAL, readers (the many live-meeting polls) never wait for a writer's commit and a
    writer never waits for readers; `busy_timeout` makes concurrent writers queue for up to
    5 s instead of failing with "database is locked"; `synchronous=NORMAL` is the setting
    SQLite recommends with WAL (durable across application crashes; only an OS crash or power
    cut can lose the last commits). In-memory databases and other engines (PostgreSQL) are
    left alone.
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    try:
        files = [row[2] for row in cursor.execute("PRAGMA database_list") if row[1] == "main"]
        if not files or not files[0]:
            return  # in-memory or temporary database
        private_sqlite(files[0])  # 0600, before any WAL/SHM file exists (they copy its mode)
        cursor.execute("PRAGMA busy_timeout = 5000")
        mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            try:
                cursor.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError:
                pass  # another worker is switching it at this moment: it will be WAL
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()
