"""What an OpenAI-compatible endpoint said when it refused a request: its status phrase, its own words, its retry-after.

Pure reading of the ``openai`` client's exceptions, so the adapter's messages can quote the server.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import openai

_MAX_RETRY_AFTER = 60.0


def phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def server_text(exc: openai.APIStatusError, api_key: str = "") -> str:
    """The server's own error text, on one line and at most 300 characters; "" when it gave none.

    Understands OpenAI's ``{"error": {"message": ...}}`` (the client unwraps ``error``), FastAPI's
    ``{"detail": ...}`` and a plain-text body. The API key is blanked should a server echo it.
    """
    body = exc.body
    text: object = body
    if isinstance(body, dict):
        text = body.get("message") or body.get("detail") or body.get("error") or ""
    if isinstance(text, list):  # FastAPI's validation errors: [{"loc": [...], "msg": ...}, ...]
        text = "; ".join(validation_error(item) for item in text)
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if not text.strip():
        text = exc.response.text if exc.response is not None else ""
    line = " ".join(text.split())
    if len(api_key) >= 8:  # a short placeholder key ("x") would garble the text instead
        line = line.replace(api_key, "***")
    return line[:300]


def validation_error(item: object) -> str:
    if not isinstance(item, dict):
        return str(item)
    loc = item.get("loc")
    where = ".".join(str(part) for part in loc) if isinstance(loc, list) else ""
    return f"{where}: {item.get('msg', '')}" if where else str(item.get("msg", ""))


def retry_after(exc: openai.APIStatusError) -> float | None:
    value = exc.response.headers.get("retry-after")
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    if seconds is None or not 0 <= seconds < float("inf"):  # "nan", "inf" and negatives say nothing usable
        return None
    return min(seconds, _MAX_RETRY_AFTER)
