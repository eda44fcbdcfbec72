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


# The meeting quality scale of handbook chapter 13 (blueprints/meetings/services/quality.py):
# points per criterion, adding up to 100. A province with its own published scale sets
# MEETING_QUALITY_WEIGHTS="attendance=25,duration=20,speakers=25,documents=15,minutes=15".
DEFAULT_MEETING_QUALITY_WEIGHTS = {
    "attendance": 30,
    "duration": 20,
    "speakers": 20,
    "documents": 15,
    "minutes": 15,
}


QUALITY_CRITERIA = tuple(DEFAULT_MEETING_QUALITY_WEIGHTS)


def check_quality_weights(weights: dict[str, int], full_for_top: tuple[str, ...] = ()) -> None:
    """Refuse a quality scale the score cannot use: raised when the app starts, not on a
    request. The criteria are those of DEFAULT_MEETING_QUALITY_WEIGHTS; weights add up to 100."""
    if set(weights) != set(QUALITY_CRITERIA):
        raise ValueError(
            "MEETING_QUALITY_WEIGHTS must give exactly: " + ", ".join(QUALITY_CRITERIA)
        )
    if any(not isinstance(v, int) or v < 0 for v in weights.values()):
        raise ValueError("MEETING_QUALITY_WEIGHTS: each weight is a whole number ≥ 0")
    if sum(weights.values()) != 100:
        raise ValueError(f"MEETING_QUALITY_WEIGHTS must add up to 100, not {sum(weights.values())}")
    unknown = set(full_for_top) - set(QUALITY_CRITERIA)
    if unknown:
        raise ValueError("MEETING_QUALITY_FULL_FOR_TOP: unknown " + ", ".join(sorted(unknown)))


def _pairs(raw: str, name: str) -> dict[str, int]:
    """Parse "key=number,key=number" (the meetings feature checks the keys at start-up)."""
    out: dict[str, int] = {}
    for part in raw.split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not value.strip().isdigit():
            raise ValueError(f"{name}: expected key=number pairs, got {part!r}")
        out[key.strip()] = int(value)
    return out


def meeting_settings() -> dict:
    """Defaults of a new regular meeting and the quality scale, from the environment.

    `MEETING_COMMON_DAY` (1–28, 0 for none) is the day of the month a new regular meeting is
    proposed on: the common meeting day the upper committees set (3 by default, as reports of
    Hướng dẫn 42-HD/BTCTW say; handbook chapter 1 explains why it is a setting).
    `MEETING_DEFAULT_TIME` (HH:MM) is the proposed starting time.
    """
    day = int(os.environ.get("MEETING_COMMON_DAY", "3"))
    if not 0 <= day <= 28:
        raise ValueError("MEETING_COMMON_DAY must be 0 (none) or a day from 1 to 28")
    start = os.environ.get("MEETING_DEFAULT_TIME", "08:00").strip()
    hour, sep, minute = start.partition(":")
    if not (sep and hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
        raise ValueError("MEETING_DEFAULT_TIME must look like 08:00")
    weights = os.environ.get("MEETING_QUALITY_WEIGHTS", "").strip()
    full = os.environ.get("MEETING_QUALITY_FULL_FOR_TOP", "")
    return {
        "MEETING_COMMON_DAY": day,
        "MEETING_DEFAULT_TIME": (int(hour), int(minute)),
        "MEETING_QUALITY_WEIGHTS": (
            _pairs(weights, "MEETING_QUALITY_WEIGHTS")
            if weights
            else dict(DEFAULT_MEETING_QUALITY_WEIGHTS)
        ),
        "MEETING_QUALITY_FULL_FOR_TOP": tuple(p.strip() for p in full.split(",") if p.strip()),
    }


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
        # Background jobs (core/jobs.py): Huey's SQLite queue here unless REDIS_URL is set.
        "JOBS_DB": os.environ.get("JOBS_DB") or None,
        "JOBS_INLINE": os.environ.get("JOBS_INLINE", "0") == "1",
        # A job that has not reported for this long is taken as interrupted and resumed.
        "JOBS_STALE_SECONDS": int(os.environ.get("JOBS_STALE_SECONDS", "120")),
        # Backups (core/backup.py): folder, optional encryption key (32 bytes, base64url, as
        # `flask backup-key` prints), and how many daily / weekly / monthly files to keep.
        "BACKUP_DIR": os.environ.get("BACKUP_DIR") or str(Path(instance_path) / "backups"),
        "BACKUP_KEY": os.environ.get("BACKUP_KEY") or None,
        "BACKUP_KEEP": tuple(
            int(n) for n in os.environ.get("BACKUP_KEEP", "7,4,12").split(",") if n.strip()
        ),
        # Housekeeping (core/housekeeping.py): how long used idempotency keys and ended logins
        # are kept; the audit log is kept for ever unless AUDIT_RETENTION_DAYS is set.
        "IDEMPOTENCY_KEEP_DAYS": int(os.environ.get("IDEMPOTENCY_KEEP_DAYS", "30")),
        "SESSIONS_KEEP_DAYS": int(os.environ.get("SESSIONS_KEEP_DAYS", "90")),
        "AUDIT_RETENTION_DAYS": int(os.environ["AUDIT_RETENTION_DAYS"])
        if os.environ.get("AUDIT_RETENTION_DAYS")
        else None,
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
        # After a new Party card is approved, the old card number still logs the member in
        # for this many days (they are told the new number when they do).
        "OLD_CARD_LOGIN_DAYS": int(os.environ.get("OLD_CARD_LOGIN_DAYS", "90")),
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
        **meeting_settings(),
    }
