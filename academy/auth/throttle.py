"""How many account e-mails one address may receive: registration links and "you already have an account".

Without it, anyone could make the site send a stranger's inbox a message per request. The count
is kept per recipient (a hash of the address) in the rate limiter's storage (RATELIMIT_STORAGE_URI),
so with Redis it holds across workers; it applies even where request rate limits are switched off.
The visitor's answer does not change when a message is held back.
"""

from __future__ import annotations

import hashlib
import logging

from flask import current_app
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

log = logging.getLogger(__name__)
_EXTENSION = "academy_account_mail_throttle"


def _strategy() -> FixedWindowRateLimiter:
    cached = current_app.extensions.get(_EXTENSION)
    if cached is None:
        storage = storage_from_string(current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
        cached = current_app.extensions[_EXTENSION] = FixedWindowRateLimiter(storage)
    return cached


def allow_mail_to(address: str) -> bool:
    """Count one account e-mail to `address`; False when it has had its share (REGISTRATION_MAIL_LIMIT)."""
    setting = current_app.config.get("REGISTRATION_MAIL_LIMIT", "")
    if not setting:
        return True
    key = hashlib.sha256(address.strip().lower().encode()).hexdigest()
    try:
        items = parse_many(setting)
        prefix = f"{current_app.config.get('RATELIMIT_KEY_PREFIX') or 'academy'}:account-mail"
        strategy = _strategy()
        if not all(strategy.test(item, prefix, key) for item in items):
            return False
        for item in items:
            strategy.hit(item, prefix, key)
    except Exception:  # a storage outage must not stop registration
        log.warning("account e-mail throttle unavailable", exc_info=True)
    return True
