"""The composition root: settings in, the product's long-lived parts out.

Each entry point (CLI, later the UI) builds one :class:`Services` and passes its parts
down. Parts are built on first use, so a command that does not search never pays for
Chroma, and one that does not chat never imports an LLM client.
"""

from __future__ import annotations

import functools
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast, overload

from agent.settings import Settings
from knowledge.errors import StartupError

if TYPE_CHECKING:
    from langgraph.checkpoint.base import BaseCheckpointSaver

    from agent.examiner.citer import Citer
    from agent.examiner.gaming import GamingDetector
    from agent.examiner.offline.evidence import EvidenceFinder
    from agent.examiner.seam import Examiner
    from agent.interview.interviewer import Interviewer
    from agent.interview.job import JobReader
    from agent.interview.question_match import QuestionMatcher
    from agent.store.memory import WeakAreaMemory
    from agent.store.pg.database import Database
    from agent.store.transcripts import Transcripts
    from knowledge.concepts import ConceptLexicon
    from knowledge.embeddings import StaticEmbedder
    from knowledge.knowledge_base import KnowledgeBase
    from knowledge.question_bank import QuestionBank
    from knowledge.sentence_encoder import SentenceEncoder
    from knowledge.shared_chroma import ChromaStore
    from knowledge.tokens import TokenCounter
    from knowledge.vector_index import NamedEmbeddingFunction


T = TypeVar("T")


class built_once(Generic[T]):  # noqa: N801 - used like functools.cached_property
    """Like ``functools.cached_property``, but two threads asking at once (two browser tabs
    on a fresh app) get one object: the build runs under the instance's lock. Built parts
    live in ``Services.parts``, by name."""

    def __init__(self, build: Callable[[Any], T]) -> None:
        self.build = build
        self.name = build.__name__
        self.__doc__ = build.__doc__

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> built_once[T]: ...
    @overload
    def __get__(self, instance: object, owner: type[Any]) -> T: ...
    def __get__(self, instance: object | None, owner: type[Any]) -> T | built_once[T]:
        if instance is None:
            return self
        assert isinstance(instance, Services)
        parts = instance.parts
        if self.name not in parts:
            with instance.build_lock:
                if self.name not in parts:
                    parts[self.name] = self.build(instance)
        return cast(T, parts[self.name])


@dataclass(frozen=True)
class ExaminerChoice:
    examiner: Examiner
    fallback: str | None = None  # why the LLM examiner could not be used


