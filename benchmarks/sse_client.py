"""A minimal Gradio queue client over raw HTTP + server-sent events, as a browser talks to
the app (gradio_client polls every 50 ms, which would swamp a millisecond-scale measure)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx


class QueueClient:
    def __init__(self, url: str, config: dict[str, Any] | None = None, timeout: float = 60) -> None:
        """``config`` is the app's ``/config`` when already fetched (many clients of one app share it)."""
        self.url = url.rstrip("/")
        self.http = httpx.Client(timeout=timeout)
        self.session = uuid.uuid4().hex[:11]
        config = config if config is not None else self.http.get(f"{self.url}/config").json()
        self.endpoints = {d["api_name"]: d for d in config["dependencies"] if d.get("api_name")}
        self._components: list[dict[str, Any]] = config["components"]

    def call(self, api_name: str, *values: Any) -> list[Any]:
        """Run an endpoint; ``values`` fill its non-state inputs in order, and inputs left over
        send their component's initial value, as a browser would. Returns the final outputs."""
        dependency = self.endpoints[api_name]
        components = {c["id"]: c for c in self._components}
        data: list[Any] = []
        given = iter(values)
        for input_id in dependency["inputs"]:
            component = components[input_id]
            if component["type"] in ("state", "browserstate"):
                data.append(None)
            else:
                data.append(next(given, component.get("props", {}).get("value")))
        return self._run(dependency, data)

    def load(self, stored: dict[str, Any]) -> list[Any]:
        """Run the page's load event, as a browser opening the page does; ``stored`` is what the
        browser's storage holds (the app's BrowserState)."""
        config = self.http.get(f"{self.url}/config").json()
        dependency = next(d for d in config["dependencies"] if any(t[1] == "load" for t in d.get("targets", [])))
        return self._run(dependency, [stored for _ in dependency["inputs"]])

    def _run(self, dependency: dict[str, Any], data: list[Any]) -> list[Any]:
        body = {
            "data": data,
            "fn_index": dependency["id"],
            "session_hash": self.session,
            "event_data": None,
            "trigger_id": None,
        }
        self.http.post(f"{self.url}/gradio_api/queue/join", json=body).raise_for_status()
        with self.http.stream("GET", f"{self.url}/gradio_api/queue/data", params={"session_hash": self.session}) as r:
            for line in r.iter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    if not message.get("success", True):
                        raise RuntimeError(str(message.get("output")))
                    return list(message["output"]["data"])
        raise RuntimeError("the event stream ended without a result")

    def close(self) -> None:
        self.http.close()
