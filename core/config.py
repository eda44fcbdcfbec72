"""Configuration from the environment, with safe defaults for a single-machine install.

Operators set `DATABASE_URL`, `SECRET_KEY`, `PUBLIC_URL` and optionally `REDIS_URL`; the
rest has a default that works on a fresh clone. Secrets never live in the repository: without
`SECRET_KEY` a random key is generated once into the instance folder and reused.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from core.filemodes import private_dir, private_file, write_private
from core.uploads import DEFAULT_MAX_BYTES, DEFAULT_MAX_IMAGE_BYTES


def _instance_secret(instance_path: str) -> str:
    """Return the secret key stored in the instance folder, creating it on first use."""
    path = private_dir(instance_path) / "secret_key"
    if not path.exists():
        # Written atomically so two workers starting together end up with the same key.
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        write_private(tmp, secrets.token_urlsafe(48))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    private_file(path)  # a key written by an older version may still be 0644
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


# Werkzeug cannot match IPv6 literals in TRUSTED_HOSTS; use a name or an IPv4 address.
LOCAL_HOSTS = ("localhost", "127.0.0.1")


def public_url_settings() -> dict:
    """Absolute-URL settings from `PUBLIC_URL` and `TRUSTED_HOSTS` (the Host header is not trusted).

    `PUBLIC_URL` (e.g. https://sotay.quangngai.vn) is the address members use: login slips,
    QR codes and the Atom feed are built from it, whatever Host a request claims.
    `TRUSTED_HOSTS` (comma-separated; ".example.vn" also allows its subdomains) lists the host
    names requests may carry; any other Host is refused with a 400 page. Without either, the
    machine's own names (localhost, 127.0.0.1) are accepted, which is what `make run` and
    the tests use.
    """
    public = os.environ.get("PUBLIC_URL", "").strip().rstrip("/")
    settings: dict = {"PUBLIC_URL": public or None}
    hosts = [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()]
    if public:
        parts = urlsplit(public)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("PUBLIC_URL must look like https://sotay.example.vn")
        settings["SERVER_NAME"] = parts.netloc
        settings["PREFERRED_URL_SCHEME"] = parts.scheme
        settings["APPLICATION_ROOT"] = parts.path or "/"
        hosts.append(parts.hostname)
    settings["TRUSTED_HOSTS"] = list(dict.fromkeys([*hosts, *LOCAL_HOSTS]))
    return settings


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
        # Push gateway (nginx + nchan) for live meetings; unset: phones poll (see push.py).
        # NCHAN_PUBLISH_URL: where the app POSTs a meeting's change (…/<meeting id> appended);
        # NCHAN_SUBSCRIBE_URL: the path the phone's EventSource opens (…/<meeting id>).
        "NCHAN_PUBLISH_URL": os.environ.get("NCHAN_PUBLISH_URL", "").strip() or None,
        "NCHAN_SUBSCRIBE_URL": os.environ.get("NCHAN_SUBSCRIBE_URL", "").strip() or None,
        "NCHAN_PUBLISH_TIMEOUT": float(os.environ.get("NCHAN_PUBLISH_TIMEOUT", "0.5")),
        # Cookies: HttpOnly and SameSite always; Secure is decided per request (see security.py).
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "sotay_session",
        "REMEMBER_COOKIE_NAME": "sotay_remember",
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": timedelta(days=30),
        # Absolute lifetime of a login without "remember me" (with it: PERMANENT_SESSION_LIFETIME).
        "SESSION_ABSOLUTE_LIFETIME": timedelta(
            hours=int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12"))
        ),
        # A login unused this long ends (OWASP ASVS 5 V7); "remember me" logins wait longer.
        "SESSION_IDLE_TIMEOUT": timedelta(
            minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "60"))
        ),
        "SESSION_REMEMBER_IDLE_TIMEOUT": timedelta(
            days=int(os.environ.get("SESSION_REMEMBER_IDLE_DAYS", "7"))
        ),
        # An unused login slip (initial password) stops working after this many days (0: never).
        "INITIAL_PASSWORD_VALID_DAYS": int(os.environ.get("INITIAL_PASSWORD_VALID_DAYS", "30")),
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "BABEL_TRANSLATION_DIRECTORIES": str(
            Path(__file__).resolve().parent.parent / "translations"
        ),
        "LANGUAGES": ("vi", "en"),
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        # Largest accepted upload (core/uploads.py): images, and every other allowed file.
        "UPLOAD_MAX_BYTES": int(os.environ.get("UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)),
        "UPLOAD_MAX_IMAGE_BYTES": int(
            os.environ.get("UPLOAD_MAX_IMAGE_BYTES", DEFAULT_MAX_IMAGE_BYTES)
        ),
        "WTF_CSRF_TIME_LIMIT": None,  # tokens live as long as the session; the session expires.
        "RATELIMIT_STORAGE_URI": redis_url or "sqlalchemy://",
        "RATELIMIT_STRATEGY": "fixed-window",
        "RATELIMIT_HEADERS_ENABLED": False,
        "LOGIN_LIMIT_PER_ACCOUNT": os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes"),
        "LOGIN_LIMIT_PER_IP": os.environ.get("LOGIN_LIMIT_PER_IP", "30 per 15 minutes"),
        # OWASP Password Storage Cheat Sheet: scrypt N=2^15, r=8, p=3 (one of its equivalent
        # settings, 32 MiB per hash; werkzeug's bare "scrypt" is p=1, below it). Tests lower it.
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD", "scrypt:32768:8:3"),
        # Number of reverse proxies in front of the app whose X-Forwarded-* headers we trust.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
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
        **public_url_settings(),
    }