class Services:
    def __init__(self, settings: Settings, require_llm: bool = False) -> None:
        self.settings = settings
        self.require_llm = require_llm
        self.parts: dict[str, object] = {}  # what has been built, by name
        self.build_lock = threading.RLock()
        self._closers: list[Callable[[], None]] = []  # registered as parts are built

    def _closing(self, part: T, close: Callable[[], None]) -> T:
        self._closers.append(close)
        return part

    @property
    def warnings(self) -> list[str]:
        """One-line notices for the user, e.g. that the LLM endpoint did not answer."""
        choice = self.parts.get("examiner_choice")
        if isinstance(choice, ExaminerChoice) and choice.fallback:
            return [f"{choice.fallback}; continuing with the offline examiner"]
        return []

    def _ensure_home(self) -> None:
        try:
            self.settings.home.mkdir(parents=True, exist_ok=True)
            # A probe file of its own: processes opening one folder at once must not remove
            # each other's (a shared name made one of them fail with "No such file").
            with tempfile.NamedTemporaryFile(dir=self.settings.home, prefix=".write-test-"):
                pass
        except OSError as exc:
            raise StartupError(f"cannot write to the data directory {self.settings.home}: {exc.strerror}") from None

    @built_once
    def database(self) -> Database | None:
        """The Postgres database of MOCK_INTERVIEW_DATABASE_URL (migrated), or None for the
        embedded SQLite files."""
        if self.settings.database_url is None:
            return None
        from agent.store.pg.database import Database

        database = Database(self.settings.database_url.get_secret_value())
        return self._closing(database, database.close)

    def check_servers(self) -> None:
        """Connect to the configured servers now, so a bad one is reported at start."""
        self.database  # noqa: B018
        if self.settings.chroma_url is not None:
            self.chroma  # noqa: B018

    @built_once
    def chroma(self) -> ChromaStore:
        """A Chroma server when MOCK_INTERVIEW_CHROMA_URL is set; else the Chroma folder,
        shared safely with other processes on the same data folder."""
        if self.settings.chroma_url is not None:
            from knowledge.shared_chroma import open_server

            return open_server(self.settings.chroma_url)
        self._ensure_home()
        from knowledge.shared_chroma import SharedChroma

        try:
            store = SharedChroma(self.settings.chroma_dir)
        except Exception as exc:  # noqa: BLE001 - Chroma raises many types for a broken store
            raise StartupError(f"cannot open the index in {self.settings.chroma_dir}: {exc}") from None
        return self._closing(store, store.close)

    @built_once
    def static_embedder(self) -> StaticEmbedder:
        from knowledge.embeddings import StaticEmbedder

        return StaticEmbedder()

    @built_once
    def embedding_function(self) -> NamedEmbeddingFunction:
        from knowledge.embeddings import (
            OpenAIEmbeddingFunction,
            WordLlamaEmbeddingFunction,
        )

        choice = self.settings.embeddings
        if choice == "wordllama":
            return WordLlamaEmbeddingFunction(embedder=self.static_embedder)
        if self.settings.openai_api_key is None:
            raise StartupError(f"MOCK_INTERVIEW_EMBEDDINGS={choice} needs OPENAI_API_KEY to be set")
        return OpenAIEmbeddingFunction(
            choice.removeprefix("openai:"),
            api_key=self.settings.openai_api_key.get_secret_value(),
            base_url=self.settings.openai_base_url,
        )

    @built_once
    def knowledge(self) -> KnowledgeBase:
        from knowledge.knowledge_base import KnowledgeBase

        return KnowledgeBase(self.chroma, self.embedding_function, self.static_embedder)

    @built_once
    def question_bank(self) -> QuestionBank:
        from knowledge.question_bank import load_bank

        return load_bank()

    @built_once
    def token_counter(self) -> TokenCounter:
        from knowledge.tokens import TokenCounter

        self._ensure_home()
        return TokenCounter(self.settings.cache_dir / "tiktoken")

    @built_once
    def transcripts(self) -> Transcripts:
        if self.database is not None:
            from agent.store.pg.transcripts import PgTranscriptStore

            return PgTranscriptStore(self.database)
        from agent.store.transcripts import TranscriptStore

        self._ensure_home()
        store = TranscriptStore(self.settings.home / "sessions.sqlite")
        return self._closing(store, store.close)

    @built_once
    def memory(self) -> WeakAreaMemory:
        from agent.store.memory import WeakAreaMemory
        from agent.store.outbox import Jobs

        jobs: Jobs | Path
        if self.database is not None:
            from agent.store.pg.jobs import PgJobs

            jobs = PgJobs(self.database)
        else:
            self._ensure_home()
            jobs = self.settings.home / "memory-outbox.sqlite"
        memory = WeakAreaMemory(self.chroma, self.embedding_function, self.question_bank, jobs)
        return self._closing(memory, memory.close)

    @built_once
    def question_matcher(self) -> QuestionMatcher:
        """Maps a question typed by the user (``assess --question``) to the bank, or to a rubric
        built from the guide."""
        from agent.interview.question_match import QuestionMatcher

        return QuestionMatcher(self.question_bank, self.knowledge.retriever, self.static_embedder.embed)

    @built_once
    def citer(self) -> Citer:
        from agent.examiner.citer import Citer

        return Citer(self.knowledge.retriever)

    @built_once
    def gaming(self) -> GamingDetector:
        from agent.examiner.gaming import GamingDetector
        from agent.examiner.topics import TopicGuesser

        return GamingDetector(TopicGuesser(self.question_bank, self.sentence_encoder))

    @built_once
    def sentence_encoder(self) -> SentenceEncoder:
        from knowledge.sentence_encoder import SentenceEncoder

        self._ensure_home()
        encoder = SentenceEncoder(
            cache_file=self.settings.cache_dir / "encoder" / "references.npz", workers=self.settings.encoder_threads
        )
        return self._closing(encoder, encoder.save)

    @built_once
    def offline_examiner(self) -> Examiner:
        from agent.examiner.offline.calibration import Calibration
        from agent.examiner.offline.examiner import OfflineExaminer
        from agent.examiner.offline.story import StoryCalibration, StoryJudge

        story = StoryJudge(StoryCalibration.load(), self.citer)
        return OfflineExaminer(self.evidence_finder, self.gaming, self.citer, Calibration.load(), story)

    @built_once
    def concepts(self) -> ConceptLexicon:
        from knowledge.concepts import ConceptLexicon

        return ConceptLexicon.load()

    @built_once
    def evidence_finder(self) -> EvidenceFinder:
        from agent.examiner.offline.evidence import EvidenceFinder
        from knowledge.misbeliefs import MisbeliefLexicon

        return EvidenceFinder(self.sentence_encoder, self.concepts, MisbeliefLexicon.load())

    @built_once
    def job_reader(self) -> JobReader:
        """Reads a job description for the topics it stresses, with the examiner's matcher."""
        from agent.interview.job import JobReader
        from knowledge.topic_terms import load_topic_terms

        return JobReader(self.concepts, load_topic_terms())

    @property
    def examiner(self) -> Examiner:
        """The LLM examiner when a key is set and the endpoint answers, else the offline one."""
        return self.examiner_choice.examiner

    @built_once
    def examiner_choice(self) -> ExaminerChoice:
        if not self.settings.use_llm:
            if self.require_llm:
                raise StartupError("--require-llm needs OPENAI_API_KEY (and no --offline)")
            return ExaminerChoice(self.offline_examiner)
        from agent.examiner.llm.client import LLMUnavailable, probe

        try:
            probe(self.settings)
        except LLMUnavailable as exc:
            if self.require_llm:
                raise StartupError(str(exc)) from None
            return ExaminerChoice(self.offline_examiner, str(exc))
        return ExaminerChoice(self.llm_examiner)

    @built_once
    def llm_examiner(self) -> Examiner:
        from agent.examiner.llm.breaker import CircuitBreaker
        from agent.examiner.llm.calls import CallPolicy, ModelCalls
        from agent.examiner.llm.client import build_chat_model, call_deadline, is_self_hosted
        from agent.examiner.llm.examiner import LLMExaminer, reply_schema_tokens
        from agent.examiner.llm.prompt_budget import BudgetError, PromptBudget

        settings = self.settings
        self_hosted = is_self_hosted(settings)
        policy = CallPolicy(
            settings.structured_output,
            self_hosted,
            settings.max_reply_tokens,
            call_deadline(settings),
            settings.llm_retries,
        )
        system_prompt = "llm_system" if settings.llm_mode == "one_call" else "llm_judge_system"
        schema_tokens = reply_schema_tokens(self.question_bank, self.token_counter.count)
        budget = PromptBudget(self.token_counter, settings.context_tokens, schema_tokens, system_prompt)
        examiner = LLMExaminer(
            ModelCalls(build_chat_model(settings), policy),
            self.offline_examiner,
            self.citer,
            self.knowledge.retriever,
            budget,
            settings.model,
            CircuitBreaker(settings.llm_breaker_failures, settings.llm_breaker_cooldown),
            mode=settings.llm_mode,
            bounded=self_hosted,  # api.openai.com's strict mode refuses numeric and length bounds
            self_hosted=self_hosted,
        )
        try:
            examiner.check_budget(self.question_bank)
        except BudgetError as exc:
            examiner.close()
            raise StartupError(str(exc)) from None
        return self._closing(examiner, examiner.close)

    @built_once
    def checkpointer(self) -> BaseCheckpointSaver[Any]:
        if self.database is not None:
            from agent.store.pg.checkpoints import open_saver

            return open_saver(self.database)
        from langgraph.checkpoint.sqlite import SqliteSaver

        from agent.store.sqlite_files import open_database

        self._ensure_home()
        connection = open_database(self.settings.home / "checkpoints.sqlite", "interview checkpoints")
        # WAL with synchronous=NORMAL survives a killed process (the tested case); only an OS
        # crash or power cut can lose the last commit. FULL would fsync every graph step.
        connection.execute("PRAGMA synchronous=NORMAL")
        saver = SqliteSaver(connection)
        saver.setup()
        return self._closing(saver, connection.close)

    @built_once
    def interviewer(self) -> Interviewer:
        from agent.interview.context import InterviewContext
        from agent.interview.graph import build_graph
        from agent.interview.interviewer import Interviewer

        context = InterviewContext(self.question_bank, self.examiner, self.memory, self.transcripts)
        graph = build_graph(self.checkpointer)
        database = self.database
        if database is None:
            return Interviewer(graph, context, self.transcripts, citer=self.citer)
        from agent.store.pg.checkpoints import keep_only_latest
        from agent.store.pg.locks import SessionLocks

        prune = functools.partial(keep_only_latest, database)
        return Interviewer(graph, context, self.transcripts, SessionLocks(database), prune, citer=self.citer)

    def close(self) -> None:
        """Finish background writes and release files, in the reverse order of building;
        safe to call more than once (a later use builds the parts again)."""
        with self.build_lock:
            closers, self._closers = self._closers, []
            for close in reversed(closers):
                close()
            self.parts.clear()
