"""Settings: embedded defaults for one machine, overridden by the environment for the stack."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


class ConfigError(RuntimeError):
    """A setting is missing or wrong; raised at start-up so the app never runs half-configured."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _dev_secret_key(instance_path: Path) -> str:
    # Generated once and kept, so sessions survive a restart of `make run`.
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _normalise_db_url(url: str) -> str:
    # Heroku-style URLs and bare postgresql:// both mean psycopg 3 here.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


# The countries the taxonomy has regional entries for (matching/data: the `region` columns).
COUNTRIES = ("US", "GB")


def _country(value: str | None) -> str:
    country = (value or "US").strip().upper()
    if country not in COUNTRIES:
        raise ConfigError(f"COUNTRY must be one of {', '.join(COUNTRIES)}, not {value!r}.")
    return country


def build_config(instance_path: Path, env: dict[str, str] | None = None) -> dict[str, object]:
    """Return the settings for this process, reading the environment."""
    env = dict(os.environ if env is None else env)
    production = env.get("CLINICMATCH_ENV", "development").lower() == "production"

    secret_key = env.get("SECRET_KEY")
    if not secret_key:
        if production:
            raise ConfigError(
                "SECRET_KEY is not set. In production set SECRET_KEY to a long random value "
                "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        secret_key = _dev_secret_key(instance_path)

    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'clinicmatch.sqlite'}"
    redis_url = env.get("REDIS_URL") or None
    broker_url = (
        env.get("CELERY_BROKER_URL")
        or redis_url
        or (f"sqla+sqlite:///{instance_path / 'broker.sqlite'}")
    )

    return {
        "ENV_NAME": "production" if production else "development",
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": _normalise_db_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        "CELERY": {
            "broker_url": broker_url,
            "task_ignore_result": True,
            "task_serializer": "json",
            "accept_content": ["json"],
            "result_serializer": "json",
            "worker_prefetch_multiplier": 1,
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "broker_connection_retry_on_startup": True,
            # A task cut off by a lost broker connection is redelivered, not left hanging.
            "worker_cancel_long_running_tasks_on_connection_loss": True,
            "timezone": "UTC",
            # The broker's transport options (the Redis visibility timeout among them) are
            # set by workers.celery_app.celery_settings, for the broker actually chosen.
        },
        # Template fragments (agency.extensions.fragment_cache): in each process's memory, as a
        # fragment costs less to render than a round trip to Redis would.
        "CACHE_TYPE": "SimpleCache",
        "CACHE_THRESHOLD": 4096,
        "CACHE_DEFAULT_TIMEOUT": 3600,
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(env.get("MAIL_PORT") or 25),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER")
        or "ClinicMatch <no-reply@clinicmatch.local>",
        "MAIL_DIR": str(instance_path / "mail"),
        "UPLOAD_DIR": env.get("UPLOAD_DIR") or str(instance_path / "uploads"),
        "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_DURATION": timedelta(days=14),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "SESSION_IDLE_TIMEOUT": timedelta(minutes=30),
        "PASSWORD_RESET_MAX_AGE": 3600,
        # Unset: the address `make run` serves on, whose port follows PORT like the server's.
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL")
        or f"http://127.0.0.1:{env.get('PORT') or '5000'}",
        # Where people report a security problem: /.well-known/security.txt and every page's
        # footer show it. An e-mail address or a URL.
        "SECURITY_CONTACT": env.get("SECURITY_CONTACT") or "security@clinicmatch.local",
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT") or "10 per minute;50 per hour",
        "WARM_ON_START": _bool(env.get("WARM_ON_START")),
        "API_RATE_LIMIT": env.get("API_RATE_LIMIT") or "120 per minute;5000 per hour",
        # Where the agency works: another country's credentials and EHR systems (the UK's EMIS,
        # AMSPAR, NVQ ...) never appear in its choices, pasted-ad chips or demo data.
        "COUNTRY": _country(env.get("COUNTRY")),
        # Staff pages show times in the agency's zone (the demo agency is in Boston).
        "AGENCY_TIMEZONE": env.get("AGENCY_TIMEZONE") or "America/New_York",
        # Shift proposals leave at least this many hours between a worker's booked shifts.
        "SHIFT_MIN_REST_HOURS": float(env.get("SHIFT_MIN_REST_HOURS") or 10),
        "WEBHOOK_ALLOW_PRIVATE": _bool(env.get("WEBHOOK_ALLOW_PRIVATE"), False),
        # Test and CLI runs flip this off so they do not need a broker.
        "OUTBOX_ENQUEUE_AFTER_COMMIT": _bool(env.get("OUTBOX_ENQUEUE_AFTER_COMMIT"), True),
    }
