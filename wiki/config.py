"""Settings: defaults for development, overridden by CAMPWIKI_* environment variables."""

from datetime import timedelta
from pathlib import Path

DEFAULT_SECRET_KEY = "dev-only-not-secret"


class ConfigError(RuntimeError):
    """The settings are unsafe or inconsistent; the app refuses to start."""


def defaults(instance_path: str) -> dict:
    """Return the development defaults; every key can be set as CAMPWIKI_<KEY>."""
    return {
        "ENV": "development",
        "SECRET_KEY": DEFAULT_SECRET_KEY,
        "DATABASE_URL": f"sqlite:///{Path(instance_path) / 'campwiki.sqlite3'}",
        "SITE_NAME": "campwiki",
        # Where people reach the site; used for links made outside a request (CLI, mail).
        "BASE_URL": "",
        # Served over HTTPS: Secure cookies with the __Host- prefix.
        "HTTPS": False,
        # Number of reverse proxies in front (X-Forwarded-*), 0 = trust none.
        "PROXIES": 0,
        "INVITE_CODE": "",
        "ARGON2_PROFILE": "owasp",
        "MAIL_SERVER": "",
        "MAIL_PORT": 25,
        "MAIL_USERNAME": "",
        "MAIL_PASSWORD": "",
        "MAIL_USE_TLS": False,
        "MAIL_SENDER": "campwiki <noreply@localhost>",
        "PASSWORD_RESET_HOURS": 2,
        # Where login and other limits keep their counters: the app's own database, shared
        # by every worker and host (wiki.ratelimit), or redis://host:6379 for a large site.
        # memory:// counts per process, so production refuses it.
        "RATELIMIT_STORAGE_URI": "database://",
        "LOGIN_RATE_LIMIT": "10 per minute",
        "REGISTER_RATE_LIMIT": "20 per hour",
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "ATTACHMENT_MAX_BYTES": 5 * 1024 * 1024,
        # What one person (not a facilitator) may upload in 24 hours, versions included.
        "ATTACHMENT_DAILY_BYTES": 50 * 1024 * 1024,
        "LIVE_HEARTBEAT_SECONDS": 15,
        "LIVE_POLL_SECONDS": 0.15,
        # PostgreSQL: messages that arrive this close together reach streams in one write.
        "LIVE_BATCH_SECONDS": 0.05,
        # Reads of the event log a stream may fall behind before it is closed.
        "LIVE_QUEUE_SIZE": 256,
        # A browser that missed more than this on reconnecting reloads its live parts.
        "LIVE_REPLAY_LIMIT": 1000,
        # A session cookie lasts while the browser is open; "remember me" keeps a person
        # logged in for a month, which is what people expect of a community site.
        "PERMANENT_SESSION_LIFETIME": timedelta(days=14),
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # A CSRF token lives as long as the session: an editor left open for an afternoon
        # must still save.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": True,
        # Overrides of the scheduler's objective weights, e.g. {"clash": 2.0}; the defaults
        # are FORMAT.md's (wiki.schedule.solver.Weights). The late-pitch floor: a pitch that
        # could collect dots only late counts at most 1 / share times its dots.
        "SCHEDULE_WEIGHTS": {},
        "SCHEDULE_LATE_MIN_SHARE": 0.5,
        # Seconds a "Plan the grid" solve may search.
        "SCHEDULE_TIME_LIMIT": 10.0,
        # How a solve runs: "process" (python -m wiki.schedule, never in the web
        # worker) or "inline" (a thread of the web process: tests only).
        "SCHEDULE_RUNNER": "process",
        # A running solve that wrote no heartbeat for this many seconds has died.
        "SCHEDULE_STALE_SECONDS": 20.0,
    }


def finalise(config: dict) -> None:
    """Derive dependent settings and refuse unsafe production settings."""
    if config["ENV"] == "production" and config["SECRET_KEY"] == DEFAULT_SECRET_KEY:
        raise ConfigError(
            "Refusing to start in production with the default secret key: "
            "set CAMPWIKI_SECRET_KEY to a long random value."
        )
    if config["ENV"] == "production" and str(config["RATELIMIT_STORAGE_URI"]).startswith(
        "memory://"
    ):
        raise ConfigError(
            "Refusing to start in production with the in-memory rate-limit store: each worker "
            "would count logins alone. Set CAMPWIKI_RATELIMIT_STORAGE_URI to database:// "
            "(the default, the app's own database) or redis://host:6379."
        )
    if config["HTTPS"]:
        config["PREFERRED_URL_SCHEME"] = "https"
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
        # __Host- cookies must be Secure, host-only and Path=/: the browser then refuses
        # any attempt by a sibling subdomain to set or shadow them.
        config["SESSION_COOKIE_NAME"] = "__Host-campwiki"
        config["REMEMBER_COOKIE_NAME"] = "__Host-campwiki-remember"
        config["SESSION_COOKIE_PATH"] = "/"
        config["REMEMBER_COOKIE_PATH"] = "/"
        config["SESSION_COOKIE_DOMAIN"] = None
        config["REMEMBER_COOKIE_DOMAIN"] = None
    else:
        config["SESSION_COOKIE_NAME"] = "campwiki"
        config["REMEMBER_COOKIE_NAME"] = "campwiki-remember"
