"""Configuration classes; values are read from the environment when a class is instantiated."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    return int(value) if value is not None else default


class Config:
    """Settings shared by every environment; see the README table for each variable."""

    ENV_NAME = "base"

    def __init__(self) -> None:
        self.INSTANCE_PATH = Path(_env("ACADEMY_INSTANCE_PATH", str(ROOT / "instance")))
        self.SECRET_KEY = _env("SECRET_KEY") or self._fallback_secret()
        self.SQLALCHEMY_DATABASE_URI = self._database_url(
            _env("DATABASE_URL", f"sqlite:///{self.INSTANCE_PATH / 'academy.sqlite'}")
        )
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.REDIS_URL = _env("REDIS_URL")
        self.JOBS_INLINE = self.REDIS_URL is None
        self.BASE_URL = _env("ACADEMY_BASE_URL", "http://127.0.0.1:5000")
        self.MAIL_SERVER = _env("MAIL_SERVER")
        self.MAIL_PORT = _env_int("MAIL_PORT", 587)
        self.MAIL_USERNAME = _env("MAIL_USERNAME")
        self.MAIL_PASSWORD = _env("MAIL_PASSWORD")
        self.MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", True)
        self.MAIL_SENDER = _env("MAIL_SENDER", "Academy <no-reply@academy.local>")
        self.MAIL_DIR = Path(_env("MAIL_DIR", str(self.INSTANCE_PATH / "mail")))
        self.MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 16 * 1024 * 1024)
        self.COMMUNITY_STORAGE_DIR = _env("COMMUNITY_STORAGE_DIR")  # unset: <instance>/uploads
        self.COMMUNITY_UPLOAD_MAX_BYTES = _env_int("COMMUNITY_UPLOAD_MAX_MB", 20) * 1024 * 1024
        # Lesson images and files share the uploads folder (academy/core/files.py).
        self.COURSE_UPLOAD_MAX_BYTES = _env_int("COURSE_UPLOAD_MAX_MB", 10) * 1024 * 1024
        self.PASSWORD_RESET_MAX_AGE = _env_int("PASSWORD_RESET_MAX_AGE", 3600)
        self.REGISTRATION_MAX_AGE = _env_int("REGISTRATION_MAX_AGE", 48 * 3600)
        self.REMEMBER_COOKIE_DURATION_DAYS = _env_int("REMEMBER_COOKIE_DAYS", 30)
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        # Strict-Transport-Security: sent on HTTPS requests, and on every response when HSTS_ALWAYS.
        self.HSTS = _env("HSTS", "max-age=31536000; includeSubDomains")
        self.HSTS_ALWAYS = False
        # Reverse proxies in front of the app whose X-Forwarded-* headers are trusted (0: none).
        self.PROXY_HOPS = _env_int("ACADEMY_PROXY_HOPS", 0)
        self.WTF_CSRF_ENABLED = True
        self.WTF_CSRF_TIME_LIMIT = None
        self.RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
        self.RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", self.REDIS_URL or "memory://")
        self.RATELIMIT_HEADERS_ENABLED = True
        # Redis away: keep answering, with limits counted in this process until it is back.
        self.RATELIMIT_SWALLOW_ERRORS = True
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_KEY_PREFIX = _env("RATELIMIT_KEY_PREFIX", "academy")
        # Registration links and "you already have an account" e-mails per recipient address.
        self.REGISTRATION_MAIL_LIMIT = _env("REGISTRATION_MAIL_LIMIT", "3 per hour;6 per day")
        self.API_RATELIMIT_PER_TOKEN = _env("API_RATELIMIT_PER_TOKEN", "120 per minute;3000 per hour")
        self.API_RATELIMIT_PER_IP = _env("API_RATELIMIT_PER_IP", "300 per minute")
        self.BABEL_DEFAULT_LOCALE = "en"
        self.LANGUAGES = ["en"]
        self.ARGON2_TIME_COST = _env_int("ARGON2_TIME_COST", 1)
        self.ARGON2_MEMORY_KIB = _env_int("ARGON2_MEMORY_KIB", 47104)
        self.ARGON2_PARALLELISM = _env_int("ARGON2_PARALLELISM", 1)
        # Anonymous public pages cached per data version (academy/core/public_cache.py, docs/performance.md):
        # seconds an entry lives at most (0: off; views name earlier moments such as an expiry), proxy
        # max-age, and the per-process budget in bytes.
        self.PUBLIC_CACHE_SECONDS = _env_int("PUBLIC_CACHE_SECONDS", 600)
        self.PUBLIC_CACHE_MAX_AGE = _env_int("PUBLIC_CACHE_MAX_AGE", 30)
        self.PUBLIC_CACHE_BYTES = _env_int("PUBLIC_CACHE_MB", 64) * 1024 * 1024
        # Certificate verification answers rendered ahead after every change (academy/certificates/answers.py).
        self.VERIFY_ANSWERS = _env_bool("VERIFY_ANSWERS", True)
        # Signed-in pages kept per process and login session until what they show changes
        # (academy/core/private_cache.py): seconds an entry lives at most (0: off), budget in bytes.
        self.PRIVATE_CACHE_SECONDS = _env_int("PRIVATE_CACHE_SECONDS", 60)
        self.PRIVATE_CACHE_BYTES = _env_int("PRIVATE_CACHE_MB", 64) * 1024 * 1024
        self.PRIVATE_CACHE_SHARED = _env_bool("PRIVATE_CACHE_SHARED", True)
        # Signed-in users kept per process between requests until a logout or account change (auth version).
        self.LOGIN_CACHE = _env_bool("LOGIN_CACHE", True)
        self.LOG_LEVEL = _env("LOG_LEVEL", "INFO")
        self.LOG_FORMAT = _env("LOG_FORMAT", "text")  # "json": one JSON object per line
        # /metrics answers loopback and these networks (comma-separated CIDRs), or a bearer METRICS_TOKEN.
        self.METRICS_ALLOW_NETWORKS = [n for n in (_env("METRICS_ALLOW_NETWORKS") or "").split(",") if n.strip()]
        self.METRICS_TOKEN = _env("METRICS_TOKEN")
        self.MAIL_TIMEOUT = _env_int("MAIL_TIMEOUT", 30)
        self.JOB_TIMEOUT = _env_int("JOB_TIMEOUT", 300)
        self.JOB_RETRY_INTERVALS = [int(s) for s in (_env("JOB_RETRY_INTERVALS", "10,60,300") or "").split(",") if s]
        # Longer than a job may run (JOB_TIMEOUT, 300 s: RQ kills it then), so a live send is never taken over.
        self.NOTIFICATIONS_STUCK_AFTER = _env_int("NOTIFICATIONS_STUCK_AFTER", 330)
        self.NOTIFICATIONS_DIGEST_HOUR = _env_int("NOTIFICATIONS_DIGEST_HOUR", 7)
        self.NOTIFICATIONS_DIGEST_WEEKDAY = _env_int("NOTIFICATIONS_DIGEST_WEEKDAY", 0)
        # Certificates. Unset paths fall back to folders under the instance path at run time.
        self.CERTIFICATE_ISSUER = _env("CERTIFICATE_ISSUER", "Interreg Academy")
        # The signatory line of certificate PDFs: a person's name and their role (empty role: "For <issuer>").
        self.CERTIFICATE_SIGNATORY_NAME = _env("CERTIFICATE_SIGNATORY_NAME", "")
        self.CERTIFICATE_SIGNATORY_ROLE = _env("CERTIFICATE_SIGNATORY_ROLE", "")
        self.CERTIFICATE_STORAGE_DIR = _env("CERTIFICATE_STORAGE_DIR")
        self.CERTIFICATE_KEYS_DIR = _env("CERTIFICATE_KEYS_DIR")
        self.CERTIFICATE_SIGNING_KEY = _env("CERTIFICATE_SIGNING_KEY")
        self.CERTIFICATE_SIGNING_KEY_PASSWORD = _env("CERTIFICATE_SIGNING_KEY_PASSWORD")
        self.CERTIFICATE_SIGNING_CERT = _env("CERTIFICATE_SIGNING_CERT")
        self.CERTIFICATE_SIGNING_CHAIN = _env("CERTIFICATE_SIGNING_CHAIN")
        self.CERTIFICATE_TRUST_ROOTS = _env("CERTIFICATE_TRUST_ROOTS")
        self.CERTIFICATE_KEY_ID = _env("CERTIFICATE_KEY_ID")
        self.CREDENTIAL_KEYS_DIR = _env("CREDENTIAL_KEYS_DIR")  # unset: <instance>/credential-keys
        self.CERTIFICATE_VERIFY_RATE_LIMIT = _env("CERTIFICATE_VERIFY_RATE_LIMIT", "30 per minute;300 per hour")
        self.CERTIFICATE_UPLOAD_RATE_LIMIT = _env("CERTIFICATE_UPLOAD_RATE_LIMIT", "10 per minute;60 per hour")
        self.CERTIFICATE_UPLOAD_MAX_BYTES = _env_int("CERTIFICATE_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
        # The seal of an uploaded PDF is checked in a child process with these hard limits (sandbox.py).
        self.CERTIFICATE_CHECK_CPU_SECONDS = _env_int("CERTIFICATE_CHECK_CPU_SECONDS", 5)
        self.CERTIFICATE_CHECK_MEMORY_MB = _env_int("CERTIFICATE_CHECK_MEMORY_MB", 384)
        self.CERTIFICATE_CHECK_WALL_SECONDS = _env_int("CERTIFICATE_CHECK_WALL_SECONDS", 7)
        self.CERTIFICATE_CHECK_CONCURRENCY = _env_int("CERTIFICATE_CHECK_CONCURRENCY", 2)

    def _fallback_secret(self) -> str:
        """A per-instance random key kept under instance/ so sessions survive restarts."""
        path = self.INSTANCE_PATH / "secret_key"
        try:
            return path.read_text().strip()
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            key = secrets.token_hex(32)
            path.write_text(key)
            path.chmod(0o600)
            return key

    @staticmethod
    def _database_url(url: str) -> str:
        # Heroku-style URLs name the driver "postgres"; we run on psycopg 3.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url


class DevelopmentConfig(Config):
    """Local development: SQLite under instance/, jobs in-process, mail to instance/mail/."""

    ENV_NAME = "development"

    def __init__(self) -> None:
        super().__init__()
        self.DEBUG = _env_bool("FLASK_DEBUG", False)


class TestingConfig(Config):
    """Test runs: cheap password hashing, no rate limits unless a test turns them on."""

    ENV_NAME = "testing"

    def __init__(self) -> None:
        super().__init__()
        self.TESTING = True
        self.SECRET_KEY = "testing-secret-key"
        self.SQLALCHEMY_DATABASE_URI = self._database_url(_env("ACADEMY_TEST_DATABASE_URL", "sqlite://"))
        self.REDIS_URL = None
        self.JOBS_INLINE = True
        self.RATELIMIT_ENABLED = False
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.BASE_URL = "http://localhost"
        # Off unless a test turns it on (tests/core/test_public_cache.py): most tests change rows
        # without committing, which the cache (rightly) does not see.
        # ACADEMY_TEST_CACHES=1 runs a suite with both on, as in production.
        self.PUBLIC_CACHE_SECONDS = 600 if _env_bool("ACADEMY_TEST_CACHES", False) else 0
        self.VERIFY_ANSWERS = _env_bool("ACADEMY_TEST_CACHES", False)
        self.PRIVATE_CACHE_SECONDS = 60 if _env_bool("ACADEMY_TEST_CACHES", False) else 0
        # Likewise for signed-in users kept per process (academy/auth/session_cache.py).
        self.LOGIN_CACHE = _env_bool("ACADEMY_TEST_CACHES", False)


class ProductionConfig(Config):
    """Production: secrets required, secure cookies."""

    ENV_NAME = "production"

    def __init__(self) -> None:
        super().__init__()
        if not _env("SECRET_KEY"):
            raise RuntimeError("SECRET_KEY must be set in production")
        self.SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.PREFERRED_URL_SCHEME = "https"
        # The served site is HTTPS-only: browsers ignore HSTS on plain HTTP, so it is sent always
        # (behind a TLS-terminating proxy the app itself sees HTTP unless ACADEMY_PROXY_HOPS is set).
        self.HSTS_ALWAYS = True
        if self.SESSION_COOKIE_SECURE:
            # __Host-: the browser accepts the cookie only if Secure, Path=/ and without Domain, so
            # no sibling subdomain can set or shadow it. The CSRF token lives in the session cookie.
            self.SESSION_COOKIE_NAME = "__Host-session"
            self.REMEMBER_COOKIE_NAME = "__Host-remember_token"


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load(name: str | None = None) -> Config:
    """Instantiate the configuration named by `name` or ACADEMY_ENV (default development)."""
    name = name or _env("ACADEMY_ENV", "development")
    try:
        return CONFIGS[name]()
    except KeyError:
        raise RuntimeError(f"Unknown ACADEMY_ENV {name!r}; use one of {sorted(CONFIGS)}") from None
