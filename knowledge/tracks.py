"""How much each role track draws from each topic: the shape of a session.

A question's role weight says whether it suits a role; a track's topic weight says how often
that role's sessions should land on the topic. The planner multiplies the two, so a product
manager's sessions centre on product sense, rollout, risk, evaluation and cost, a
researcher's on architectures, post-training, ablations and reasoning, an ML engineer's on
serving, MLOps, system design and retrieval, and a data scientist's on evaluation,
experimentation and metrics. Weights are relative within a track; 0 would drop a topic.
"""

from __future__ import annotations

from knowledge.taxonomy import Role, Topic

TRACK_TOPIC_WEIGHTS: dict[Role, dict[Topic, float]] = {
    "ml_engineer": {
        "inference_serving": 3.0,
        "mlops": 3.0,
        "system_design": 3.0,
        "rag_multimodal": 2.5,
        "agents": 2.0,
        "coding": 2.0,
        "llm_mechanics": 2.0,
        "prompting": 1.5,
        "post_training": 1.5,
        "evaluation": 1.5,
        "transformers": 1.5,
        "ethics_governance": 1.0,
        "data_alignment": 1.0,
        "behavioural": 1.0,
        "experimentation": 0.6,
        "role_fit": 0.6,
        "fundamentals": 0.4,
        "product_sense": 0.4,
        "diffusion": 0.4,
        "architectures": 0.3,
        "model_families": 0.3,
        "gans": 0.2,
    },
    "researcher": {
        "post_training": 3.0,
        "transformers": 3.0,
        "evaluation": 2.5,
        "data_alignment": 2.0,
        "coding": 1.5,
        "llm_mechanics": 1.5,
        "inference_serving": 1.2,
        "diffusion": 1.0,
        "architectures": 1.0,
        "prompting": 1.0,
        "rag_multimodal": 1.0,
        "agents": 1.0,
        "behavioural": 0.8,
        "model_families": 0.6,
        "ethics_governance": 0.6,
        "experimentation": 0.6,
        "role_fit": 0.6,
        "fundamentals": 0.5,
        "gans": 0.4,
        "system_design": 0.4,
        "mlops": 0.3,
        "product_sense": 0.2,
    },
    "data_scientist": {
        "evaluation": 3.0,
        "experimentation": 3.0,
        "data_alignment": 2.0,
        "prompting": 1.5,
        "rag_multimodal": 1.5,
        "llm_mechanics": 1.2,
        "coding": 1.2,
        "post_training": 1.2,
        "ethics_governance": 1.2,
        "mlops": 1.0,
        "agents": 1.0,
        "product_sense": 1.0,
        "behavioural": 1.0,
        "fundamentals": 0.8,
        "role_fit": 0.8,
        "system_design": 0.7,
        "transformers": 0.6,
        "inference_serving": 0.5,
        "model_families": 0.4,
        "architectures": 0.3,
        "diffusion": 0.3,
        "gans": 0.2,
    },
    "product": {
        "product_sense": 3.0,
        "ethics_governance": 2.5,
        "mlops": 2.0,
        "evaluation": 2.0,
        "system_design": 1.5,
        "experimentation": 1.5,
        "agents": 1.5,
        "behavioural": 1.5,
        "role_fit": 1.0,
        "prompting": 1.0,
        "rag_multimodal": 1.0,
        "llm_mechanics": 1.0,
        "inference_serving": 0.8,
        "fundamentals": 0.8,
        "data_alignment": 0.8,
        "post_training": 0.3,
        "transformers": 0.3,
        "diffusion": 0.2,
        "model_families": 0.2,
        "architectures": 0.1,
        "gans": 0.1,
        "coding": 0.0,
    },
}


def track_weight(role: Role, topic: Topic) -> float:
    """The relative share of ``role``'s sessions meant for ``topic``."""
    return TRACK_TOPIC_WEIGHTS[role][topic]
