"""The fixed vocabularies every part of the product shares: topic ids and role tracks.

Topics are the interview areas of the guide; the evaluation, the planner and the
question bank all speak in these ids, so they never change silently.
"""

from __future__ import annotations

from typing import Literal, get_args

from knowledge.errors import UsageError

Topic = Literal[
    "fundamentals",
    "architectures",
    "gans",
    "diffusion",
    "model_families",
    "transformers",
    "llm_mechanics",
    "data_alignment",
    "prompting",
    "rag_multimodal",
    "evaluation",
    "mlops",
    "ethics_governance",
    "system_design",
    "role_fit",
    "inference_serving",
    "post_training",
    "agents",
    "experimentation",
    "product_sense",
    "behavioural",
    "coding",
]
Role = Literal["ml_engineer", "researcher", "data_scientist", "product"]

TOPICS: tuple[Topic, ...] = get_args(Topic)
ROLES: tuple[Role, ...] = get_args(Role)


def parse_topic(value: str) -> Topic:
    """A topic id typed by a user (CLI, web app): the Literal, or a one-line error."""
    if value not in TOPICS:
        raise UsageError(f"unknown topic {value!r}; choose one of: {', '.join(TOPICS)}")
    return value


def parse_role(value: str) -> Role:
    """A role track typed by a user: the Literal, or a one-line error."""
    if value not in ROLES:
        raise UsageError(f"unknown role {value!r}; choose one of: {', '.join(ROLES)}")
    return value


def stored_topic(value: object) -> Topic | None:
    """A topic read back from storage; None for one the taxonomy no longer has."""
    return value if value in TOPICS else None


TOPIC_TITLES: dict[Topic, str] = {
    "fundamentals": "Generative AI fundamentals",
    "architectures": "Generative architectures (encoders, autoencoders, VAEs)",
    "gans": "GANs",
    "diffusion": "Diffusion models",
    "model_families": "Comparing model families",
    "transformers": "Transformers and attention",
    "llm_mechanics": "LLM mechanics (tokens, embeddings, context, memory)",
    "data_alignment": "Training data, fine-tuning and alignment",
    "prompting": "Prompt engineering",
    "rag_multimodal": "RAG and multimodal workflows",
    "evaluation": "Evaluation and metrics",
    "mlops": "MLOps and deployment",
    "ethics_governance": "Ethics, governance and security",
    "system_design": "GenAI system design",
    "role_fit": "Role fit and impact stories",
    "inference_serving": "LLM inference and serving",
    "post_training": "Fine-tuning mechanics and post-training",
    "agents": "Agents and tool use",
    "experimentation": "Experimentation and A/B testing",
    "product_sense": "AI product sense",
    "behavioural": "Behavioural questions",
    "coding": "Coding rounds in prose and pseudo-code",
}

ROLE_TITLES: dict[Role, str] = {
    "ml_engineer": "ML engineer",
    "researcher": "Researcher",
    "data_scientist": "Data scientist",
    "product": "Product / consultant",
}

# Which top-level guide sections speak to which topic. Chunks of the index carry these
# topics as metadata, so retrieval can be narrowed to a topic.
SECTION_TOPICS: dict[str, tuple[Topic, ...]] = {
    "Introduction": ("role_fit",),
    "Key Takeaways": ("role_fit",),
    "What hiring teams look for in a Generative AI specialist today": ("role_fit", "fundamentals"),
    "Match your prep to the role you’re interviewing for": ("role_fit",),
    "Build a fast baseline on Generative AI fundamentals": ("fundamentals",),
    "Understand the building blocks of generative architectures": ("architectures",),
    "Master GAN concepts that come up in interviews": ("gans",),
    "Learn diffusion models well enough to explain them clearly": ("diffusion",),
    "Compare generative model families like an interviewer would": ("model_families",),
    "Transformers, attention, and why LLMs work": ("transformers",),
    "LLM mechanics interviewers test often": ("llm_mechanics",),
    "Training data, fine-tuning, and alignment essentials": ("data_alignment",),
    "Prompt engineering that demonstrates real skill": ("prompting",),
    "Retrieval-Augmented Generation and multimodal workflows": ("rag_multimodal", "system_design"),
    "How to answer Generative AI Interview Questions in a structured way": (
        "role_fit",
        "system_design",
    ),
    "Evaluation and metrics for text, image, and generative quality": ("evaluation",),
    "MLOps and deployment readiness for GenAI roles": ("mlops", "system_design"),
    "Ethics, governance, and security topics you must be able to discuss": ("ethics_governance",),
    "Conclusion": ("role_fit",),
}


# The team's supplement (knowledge/supplement/*.md) covers what the guide lacks. Its sections
# are cited as "Supplement > Top > Sub"; this maps each top-level title to its topics.
SUPPLEMENT_PREFIX = "Supplement > "
SUPPLEMENT_TOPICS: dict[str, tuple[Topic, ...]] = {
    "LLM inference and serving": ("inference_serving", "mlops", "system_design"),
    "Fine-tuning and post-training": ("post_training", "data_alignment"),
    "Reasoning": ("post_training", "prompting"),
    "Agents and tool use": ("agents", "system_design"),
    "Experimentation for AI features": ("experimentation", "evaluation"),
    "AI product sense": ("product_sense",),
    "Behavioural interviews": ("behavioural", "role_fit"),
    "Coding rounds in prose": ("coding",),
    "Decoding": ("llm_mechanics", "prompting"),
    "Evaluating LLMs": ("evaluation",),
    "Retrieval engineering": ("rag_multimodal", "llm_mechanics"),
    "Transformer internals": ("transformers",),
    "Image generation today": ("diffusion", "model_families"),
    "Classical ML evaluation": ("evaluation", "experimentation"),
    "Multimodal models and voice": ("rag_multimodal", "system_design"),
    "Safety engineering": ("ethics_governance", "system_design"),
}


def cited_source(section: str) -> tuple[str, str]:
    """Which source a cited section is from, and its path within it: ("Guide", "A > B") or
    ("Supplement", "Top > Sub"), for citations shown to the candidate."""
    if section.startswith(SUPPLEMENT_PREFIX):
        return "Supplement", section[len(SUPPLEMENT_PREFIX) :]
    return "Guide", section


def section_topics(section: str) -> tuple[Topic, ...]:
    """The topics of a cited section path, of the guide or of the supplement."""
    if section.startswith(SUPPLEMENT_PREFIX):
        top = section[len(SUPPLEMENT_PREFIX) :].split(" > ", 1)[0]
        return SUPPLEMENT_TOPICS.get(top, ())
    return SECTION_TOPICS.get(section.split(" > ", 1)[0], ())


def topic_title(value: str) -> str:
    """The display title of a topic id (the id itself for one the taxonomy does not know)."""
    topic = stored_topic(value)
    return TOPIC_TITLES[topic] if topic is not None else value
