"""Tailoring a session to a job description and to the candidate's own projects.

A file is given by path (read with the same checks and one-line errors as ``ingest``, then
kept in the user's own material, so it is searchable, listed and deletable like any
ingested file) or by the name of a file the user ingested before. Nothing is shared across
users: every look-up is scoped to the user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from agent import prompts
from agent.interview.job import JobReader
from agent.interview.projects import find_projects
from agent.records import JobRecord, ProjectRecord
from knowledge.errors import IngestError
from knowledge.files import read_text
from knowledge.user_material import MAX_BYTES, UserMaterial


@dataclass(frozen=True)
class Tailored:
    job: JobRecord | None = None
    projects: list[ProjectRecord] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # one line each, for the user


def material_text(material: UserMaterial, user: str, value: str, what: str) -> tuple[str, str]:
    """(name, text) of a file given by path, or of the user's ingested file of that name."""
    path = Path(value).expanduser()
    if path.exists():
        text = read_text(path, what, MAX_BYTES, IngestError)
        material.ingest(user, [path])
        return path.name, text
    stored = material.text(user, value)
    if stored is None:
        held = ", ".join(f.name for f in material.files(user)) or "none yet"
        raise IngestError(f"{value}: no such file, and no ingested file of that name (yours: {held})")
    return Path(value).name, stored


def tailor(
    material: UserMaterial, reader: JobReader, user: str, job_file: str | None, projects_file: str | None
) -> Tailored:
    """From files: paths (kept in the user's material) or names of files the user ingested."""
    job = material_text(material, user, job_file, "job description") if job_file else None
    projects = material_text(material, user, projects_file, "projects file") if projects_file else None
    return tailor_texts(reader, job, projects)


def tailor_texts(reader: JobReader, job: tuple[str, str] | None, projects: tuple[str, str] | None) -> Tailored:
    """From (name, text) pairs already read and checked."""
    record: JobRecord | None = None
    found: list[ProjectRecord] = []
    notices: list[str] = []
    if job is not None:
        record = reader.read(job[1]).record(job[0])
        if not record["emphasis"]:
            notices.append(prompts.render("notice_job_unmatched", file=job[0]))
    if projects is not None:
        found = find_projects(projects[1])
        if not found:
            notices.append(prompts.render("notice_no_projects", file=projects[0]))
    return Tailored(record, found, notices)


def pasted_job(text: str) -> tuple[str, str] | None:
    """A job description pasted into the web app, checked like a file; None when blank."""
    if not text.strip():
        return None
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise IngestError(f"the pasted job description is over the limit of {MAX_BYTES // (1024 * 1024)} MB")
    return prompts.render("pasted_job_name"), text
