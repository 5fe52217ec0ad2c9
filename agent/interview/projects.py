"""The candidate's projects, found in a CV or notes (Markdown or plain text).

A project is a heading that is not a CV section's name ("Experience", "Skills"…), with the
lines under it, or a bullet item that reports a result (it holds a number): "- Claims
triage assistant: cut handling time from 9 to 4 minutes". Headings come first; a bullet
under a project heading belongs to that project.
"""

from __future__ import annotations

import re

from agent.records import ProjectRecord

HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(?P<text>.+?)\s*#*\s*$")
BULLET = re.compile(r"^\s*(?:[-*•+]|\d+[.)])\s+(?P<text>.+)$")
RESULT = re.compile(r"\d")
NAME_END = re.compile(r"\s*(?::|—|–|\s-\s|\(|,|\.\s)")
EMPHASIS = re.compile(r"[*_`]+")
SECTIONS = frozenset(
    {"experience", "work experience", "professional experience", "employment", "work history", "education", "skills",
     "technical skills", "summary", "profile", "about", "about me", "contact", "projects", "selected projects",
     "side projects", "publications", "certifications", "awards", "languages", "interests", "references", "notes",
     "cv", "resume", "curriculum vitae", "talks", "open source", "volunteering"}
)  # fmt: skip
NOT_WORK = frozenset(
    {"education", "skills", "technical skills", "contact", "languages", "certifications", "awards", "interests",
     "references", "publications", "talks"}
)  # fmt: skip  # sections whose numbered bullets are not projects (grades, years of a skill)
MAX_NAME_WORDS = 8
MAX_PROJECTS = 6
MAX_DETAIL = 600


def _clean(text: str) -> str:
    return " ".join(EMPHASIS.sub("", text).split())


def _name_of(item: str) -> str:
    """A bullet's project name: the words before its first colon or dash, else its opening words."""
    head = NAME_END.split(item, maxsplit=1)[0]
    words = head.split()
    if not 1 <= len(words) <= MAX_NAME_WORDS:
        words = item.split()[:MAX_NAME_WORDS]
    return " ".join(words).rstrip(".,;:")


def _is_section(text: str) -> bool:
    return text.lower().rstrip(":") in SECTIONS


def find_projects(text: str) -> list[ProjectRecord]:
    projects: list[ProjectRecord] = []
    under_heading: ProjectRecord | None = None
    section = ""
    for raw in text.splitlines():
        if heading := HEADING.match(raw):
            title = _clean(heading.group("text"))
            under_heading = None
            if _is_section(title):
                section = title.lower().rstrip(":")
            elif section not in NOT_WORK and len(title.split()) <= MAX_NAME_WORDS * 2:
                under_heading = ProjectRecord(name=_name_of(title) or title, detail="")
                projects.append(under_heading)
            continue
        line = _clean(raw)
        if not line:
            continue
        if _is_section(line):  # a plain-text CV's section line
            section, under_heading = line.lower().rstrip(":"), None
            continue
        if under_heading is not None:
            under_heading["detail"] = (under_heading["detail"] + " " + line).strip()[:MAX_DETAIL]
            continue
        bullet = BULLET.match(raw)
        if bullet and section not in NOT_WORK and RESULT.search(bullet.group("text")):
            item = _clean(bullet.group("text"))
            projects.append(ProjectRecord(name=_name_of(item), detail=item[:MAX_DETAIL]))
    seen: set[str] = set()
    unique = []
    for project in projects:
        key = project["name"].lower()
        if project["name"] and project["detail"] and key not in seen:
            seen.add(key)
            unique.append(project)
    return unique[:MAX_PROJECTS]
