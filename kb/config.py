"""All configuration, read once from `KB_*` environment variables (see the README)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KB_", extra="ignore")

    index_dir: Path = Field(Path("data/index"), description="Where the published index lives.")
    sources: Path = Field(Path("corpus/sources.toml"), description="The manifest of acts.")
    corpus_cache: Path = Field(Path("corpus/files"), description="Local copies of source files.")
    corpus_mirror: Path | None = Field(None, description="A folder holding source files.")
    download: bool = Field(True, description="Fetch sources from their official URLs if needed.")
    embed_model: str = Field("all-MiniLM-L6-v2", description="sentence-transformers model.")
    embed_batch: int = Field(32, ge=1, description="Passages embedded per batch.")
    index_type: str = Field("auto", description="FAISS index: auto, flat or hnsw.")


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings()
