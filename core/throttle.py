"""Login throttling: counters that are incremented first and checked after, atomically.

Flask-Limiter's `deduct_when` checks the allowance, runs the view, then deducts: N parallel
wrong passwords all pass the check before any is counted. Here every attempt first adds one to
its counter in a single atomic statement (the `limits` storage: an upsert in the database, or
INCRBY in Redis) and the count that statement returns decides, so the limit holds under any
concurrency, on every worker and host. A successful login gives its attempt back.

The account counter is keyed on the resolved account (or, for an unknown identifier, on its
normalised form), so `52.000.481` and `52-000-481` share one allowance. Reaching the limit is
a soft, time-limited lock: it ends by itself when the window ends, and staff can end it at
once by unlocking the account (blueprints/auth/services.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import current_app
from limits import parse

from core.extensions import limiter
from core.text import fold, normalise_card_number, normalise_phone


@dataclass(frozen=True)
class Hit:
    """The outcome of one counted attempt."""

    count: int
    limit: int
    key: str

    @property
    def blocked(self) -> bool:
        """True when this attempt is over the allowance (it must not be tried)."""
        return self.count > self.limit

    @property
    def remaining(self) -> int:
        """Attempts left after this one."""
        return max(self.limit - self.count, 0)

    def seconds_left(self) -> int:
        """Seconds until the window ends and the counter starts again."""
        return max(int(limiter.storage.get_expiry(self.key) - time.time()), 0)


def account_key(user, identifier: str) -> str:
    """Counter key of the account being tried: its id, or the normalised identifier."""
    if user is not None:
        return f"login/user/{user.id}"
    ident = fold(identifier)[:64]
    normal = normalise_phone(ident) or normalise_card_number(ident) or ident
    return f"login/ident/{normal}"


def ip_key(address: str | None) -> str:
    """Counter key of the client address (behind TRUSTED_PROXIES, the forwarded one)."""
    return f"login/ip/{address or '-'}"


def hit(key: str, config_name: str) -> Hit:
    """Count one attempt under the limit named by `config_name` ("5 per 15 minutes")."""
    item = parse(current_app.config[config_name])
    count = limiter.storage.incr(key, item.get_expiry())
    return Hit(count=count, limit=item.amount, key=key)


def give_back(key: str, config_name: str) -> None:
    """Return one attempt (a successful login from a shared address costs nothing)."""
    item = parse(current_app.config[config_name])
    limiter.storage.incr(key, item.get_expiry(), amount=-1)


def clear(key: str) -> None:
    """Forget a counter: after a successful login, or when staff unlock the account."""
    limiter.storage.clear(key)


def lock_seconds_left(user) -> int:
    """Seconds the account stays soft-locked by wrong passwords (0 when it is not)."""
    key = account_key(user, "")
    item = parse(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"])
    if limiter.storage.get(key) < item.amount:
        return 0
    return max(int(limiter.storage.get_expiry(key) - time.time()), 1)
