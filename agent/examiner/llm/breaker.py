"""A circuit breaker: after a few failed answers in a row, stop asking the model for a while.

An endpoint that is down or far too slow costs the whole deadline on every answer. After
``failures`` consecutive failed answers the breaker opens: answers are assessed offline at
once, without a request, for ``cooldown`` seconds. The next answer after that tries the model
again; one more failure opens it again, a success closes it. Only the answer that opens it
carries a note, so the candidate is told once, not on every answer.

It belongs to the examiner, so it covers every session that examiner serves: an endpoint
that is down is down for all of them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class CircuitBreaker:
    def __init__(self, failures: int, cooldown: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.failures = failures  # 0 turns the breaker off
        self.cooldown = cooldown
        self.clock = clock
        self._lock = threading.Lock()
        self._in_a_row = 0
        self._open_until: float | None = None

    def allows_call(self) -> bool:
        with self._lock:
            return self._open_until is None or self.clock() >= self._open_until

    def succeeded(self) -> None:
        with self._lock:
            self._in_a_row = 0
            self._open_until = None

    def failed(self) -> bool:
        """Record a failed answer; True when this failure opens the breaker."""
        with self._lock:
            self._in_a_row += 1
            if not self.failures or self._in_a_row < self.failures:
                return False
            self._open_until = self.clock() + self.cooldown
            return True
