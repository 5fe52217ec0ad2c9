"""Token counting works with the network unreachable (the guard is installed for every test)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import tiktoken

from knowledge.tokens import ENCODINGS, TokenCounter, TokenizerUnavailable, cache_file_name, prime_tiktoken_cache


def test_priming_writes_hash_verified_files_named_by_url_sha1(tmp_path: Path) -> None:
    prime_tiktoken_cache(tmp_path)
    for name, (url, sha256) in ENCODINGS.items():
        path = tmp_path / hashlib.sha1(url.encode()).hexdigest()
        assert path.name == cache_file_name(name)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256


def test_tiktoken_loads_both_encodings_offline(tmp_path: Path) -> None:
    prime_tiktoken_cache(tmp_path / "fresh")
    for name in ("o200k_base", "cl100k_base"):
        # A fresh Encoding object, not tiktoken's in-process registry cache.
        from tiktoken.load import load_tiktoken_bpe

        url, sha = ENCODINGS[name]
        ranks = load_tiktoken_bpe(url, expected_hash=sha)
        assert len(ranks) > 100_000
    assert tiktoken.get_encoding("cl100k_base").encode("hello world") == [15339, 1917]
    assert (
        tiktoken.get_encoding("o200k_base").decode(tiktoken.get_encoding("o200k_base").encode("नमस्ते 🙂")) == "नमस्ते 🙂"
    )


def test_counter_counts_and_truncates(tmp_path: Path) -> None:
    counter = TokenCounter(tmp_path, "cl100k_base")
    assert counter.count("hello world") == 2
    long = "attention " * 50
    assert counter.count(counter.truncate(long, 10)) == 10
    assert counter.truncate("short", 10) == "short"


def test_a_corrupted_cache_file_is_replaced(tmp_path: Path) -> None:
    target = tmp_path / cache_file_name("cl100k_base")
    tmp_path.mkdir(exist_ok=True)
    target.write_bytes(b"garbage")
    prime_tiktoken_cache(tmp_path)
    assert hashlib.sha256(target.read_bytes()).hexdigest() == ENCODINGS["cl100k_base"][1]


def test_unknown_encoding_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TokenizerUnavailable, match="unknown encoding 'p50k_base'"):
        TokenCounter(tmp_path, "p50k_base")


def test_langchain_openai_token_counting_works_offline(tmp_path: Path) -> None:
    from langchain_core.messages import HumanMessage
    from langchain_openai import ChatOpenAI

    prime_tiktoken_cache(tmp_path)
    model = ChatOpenAI(model="gpt-4o-mini", api_key="sk-test-not-used", base_url="http://127.0.0.1:9/v1")  # type: ignore[arg-type]
    assert model.get_num_tokens("What is mode collapse?") > 3
    assert model.get_num_tokens_from_messages([HumanMessage("What is mode collapse?")]) > 5


def test_without_priming_tiktoken_would_need_the_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard is live: an unprimed cache makes tiktoken try to download, and that fails."""
    from tiktoken.load import load_tiktoken_bpe

    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "empty"))
    url, sha = ENCODINGS["cl100k_base"]
    with pytest.raises(Exception, match="blocked"):
        load_tiktoken_bpe(url, expected_hash=sha)
