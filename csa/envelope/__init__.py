"""The rewriting service's API surface: every answer is `{"code", "message", "data", "timestamp"}`.

Views return `EnvelopeResponse(data, message=...)`; errors become the same shape in one exception
handler; the renderer wraps both. Paths under these prefixes belong to this surface.
"""

PREFIXES = ("/otp", "/user/", "/ai/", "/points/")


def is_envelope_path(path: str) -> bool:
    return path == "/otp" or path.startswith(PREFIXES)
