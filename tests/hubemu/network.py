"""A far-away Hub on loopback: a round trip per request and per new connection, a rate cap per connection.

Loopback has neither (real-network.md): every request answers at once and one connection carries as much
as the CPU can push. `NetworkProfile` puts both back, settable per test and changeable while running:

- `rtt` (seconds): every answer waits one round trip after its request arrived, and a new connection waits
  one more before its first request is read (the TCP handshake).
- `connection_rate` (bytes/s, 0 = unlimited): each CDN connection sends at most this fast (per-stream
  shaping on the path or at the edge: the reason segmented downloaders exist).
- `hub_connection_rate`: the same for connections to the Hub host (regular files come from it); 0 by default.
- `link_rate` (bytes/s, 0 = unlimited): all CDN connections together send at most this fast (the user's
  own link): past it, another connection only takes a share from the others.

The emulator's sockets have TCP_NODELAY set (the handler's `disable_nagle_algorithm`), so a keep-alive
request costs exactly the round trip set here and not a delayed-ACK stall on top.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

# Bytes written between two pacing waits: small enough that a capped stream flows evenly, large enough
# that 8 streams at 40 MiB/s cost the emulator a few hundred wake-ups a second, not tens of thousands.
PACE_PIECE = 256 * 1024


@dataclass
class NetworkProfile:
    rtt: float = 0.0
    connection_rate: int = 0
    hub_connection_rate: int = 0
    link_rate: int = 0

    def rate_for(self, role: str) -> int:
        return self.connection_rate if role == "cdn" else self.hub_connection_rate

    @property
    def active(self) -> bool:
        return self.rtt > 0 or self.connection_rate > 0 or self.hub_connection_rate > 0 or self.link_rate > 0


class Pacer:
    """Holds one connection to a byte rate: `wait(n)` before sending n bytes sleeps until they are due.

    No burst allowance beyond the current piece: a capped stream is capped from its first byte, as a
    shaped TCP stream is. An idle connection does not bank credit (the clock restarts after a pause).
    """

    def __init__(self, closing: threading.Event, clock=time.monotonic) -> None:
        self._closing = closing
        self._clock = clock
        self._due = 0.0

    def wait(self, nbytes: int, rate: int) -> bool:
        """Sleep until `nbytes` may go out at `rate` bytes/s; False when the emulator closes meanwhile."""
        if rate <= 0:
            return True
        return self._sleep(self._book(nbytes, rate))

    def _book(self, nbytes: int, rate: int) -> float:
        """Reserve the next `nbytes` at `rate`; returns how long to wait before sending them."""
        now = self._clock()
        start = max(self._due, now)  # an idle stretch banks no credit
        self._due = start + nbytes / rate
        return start - now

    def _sleep(self, delay: float) -> bool:
        return delay <= 0 or not self._closing.wait(delay)


class SharedPacer(Pacer):
    """One pacer for many connections at once (the link): each piece books its slot under a lock."""

    def __init__(self, closing: threading.Event, clock=time.monotonic) -> None:
        super().__init__(closing, clock)
        self._lock = threading.Lock()

    def wait(self, nbytes: int, rate: int) -> bool:
        if rate <= 0:
            return True
        with self._lock:
            delay = self._book(nbytes, rate)
        return self._sleep(delay)
