from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUARD_DIR = Path(__file__).resolve().parent / "netguard"
sys.path.insert(0, str(GUARD_DIR))

import tests_network_guard  # noqa: E402

# Every test process refuses non-loopback connections from the start.
tests_network_guard.install()
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from servers import Servers  # noqa: E402

from agent.services import Services  # noqa: E402
from agent.settings import Settings  # noqa: E402


def make_settings(home: Path, **values: object) -> Settings:
    """Settings that ignore the developer's environment and .env file."""
    return Settings.from_values(env_file=False, home=home, **values)


@pytest.fixture(autouse=True)
def _no_real_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "MOCK_INTERVIEW_HOME",
        "MOCK_INTERVIEW_EMBEDDINGS",
        "MOCK_INTERVIEW_DATABASE_URL",
        "MOCK_INTERVIEW_CHROMA_URL",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def shared_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("shared-home")


@pytest.fixture(scope="session")
def services(shared_home: Path) -> Services:
    """One built index for the read-only tests of a session (building costs ~1 s)."""
    return Services(make_settings(shared_home))


@pytest.fixture
def fresh_services(tmp_path: Path) -> Iterator[Services]:
    services = Services(make_settings(tmp_path / "home"))
    yield services
    services.close()


def copy_index(services: Services, home: Path) -> Path:
    """A new data dir holding a copy of the session's built index (building costs ~1 s)."""
    import shutil

    services.knowledge  # noqa: B018 - make sure the shared index exists before copying it
    shutil.copytree(services.settings.chroma_dir, home / "chroma")
    return home


@pytest.fixture
def embedded_services(tmp_path: Path, services: Services) -> Iterator[Services]:
    """A fresh data dir (own SQLite files, checkpointer, memory) with a copy of the built index."""
    fresh = Services(make_settings(copy_index(services, tmp_path / "home")))
    yield fresh
    fresh.close()


@pytest.fixture
def interview_services(embedded_services: Services) -> Services:
    """The embedded default; a module that sets ``interview_services = backend_services``-style
    overrides runs its tests on both backends."""
    return embedded_services


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """A real Postgres and a real Chroma server: the ones ``.ci/run`` started (exported as
    MOCK_INTERVIEW_TEST_DATABASE_URL / MOCK_INTERVIEW_TEST_CHROMA_URL), else started here with
    scripts/dev-services and stopped at the end. Never skipped: if they cannot start, the
    tests that need them fail."""
    given = Servers.from_environment()
    if given is not None:
        yield given
        return
    env = {**os.environ, "DEV_SERVICES_DIR": str(tmp_path_factory.mktemp("dev-services"))}
    script = str(ROOT / "scripts" / "dev-services")
    started = subprocess.run([script, "up"], capture_output=True, text=True, env=env, timeout=180)
    if started.returncode != 0:
        pytest.fail(f"scripts/dev-services up failed: {started.stderr.strip()}", pytrace=False)
    try:
        yield Servers.from_exports(started.stdout)
    finally:
        subprocess.run([script, "down"], capture_output=True, env=env, timeout=60)


@pytest.fixture
def server_urls(servers: Servers) -> Iterator[tuple[str, str]]:
    """A fresh, empty Postgres database and Chroma database on the servers, for one test."""
    with servers.fresh() as urls:
        yield urls


@pytest.fixture
def server_services(tmp_path: Path, server_urls: tuple[str, str]) -> Iterator[Services]:
    """Like ``interview_services``, with every store on the servers (the data dir holds only caches)."""
    database_url, chroma_url = server_urls
    fresh = Services(make_settings(tmp_path / "home", database_url=database_url, chroma_url=chroma_url))
    yield fresh
    fresh.close()


BACKENDS = ["embedded", "server"]


@pytest.fixture(params=BACKENDS)
def backend_services(request: pytest.FixtureRequest) -> Services:
    """``interview_services`` on each backend: the embedded files, then the servers."""
    name = "embedded_services" if request.param == "embedded" else "server_services"
    services: Services = request.getfixturevalue(name)
    return services


def run_cli(
    *args: str, home: Path, env: dict[str, str] | None = None, timeout: float = 120, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed console script as a user would, with the network guard loaded."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "MOCK_INTERVIEW_"))}
    full_env["PYTHONPATH"] = os.pathsep.join([str(GUARD_DIR), full_env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    full_env["MOCK_INTERVIEW_HOME"] = str(home)
    full_env.update(env or {})
    exe = Path(sys.executable).with_name("mock-interview")
    return subprocess.run(
        [str(exe), *args], capture_output=True, text=True, env=full_env, timeout=timeout, cwd=home.parent, input=stdin
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], status: int, fragment: str) -> None:
    """A user's mistake: the given exit status and exactly one line on stderr, no traceback."""
    assert result.returncode == status, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert fragment in lines[0]


@pytest.fixture
def cli_home(tmp_path: Path) -> Iterator[Path]:
    home = tmp_path / "home"
    yield home


@pytest.fixture
def stub() -> Iterator[object]:
    from openai_stub import OpenAIStub

    with OpenAIStub("sk-test-SUPERSECRET-0123456789") as server:
        yield server


def llm_settings(home: Path, stub: object, **values: object) -> Settings:
    defaults: dict[str, object] = {
        "openai_api_key": "sk-test-SUPERSECRET-0123456789",
        "openai_base_url": stub.base_url,  # type: ignore[attr-defined]
        "llm_retries": 1,
        "llm_timeout": 3.0,
        "model": "gpt-4.1-mini",
    }
    return make_settings(home, **{**defaults, **values})


@pytest.fixture
def llm_services(tmp_path: Path, services: Services, stub: object) -> Iterator[Services]:
    """Like ``interview_services`` but with the LLM examiner pointed at the local stub."""
    fresh = Services(llm_settings(copy_index(services, tmp_path / "llm-home"), stub))
    yield fresh
    fresh.close()
