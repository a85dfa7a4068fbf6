"""JWT access tokens bound to a server-side login session."""

from dataclasses import dataclass
from uuid import UUID

from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import LoginSession

SESSION_CLAIM = "sid"


@dataclass(frozen=True)
class AccessTokenClaims:
    user_uuid: UUID
    session_id: UUID


def access_token_issue(session: LoginSession) -> str:
    token = AccessToken()
    token[api_settings.USER_ID_CLAIM] = str(session.user.uuid)
    token[SESSION_CLAIM] = str(session.id)
    return str(token)


def bearer_token(authorization: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None for any other header."""
    scheme, _, raw = authorization.partition(" ")
    return raw.strip() if scheme.lower() == "bearer" else None


def access_token_expires_at(raw: str) -> int:
    """When a token just issued expires, in epoch seconds."""
    return int(AccessToken(raw)["exp"])


def access_token_lifetime_seconds() -> int:
    return int(api_settings.ACCESS_TOKEN_LIFETIME.total_seconds())


def access_token_read(raw: str) -> AccessTokenClaims | None:
    """The claims of a valid, unexpired access token; None for anything else."""
    try:
        token = AccessToken(raw)
        return AccessTokenClaims(
            user_uuid=UUID(token[api_settings.USER_ID_CLAIM]),
            session_id=UUID(token[SESSION_CLAIM]),
        )
    except (TokenError, KeyError, ValueError, TypeError):
        return None
