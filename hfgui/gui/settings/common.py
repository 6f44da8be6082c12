"""What the Settings pages share: their titles, the error style, a one-line message from an error."""

from __future__ import annotations

PROXY_MODE_LABELS = {"system": "System settings", "none": "No proxy", "manual": "Manual"}
MEGABYTE = 1_000_000  # the bandwidth spin box counts decimal MB/s, as sizes are shown
MAX_RATE_MB = 100_000
ERROR_STYLE = "color: #c62828;"
# Page titles: messages elsewhere send people to "Settings → Network".
PAGE_ACCOUNT = "Account"
PAGE_DOWNLOADS = "Downloads"
PAGE_NETWORK = "Network"
PREFERRED_WIDTH = 700  # room for a library path and the proxy placeholder; less on a smaller screen
MESSAGE_ROOM = 60  # a wrapped notice or error under the fields
TOKEN_INTRO = (
    "Public models download without a token. A Hugging Face token adds: gated models whose license "
    "you have accepted, your own private models, and higher rate limits. A read token is enough."
)


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
