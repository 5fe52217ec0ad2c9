"""Settings, read once from the environment and a ``.env`` file (pydantic-settings).

This is the only module that reads configuration from the environment; everything else
receives a :class:`Settings` (or values taken from it) from the composition root.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_home() -> Path:
    return Path.home() / ".local" / "share" / "mock-interview"


class Settings(BaseSettings):
    # Values come only from the documented names (MOCK_INTERVIEW_*, OPENAI_*). Field names are
    # not read from the environment: a generic HOME or MODEL variable must not steer the app.
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    home: Path = Field(
        default_factory=default_home,
        validation_alias=AliasChoices("MOCK_INTERVIEW_HOME"),
        description="Folder for everything the program writes (Chroma, SQLite, caches).",
    )
    embeddings: str = Field(
        default="wordllama",
        validation_alias=AliasChoices("MOCK_INTERVIEW_EMBEDDINGS"),
        description="'wordllama' (offline, bundled) or 'openai:<model>' such as openai:text-embedding-3-small.",
    )
    openai_api_key: SecretStr | None = Field(default=None, validation_alias=AliasChoices("OPENAI_API_KEY"))
    openai_base_url: str | None = Field(default=None, validation_alias=AliasChoices("OPENAI_BASE_URL"))
    model: str = Field(default="gpt-4.1-mini", validation_alias=AliasChoices("MOCK_INTERVIEW_MODEL"), min_length=1)
    temperature: float = Field(default=0.2, ge=0.0, le=2.0, validation_alias=AliasChoices("MOCK_INTERVIEW_TEMPERATURE"))
    llm_timeout: float | None = Field(
        default=None,
        gt=0,
        le=1800,
        validation_alias=AliasChoices("MOCK_INTERVIEW_LLM_TIMEOUT"),
        description="Seconds allowed for one answer's model calls, retries included "
        "(default 30 for api.openai.com, 120 for any other endpoint).",
    )
    llm_retries: int = Field(
        default=2,
        ge=0,
        le=6,
        validation_alias=AliasChoices("MOCK_INTERVIEW_LLM_RETRIES"),
        description="Retries of a transient fault (429, 5xx, dropped connection) within that time.",
    )
    encoder_threads: int = Field(
        default=1,
        ge=1,
        le=16,
        validation_alias=AliasChoices("MOCK_INTERVIEW_ENCODER_THREADS"),
        description="Threads that share one answer's sentences in the offline sentence encoder "
        "(2 may help on a machine with idle cores; on 2 busy shared cores it was slower).",
    )
    max_reply_tokens: int = Field(
        default=900,
        ge=100,
        le=32_000,
        validation_alias=AliasChoices("MOCK_INTERVIEW_MAX_REPLY_TOKENS"),
        description="Cap on the tokens of one model reply.",
    )
    llm_mode: Literal["one_call", "two_step"] = Field(
        default="one_call",
        validation_alias=AliasChoices("MOCK_INTERVIEW_LLM_MODE"),
        description="'two_step': the judgement first, then a short follow-up question (for small local models).",
    )
    llm_breaker_failures: int = Field(
        default=2,
        ge=0,
        le=20,
        validation_alias=AliasChoices("MOCK_INTERVIEW_LLM_BREAKER_FAILURES"),
        description="Failed answers in a row after which the model is paused (0: never pause).",
    )
    llm_breaker_cooldown: float = Field(
        default=120.0,
        ge=0,
        le=3600,
        validation_alias=AliasChoices("MOCK_INTERVIEW_LLM_BREAKER_COOLDOWN"),
        description="Seconds the model stays paused before it is tried again.",
    )
    context_tokens: int = Field(
        default=6000,
        ge=500,
        le=1_000_000,
        validation_alias=AliasChoices("MOCK_INTERVIEW_CONTEXT_TOKENS"),
        description="Budget for the whole prompt of one call, counted with tiktoken.",
    )
    structured_output: Literal["json_schema", "function_calling", "json_mode"] = Field(
        default="json_schema", validation_alias=AliasChoices("MOCK_INTERVIEW_STRUCTURED_OUTPUT")
    )
    users_file: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("MOCK_INTERVIEW_USERS"),
        description="Users with hashed passwords for the web app's login (see mock-interview hash-password).",
    )
    database_url: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("MOCK_INTERVIEW_DATABASE_URL"),
        description="postgresql://user:password@host:port/db: transcripts, the memory queue and the interview "
        "checkpoints in Postgres (unset: SQLite files in the data folder).",
    )
    chroma_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("MOCK_INTERVIEW_CHROMA_URL"),
        description="http://host:port[/database]: the guide index, user material and weak-area memory on a Chroma "
        "server (unset: a Chroma folder in the data folder).",
    )
    offline: bool = Field(
        default=False,
        validation_alias=AliasChoices("MOCK_INTERVIEW_OFFLINE"),
        description="Use the offline examiner even when an API key is set.",
    )

    @field_validator("embeddings")
    @classmethod
    def _known_embeddings(cls, value: str) -> str:
        value = value.strip()
        if value == "wordllama" or (value.startswith("openai:") and len(value) > len("openai:")):
            return value
        raise ValueError("must be 'wordllama' or 'openai:<model>'")

    @field_validator("home", mode="before")
    @classmethod
    def _home_given(cls, value: Any) -> Any:
        if isinstance(value, str | Path) and not str(value).strip():
            raise ValueError("is empty; give a folder, or unset it for the default")
        return value

    @field_validator("openai_base_url")
    @classmethod
    def _usable_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parsed = urlsplit(value.strip())
        try:
            parsed.port  # noqa: B018 - raises for a port that is not a number
        except ValueError:
            raise ValueError(f"{value[:80]!r} has an invalid port") from None
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"{value[:80]!r} is not an http(s) URL such as http://localhost:11434/v1")
        return value.strip()

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        text = value.get_secret_value().strip()
        parsed = urlsplit(text)
        shown = parsed._replace(netloc=parsed.hostname or "").geturl()[:80]  # never echo a password
        try:
            parsed.port  # noqa: B018 - raises for a port that is not a number
        except ValueError:
            raise ValueError(f"{shown!r} has an invalid port") from None
        if parsed.scheme not in ("postgresql", "postgres") or not parsed.hostname or len(parsed.path) < 2:
            raise ValueError(f"{shown!r} is not a URL such as postgresql://user:password@localhost:5432/mock_interview")
        return SecretStr(text)

    @field_validator("chroma_url")
    @classmethod
    def _chroma_server_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parsed = urlsplit(value.strip())
        try:
            parsed.port  # noqa: B018 - raises for a port that is not a number
        except ValueError:
            raise ValueError(f"{value[:80]!r} has an invalid port") from None
        database = parsed.path.strip("/")
        if parsed.scheme not in ("http", "https") or not parsed.hostname or "/" in database or parsed.query:
            raise ValueError(
                f"{value[:80]!r} is not a URL such as http://localhost:8000 (or http://host:port/database)"
            )
        return value.strip().rstrip("/")

    @field_validator("openai_api_key")
    @classmethod
    def _blank_key_is_none(cls, value: SecretStr | None) -> SecretStr | None:
        return value if value is not None and value.get_secret_value().strip() else None

    @classmethod
    def from_values(cls, *, env_file: bool = True, **values: Any) -> Settings:
        """Settings with some values given by field name (the CLI's flags, tests); the rest
        from the environment (and ``.env`` unless ``env_file`` is False)."""
        by_alias: dict[str, Any] = {}  # free-form: keyword arguments for pydantic-settings
        for name, value in values.items():
            alias = cls.model_fields[name].validation_alias
            assert isinstance(alias, AliasChoices), name
            by_alias[str(alias.choices[0])] = value
        if not env_file:
            by_alias["_env_file"] = None
        return cls(**by_alias)

    @property
    def use_llm(self) -> bool:
        return self.openai_api_key is not None and not self.offline

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"


def invalid_setting(exc: ValidationError) -> str:
    """The one line a bad setting gets: which setting, and what is wrong with it."""
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"])
    return f"invalid setting {field}: {first['msg']}"
