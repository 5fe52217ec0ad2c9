"""Hand-written answers more than one test reads."""

# A substantive answer to exp-llm-feature-metrics, hedged throughout: the critique prices its hedges.
HEDGED = (
    "Basically I think the main metric is probably the share of conversations resolved without a human, "
    "maybe checked a few days later for repeat contacts on the same issue. It depends on the stakeholders, "
    "but I would also sample conversations each week and grade them against policy, and I guess track "
    "latency and cost per conversation so things do not get worse. Thumbs-up ratings are sparse and biased, "
    "so I would use them for triage and not as the success metric."
)
