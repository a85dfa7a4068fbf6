"""Cloudflare Turnstile's siteverify: is the token a visitor's browser sent a real, unspent pass?"""

import logging

import requests
from django.conf import settings

from csa.errors import ApplicationError, ServiceUnavailableError

logger = logging.getLogger(__name__)

TOKEN_MAX_LENGTH = 2048
VERIFICATION_FAILED = "Turnstile验证失败"
VERIFIER_UNAVAILABLE = "人机验证服务暂时不可用，请稍后重试"
# Refusals that are not the visitor's doing: our secret is wrong, or Cloudflare failed.
SERVER_SIDE_ERRORS = {"missing-input-secret", "invalid-input-secret", "internal-error"}
CLOUDFLARE_SITEVERIFY = "https://challenges.cloudflare.com/turnstile/v0/siteverify"


def _refusal(*error_codes: str) -> dict:
    return {"success": False, "error-codes": list(error_codes)}


# What Cloudflare documents its siteverify answers for its test secrets, whatever the token:
# always passes, always fails, and "token already spent".
TEST_VERDICTS = dict(
    zip(
        settings.TURNSTILE_TEST_SECRETS,
        (
            {"success": True, "error-codes": []},
            _refusal("invalid-input-response"),
            _refusal("timeout-or-duplicate"),
        ),
        strict=True,
    )
)


def turnstile_verify(*, token: str, remote_ip: str) -> None:
    """Return when Cloudflare accepts the token; 400 when it refuses it, 503 when it cannot say.

    Neither the token nor the secret is ever logged.
    """
    if len(token) > TOKEN_MAX_LENGTH:
        logger.info("Turnstile token refused unsent: %d characters", len(token))
        raise ApplicationError(VERIFICATION_FAILED)
    outcome = _siteverify(token=token, remote_ip=remote_ip)
    if outcome.get("success") is True:
        return
    error_codes = outcome.get("error-codes")
    if SERVER_SIDE_ERRORS.intersection(error_codes or ()):
        logger.error("Turnstile siteverify cannot check tokens: error-codes=%s", error_codes)
        raise ServiceUnavailableError(VERIFIER_UNAVAILABLE)
    logger.info("Turnstile refused a token: error-codes=%s", error_codes)
    raise ApplicationError(VERIFICATION_FAILED)


def _siteverify(*, token: str, remote_ip: str) -> dict:
    """Cloudflare's verdict as a JSON object; a 5xx or anything else means it could not say.
    A test secret meant for Cloudflare's own siteverify is answered here as Cloudflare documents,
    so the embedded default (`make run`, test mode) works with no internet."""
    test_verdict = TEST_VERDICTS.get(settings.TURNSTILE_SECRET_KEY)
    if test_verdict is not None and settings.TURNSTILE_VERIFY_URL == CLOUDFLARE_SITEVERIFY:
        return test_verdict if token else _refusal("missing-input-response")
    form = {"secret": settings.TURNSTILE_SECRET_KEY, "response": token}
    if remote_ip:
        form["remoteip"] = remote_ip
    try:
        response = requests.post(
            settings.TURNSTILE_VERIFY_URL, data=form, timeout=settings.TURNSTILE_TIMEOUT_SECONDS
        )
        outcome = response.json() if response.status_code < 500 else None
    except (requests.RequestException, ValueError) as exc:
        logger.warning("Turnstile siteverify unreachable or not JSON: %s", type(exc).__name__)
        raise ServiceUnavailableError(VERIFIER_UNAVAILABLE) from exc
    if not isinstance(outcome, dict):
        logger.warning("Turnstile siteverify answered HTTP %s", response.status_code)
        raise ServiceUnavailableError(VERIFIER_UNAVAILABLE)
    return outcome
