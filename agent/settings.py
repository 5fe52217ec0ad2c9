"""Settings, read once from the environment and a ``.env`` file (pydantic-settings).

This is the only module that reads configuration from the environment; everything else
receives a :class:`Settings` (or values taken from it) from the composition root.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_home() -> Path:
    return Path.home() / ".local" / "share" / "mock-interview"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True)

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

    @field_validator("embeddings")
    @classmethod
    def _known_embeddings(cls, value: str) -> str:
        value = value.strip()
        if value == "wordllama" or (value.startswith("openai:") and len(value) > len("openai:")):
            return value
        raise ValueError("must be 'wordllama' or 'openai:<model>'")

    @field_validator("openai_api_key")
    @classmethod
    def _blank_key_is_none(cls, value: SecretStr | None) -> SecretStr | None:
        return value if value is not None and value.get_secret_value().strip() else None

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"
