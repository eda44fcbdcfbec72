"""Configuration from the environment, with safe defaults for a single-machine install.

Operators set `DATABASE_URL`, `SECRET_KEY` and optionally `REDIS_URL`; everything else has a
default that works on a fresh clone. Secrets never live in the repository: without
`SECRET_KEY` a random key is generated once into the instance folder and reused.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _instance_secret(instance_path: str) -> str:
    """Return the secret key stored in the instance folder, creating it on first use."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written atomically so two workers starting together end up with the same key.
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(secrets.token_urlsafe(48))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return path.read_text().strip()


def database_uri(instance_path: str) -> str:
    """Translate `DATABASE_URL` into an SQLAlchemy URI (psycopg 3 for PostgreSQL)."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "sotay.sqlite3")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_config(instance_path: str) -> dict:
    """Build the configuration mapping for `create_app`."""
    redis_url = os.environ.get("REDIS_URL", "").strip() or None
    uri = database_uri(instance_path)
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _instance_secret(instance_path),
        "SQLALCHEMY_DATABASE_URI": uri,
        # A ping before each checkout guards against dropped server connections; a SQLite
        # file has none to drop, and the ping would add a query to every live-meeting poll.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": not uri.startswith("sqlite")},
        "REDIS_URL": redis_url,
        # Cookies: HttpOnly and SameSite always; Secure is decided per request (see security.py).
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "sotay_session",
        "REMEMBER_COOKIE_NAME": "sotay_remember",
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": timedelta(days=30),
        # How long a login without "remember me" stays valid on the server.
        "SESSION_IDLE_LIFETIME": timedelta(hours=12),
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "BABEL_TRANSLATION_DIRECTORIES": str(
            Path(__file__).resolve().parent.parent / "translations"
        ),
        "LANGUAGES": ("vi", "en"),
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        # Largest accepted upload (core/uploads.py): images, and every other allowed file.
        "UPLOAD_MAX_BYTES": int(os.environ.get("UPLOAD_MAX_BYTES", 15 * 1024 * 1024)),
        "UPLOAD_MAX_IMAGE_BYTES": int(os.environ.get("UPLOAD_MAX_IMAGE_BYTES", 5 * 1024 * 1024)),
        "WTF_CSRF_TIME_LIMIT": None,  # tokens live as long as the session; the session expires.
        "RATELIMIT_STORAGE_URI": redis_url or "sqlalchemy://",
        "RATELIMIT_STRATEGY": "fixed-window",
        "RATELIMIT_HEADERS_ENABLED": False,
        "LOGIN_LIMIT_PER_ACCOUNT": os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes"),
        "LOGIN_LIMIT_PER_IP": os.environ.get("LOGIN_LIMIT_PER_IP", "30 per 15 minutes"),
        # scrypt is the werkzeug default; tests lower the cost to stay fast.
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD", "scrypt"),
        # Number of reverse proxies in front of the app whose X-Forwarded-* headers we trust.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        "HTMX_VERSION": "2.0.11",
        "HTMX_CDN_URL": "https://cdn.jsdelivr.net/npm/htmx.org@2.0.11/dist/htmx.min.js",
        "HTMX_SRI": "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg",
        "USE_HTMX_CDN": os.environ.get("USE_HTMX_CDN", "1") == "1",
        # Compress scripts, styles and the manifest (brotli or gzip). HTML stays uncompressed:
        # pages carry the CSRF token next to reflected input, the BREACH attack's recipe.
        "COMPRESS_MIMETYPES": [
            "text/css",
            "text/javascript",
            "application/javascript",
            "application/json",
            "application/manifest+json",
            "image/svg+xml",
        ],
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_MIN_SIZE": 512,
        # Static URLs carry a content hash (core/assets.py), so they may be cached for a year.
        "SEND_FILE_MAX_AGE_DEFAULT": 365 * 24 * 3600,
    }
