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
    job: JobRecord | None = None
    projects: list[ProjectRecord] = []
    notices: list[str] = []
    if job_file:
        name, text = material_text(material, user, job_file, "job description")
        job = reader.read(text).record(name)
        if not job["emphasis"]:
            notices.append(prompts.render("notice_job_unmatched", file=name))
    if projects_file:
        name, text = material_text(material, user, projects_file, "projects file")
        projects = find_projects(text)
        if not projects:
            notices.append(prompts.render("notice_no_projects", file=name))
    return Tailored(job, projects, notices)
