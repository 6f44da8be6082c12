"""Short human-readable texts for sizes, speeds, durations and download states shown in the window."""

from __future__ import annotations

from hfgui.core.errors import format_bytes
from hfgui.core.types import RetryNotice

UNKNOWN_SIZE = "—"


def size_text(n: int | None) -> str:
    """A byte count as disk tools show it, or "—" while it is not known (the cell's tooltip says why)."""
    return UNKNOWN_SIZE if n is None else format_bytes(n)


def speed_text(bytes_per_second: float) -> str:
    return f"{format_bytes(bytes_per_second)}/s" if bytes_per_second > 0 else ""


def duration_text(seconds: float | None) -> str:
    """Remaining time as "1 h 05 min", "4 min 10 s" or "12 s"; empty when unknown."""
    if seconds is None or seconds < 0:
        return ""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def permille(done: int, total: int) -> int:
    """Progress in thousandths (0–1000): Qt progress values are 32-bit ints, byte counts are not."""
    if total <= 0:
        return 0
    return max(0, min(1000, done * 1000 // total))


def reconnecting_text(notice: RetryNotice) -> str:
    """ "Reconnecting… (attempt 2, connection dropped)" while a transfer waits to try again."""
    return f"Reconnecting… (attempt {notice.attempt}, {notice.reason})"


# How the window names frameworks (the models list's groups) and file formats, in every tab.
GROUP_LABELS = {
    "coreml": "Core ML",
    "llama.cpp": "GGUF (llama.cpp)",
    "onnxruntime": "ONNX",
    "mlx": "MLX",
    "transformers": "safetensors",
    "other": "Other",
}
FORMAT_LABELS = {
    "mlpackage": ".mlpackage",
    "mlmodel": ".mlmodel",
    "zip": "zip",
    "gguf": "GGUF",
    "onnx": "ONNX",
    "mlx": "MLX",
    "safetensors": "safetensors",
    "other": "other",
}


def format_label(fmt: str | None) -> str:
    """How every tab names a format: catalog formats, and what the importer detects on disk (it calls
    an ``.mlmodel`` "coreml")."""
    if not fmt:
        return ""
    return FORMAT_LABELS.get("mlmodel" if fmt == "coreml" else fmt, fmt)
