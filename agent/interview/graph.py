"""The interviewer as a LangGraph state machine. Wiring only: the steps live in nodes.py,
the decisions in routes.py.

Multi-turn pattern: every candidate message is one run. The run starts at ``route_turn``,
does the work that message calls for, and ends once the interviewer has said its next
thing; the next message re-invokes the graph on the same ``thread_id`` (the session id).
This was chosen over ``interrupt()`` because each turn is then a complete, checkpointed run
with its input in the state: nothing re-executes a half-finished node on resume, and a
run killed mid-turn is finished by invoking the thread again with no input.

    START ─route_turn─┬─ plan_session ─ ask_question ─ END
                      ├─ record_answer ─ assess_answer ─┬─ ask_follow_up ─ END
                      │                                 └─ close_question ─┬─ ask_question ─ END
                      ├─ skip_question ─ close_question                    └─ wrap_up ─ END
                      ├─ retry_question ─ END  (the same question again; the best attempt counts)
                      ├─ end_early ─┬─ close_question
                      │             └─ wrap_up
                      └─ session_over ─ END
"""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agent.interview import nodes, routes
from agent.interview.context import InterviewContext
from agent.interview.state import InterviewState


def build_graph(
    checkpointer: BaseCheckpointSaver[Any] | None = None,
) -> CompiledStateGraph[InterviewState, InterviewContext, InterviewState, InterviewState]:
    graph = StateGraph(InterviewState, context_schema=InterviewContext)
    for node in (
        nodes.plan_session,
        nodes.ask_question,
        nodes.record_answer,
        nodes.assess_answer,
        nodes.ask_follow_up,
        nodes.close_question,
        nodes.skip_question,
        nodes.retry_question,
        nodes.end_early,
        nodes.wrap_up,
        nodes.session_over,
    ):
        graph.add_node(node.__name__, node)

    graph.add_conditional_edges(START, routes.route_turn)
    graph.add_edge("plan_session", "ask_question")
    graph.add_edge("ask_question", END)
    graph.add_edge("record_answer", "assess_answer")
    graph.add_conditional_edges("assess_answer", routes.route_after_assessment)
    graph.add_edge("ask_follow_up", END)
    graph.add_conditional_edges("close_question", routes.route_after_close)
    graph.add_edge("skip_question", "close_question")
    graph.add_edge("retry_question", END)
    graph.add_conditional_edges("end_early", routes.route_after_end)
    graph.add_edge("wrap_up", END)
    graph.add_edge("session_over", END)
    return graph.compile(checkpointer=checkpointer)
