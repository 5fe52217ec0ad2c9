from __future__ import annotations

import time
from pathlib import Path

import pytest

from agent.services import Services
from agent.store.memory import WeakAreaMemory
from agent.store.pg.jobs import PgJobs


@pytest.fixture
def interview_services(backend_services: Services) -> Services:
    """Every test here runs on the embedded files and on the Postgres and Chroma servers."""
    return backend_services


def _memory(services: Services) -> WeakAreaMemory:
    return services.memory


def test_mastery_is_a_moving_average_that_rises_with_good_answers(interview_services: Services) -> None:
    memory = _memory(interview_services)
    question = interview_services.question_bank.get("gans-mode-collapse")
    ids = [kp.id for kp in question.key_points]
    memory.record_question("asha", "s1", question, 2.0, ids[:3], ids[3:])
    assert memory.mastery("asha") == {"gans": 2.0}
    assert [a.topic for a in memory.weak_areas("asha")] == ["gans"]
    memory.record_question("asha", "s2", question, 8.0, [], ids)
    assert memory.mastery("asha")["gans"] == 5.0
    memory.record_question("asha", "s3", question, 9.0, [], ids)
    assert memory.mastery("asha")["gans"] == 7.0
    assert memory.weak_areas("asha") == []


def test_missed_points_are_counted_resolved_and_looked_up_semantically(interview_services: Services) -> None:
    memory = _memory(interview_services)
    question = interview_services.question_bank.get("gans-mode-collapse")
    memory.record_question("asha", "s1", question, 3.0, ["loss_fixes", "lr_tuning"], ["definition"])
    memory.record_question("asha", "s1", question, 3.0, ["loss_fixes", "lr_tuning"], ["definition"])  # a re-run
    memory.record_question("asha", "s2", question, 4.0, ["loss_fixes"], ["lr_tuning"])
    assert memory.tendencies("asha", question) == ("loss_fixes",)
    area = memory.weak_areas("asha")[0]
    assert area.missed_points == [question.key_point("loss_fixes").point]
    got = memory.collection.get(where={"$and": [{"user": "asha"}, {"key_point_id": "loss_fixes"}]})
    assert got["metadatas"][0]["times"] == 2  # type: ignore[index]
    similar = memory.similar_misses("asha", "Wasserstein distance as a GAN loss")
    assert similar and "Wasserstein" in similar[0]


def test_one_user_never_sees_another_users_memory(interview_services: Services) -> None:
    memory = _memory(interview_services)
    question = interview_services.question_bank.get("diffusion-evaluation")
    memory.record_question("asha", "s1", question, 1.0, [question.key_points[0].id], [])
    assert memory.mastery("ravi") == {}
    assert memory.weak_areas("ravi") == []
    assert memory.tendencies("ravi", question) == ()
    assert memory.similar_misses("ravi", question.key_points[0].point) == []
    assert not memory.dismiss("ravi", "diffusion")
    assert memory.weak_areas("asha")[0].topic == "diffusion"


def test_dismissed_areas_stay_off_until_a_new_low_score(interview_services: Services) -> None:
    memory = _memory(interview_services)
    question = interview_services.question_bank.get("diffusion-evaluation")
    memory.record_question("asha", "s1", question, 1.0, [], [])
    assert memory.dismiss("asha", "diffusion")
    assert memory.weak_areas("asha") == []
    time.sleep(0.01)
    memory.record_question("asha", "s2", question, 9.0, [], [])  # a strong answer keeps it dismissed
    assert memory.weak_areas("asha") == []
    time.sleep(0.01)
    memory.record_question("asha", "s3", question, 0.0, [], [])  # a weak one brings it back
    assert [a.topic for a in memory.weak_areas("asha")] == ["diffusion"]


def test_queued_writes_survive_a_crash_and_are_applied_on_the_next_start(
    interview_services: Services, tmp_path: Path
) -> None:
    memory = _memory(interview_services)
    memory.outbox.idle_seconds = 3600  # the worker will not get to it before the "crash"
    question = interview_services.question_bank.get("gans-mode-collapse")
    memory.record_question("asha", "s1", question, 2.0, [], [])
    assert memory.outbox.pending() == 1
    # A new process opening the same data dir applies what was queued.
    database = interview_services.database
    reopened = WeakAreaMemory(
        interview_services.chroma,
        interview_services.embedding_function,
        interview_services.question_bank,
        PgJobs(database) if database is not None else interview_services.settings.home / "memory-outbox.sqlite",
    )
    assert reopened.outbox.pending() == 0
    assert reopened.mastery("asha") == {"gans": 2.0}
    reopened.close()


def test_a_queued_write_for_a_question_no_longer_in_the_bank_is_dropped(interview_services: Services) -> None:
    memory = _memory(interview_services)
    memory.outbox.idle_seconds = 3600
    memory.outbox.put(
        {
            "user": "asha",
            "session_id": "s0",
            "question_id": "renamed-question",
            "score": 1.0,
            "missed": [],
            "covered": [],
            "ts": 1.0,
        }
    )
    question = interview_services.question_bank.get("gans-mode-collapse")
    memory.record_question("asha", "s1", question, 4.0, ["no_longer_a_point", "loss_fixes"], [])
    assert memory.mastery("asha") == {"gans": 4.0}  # the flush got past the stale job
    assert memory.outbox.pending() == 0
    assert memory.tendencies("asha", question) == ("loss_fixes",)
