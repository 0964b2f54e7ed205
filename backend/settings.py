"""Process settings: environment variables over `.env` over defaults.

The names are an interface (../shared/contract/interfaces.md): outside tools
set them, so they are read here and nowhere else.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = Path(__file__).resolve().parent / "config"

# Secrets generated into a new .env; everything else has a fixed default.
_GENERATED = ("BACKEND_API_TOKEN", "RASA_TOKEN", "WECHAT_TOKEN", "SESSION_SECRET", "METRICS_TOKEN")


def normalise_database_url(url: str) -> str:
    """Give plain sqlite:// and postgresql:// URLs their async driver."""
    for plain, driver in (
        ("sqlite://", "sqlite+aiosqlite://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain):]
    return url


def ensure_env_file(path: Path = ROOT / ".env") -> Path:
    """Create .env with fresh random secrets on first run; never overwrite it."""
    if not path.exists():
        lines = ["# Local settings (git-ignored). Environment variables override these."]
        lines += [f"{name}={secrets.token_urlsafe(32)}" for name in _GENERATED]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        path.chmod(0o600)
    return path


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite+aiosqlite:///{ROOT / 'var' / 'app.db'}"
    host: str = "127.0.0.1"
    backend_port: int = 8000
    api_token: str = ""
    # The service token before the last rotation, accepted too until retired, so the services
    # holding it can be restarted one by one (python -m backend.admin token). Empty: none.
    api_token_previous: str = ""
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = ""
    # Several backend processes: Redis carries the web chat's live lines between them
    # (backend/router/fanout.py). Empty: one process, sockets served from memory.
    redis_url: str = ""
    demo_data: bool = False
    service_rules: Path = CONFIG_DIR / "service_rules.yml"
    holiday_dir: Path = CONFIG_DIR / "holidays"
    tariff_dir: Path = CONFIG_DIR / "tariffs"
    scheduler_enabled: bool = True
    # WeChat Official Account (backend/channels/wechat.py). An empty token leaves the
    # channel unconfigured (503); an empty AES key accepts only plaintext pushes.
    wechat_token: str = ""
    wechat_appid: str = ""
    wechat_secret: str = ""
    wechat_aes_key: str = ""
    # Where the access-token and customer-service APIs live (tests point it at a fake).
    wechat_api_base: str = "https://api.weixin.qq.com"
    cookie_secure: bool = False  # staff cookies Secure even over plain HTTP (behind a TLS proxy)
    # Operations (issue #11). The action servers as Rasa calls them (their /webhook; comma-separated):
    # /healthz asks each one's /healthz next to it.
    action_endpoint_url: str = "http://127.0.0.1:5055/webhook"
    # A scrape-only bearer token for /metrics, so Prometheus need not hold the service token
    # (which is also accepted). Empty: only the service token.
    metrics_token: str = ""
    # A turn whose intent confidence is below this counts as low-confidence in the metrics.
    assistant_low_confidence: float = 0.6
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, env_file: Path | None = ROOT / ".env", **overrides: object) -> Settings:
        values: dict[str, str] = {}
        if env_file is not None and env_file.exists():
            values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        values.update(os.environ)
        get = values.get
        kwargs: dict[str, object] = {
            "database_url": normalise_database_url(get("DATABASE_URL") or cls.database_url),
            "host": get("BACKEND_HOST", cls.host),
            "backend_port": int(get("BACKEND_PORT", cls.backend_port)),
            "api_token": get("BACKEND_API_TOKEN", ""),
            "api_token_previous": get("BACKEND_API_TOKEN_PREVIOUS", ""),
            "rasa_url": get("RASA_URL", cls.rasa_url),
            "rasa_token": get("RASA_TOKEN", ""),
            "redis_url": get("REDIS_URL", ""),
            "demo_data": get("DEMO_DATA", "0").lower() in ("1", "true", "yes", "on"),
            "scheduler_enabled": get("SCHEDULER", "1").lower() not in ("0", "false", "off"),
            "wechat_token": get("WECHAT_TOKEN", ""),
            "wechat_appid": get("WECHAT_APPID", ""),
            "wechat_secret": get("WECHAT_SECRET", ""),
            "wechat_aes_key": get("WECHAT_AES_KEY", ""),
            "wechat_api_base": (get("WECHAT_API_BASE") or cls.wechat_api_base).rstrip("/"),
            "cookie_secure": (get("COOKIE_SECURE") or "0").lower() in ("1", "true", "yes", "on"),
            "action_endpoint_url": get("ACTION_ENDPOINT_URL") or cls.action_endpoint_url,
            "metrics_token": get("METRICS_TOKEN", ""),
            "assistant_low_confidence": float(get("ASSISTANT_LOW_CONFIDENCE") or cls.assistant_low_confidence),
        }
        for key, attr in (("SERVICE_RULES_FILE", "service_rules"), ("HOLIDAY_DIR", "holiday_dir"),
                          ("TARIFF_DIR", "tariff_dir")):
            if get(key):
                kwargs[attr] = Path(get(key))  # type: ignore[arg-type]
        kwargs.update(overrides)
        return cls(**kwargs)  # type: ignore[arg-type]
