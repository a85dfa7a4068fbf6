"""OAuth clients, which customers register for their own programs (the secret is shown once,
kept only hashed), and the tokens customers grant them: they end when the client is deleted,
when its customer withdraws the authorization, and with the customer's password or account."""

from dataclasses import dataclass

from django.contrib.auth import login
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Grant, IDToken, RefreshToken

from accounts.lockout import sign_in_with_password
from accounts.models import User
from csa.errors import ApplicationError, ForbiddenError, UnauthorizedError
from oidc.models import Client, GrantType

REDIRECT_URIS_NEEDED = "授权码方式需要至少一个回调地址"
REFRESH_NEEDS_CODE = "刷新令牌只能与授权码方式一起使用"
CLIENTS_PER_OWNER = 20
TOO_MANY_CLIENTS = f"每个账号最多登记{CLIENTS_PER_OWNER}个 OAuth 客户端"


@dataclass(frozen=True)
class IssuedClientSecret:
    client: Client
    client_secret: str  # shown this once, never stored


def _grant_rules_check(*, redirect_uris: list[str], grant_types: list[str]) -> None:
    if GrantType.AUTHORIZATION_CODE in grant_types and not redirect_uris:
        raise ApplicationError(REDIRECT_URIS_NEEDED, status_code=422)
    if GrantType.REFRESH_TOKEN in grant_types and GrantType.AUTHORIZATION_CODE not in grant_types:
        raise ApplicationError(REFRESH_NEEDS_CODE, status_code=422)


@transaction.atomic
def client_create(
    *,
    owner: User,
    name: str,
    redirect_uris: list[str],
    grant_types: list[str],
    scopes: list[str],
) -> IssuedClientSecret:
    _grant_rules_check(redirect_uris=redirect_uris, grant_types=grant_types)
    # Locks the owner's row: two concurrent registrations count one after the other.
    User.objects.select_for_update().filter(pk=owner.pk).first()
    if Client.objects.filter(user=owner).count() >= CLIENTS_PER_OWNER:
        raise ApplicationError(TOO_MANY_CLIENTS)
    secret = generate_client_secret()
    client = Client.objects.create(
        user=owner,
        name=name,
        redirect_uris=" ".join(redirect_uris),
        grant_types=grant_types,
        scopes=scopes,
        client_type=Client.CLIENT_CONFIDENTIAL,
        # The toolkit's one grant type, which its forms show; Client.grant_types decides.
        authorization_grant_type=(
            Client.GRANT_AUTHORIZATION_CODE
            if GrantType.AUTHORIZATION_CODE in grant_types
            else Client.GRANT_CLIENT_CREDENTIALS
        ),
        algorithm=Client.RS256_ALGORITHM,
        client_secret=secret,
    )
    return IssuedClientSecret(client=client, client_secret=secret)


@transaction.atomic
def client_secret_rotate(*, client: Client) -> IssuedClientSecret:
    """A new secret; the old one stops at once. Tokens already issued live on."""
    secret = generate_client_secret()
    client.client_secret = secret
    client.save(update_fields=["client_secret", "updated"])
    return IssuedClientSecret(client=client, client_secret=secret)


@transaction.atomic
def client_delete(*, client: Client) -> None:
    """The client, and with it (by cascade) its codes and every token it holds."""
    client.delete()


def _tokens_revoke(**owned_by) -> None:
    RefreshToken.objects.filter(revoked__isnull=True, **owned_by).update(revoked=timezone.now())
    IDToken.objects.filter(**owned_by).delete()  # their access tokens go with them
    AccessToken.objects.filter(**owned_by).delete()
    Grant.objects.filter(**owned_by).delete()


@transaction.atomic
def user_oauth_tokens_revoke(*, user: User) -> None:
    """Every token `user` granted any client (a password change or reset, a disabled account)."""
    _tokens_revoke(user=user)


@transaction.atomic
def authorization_revoke(*, user: User, client: Client) -> None:
    """The customer withdraws what they granted `client`."""
    _tokens_revoke(user=user, application=client)


# --- the customer's browser session, for the authorization page -----------------------------

SIGN_IN_FAILED = "邮箱或密码错误"
ACCOUNT_DISABLED = "账号已被禁用"
ACCOUNT_UNPROVEN = "该账号尚未验证邮箱或手机号，请先在门户完成验证"
PASSWORD_CHANGE_REQUIRED = "请先在门户修改临时密码"  # noqa: S105 (a message, not a secret)


def customer_session_start(*, request: HttpRequest, email: str, password: str) -> User:
    """Sign a customer in to the /oauth/ pages with a browser session. The password counts
    towards the one lockout of every way in (accounts/lockout.py), whose 429 it raises; the API
    never reads a customer's session (accounts.authentication.StaffSessionAuthentication)."""
    user = sign_in_with_password(request=request, name=email, password=password)
    if user is None:
        raise UnauthorizedError(SIGN_IN_FAILED)
    if not user.is_active:
        raise ForbiddenError(ACCOUNT_DISABLED)
    if not (user.email_verified or user.phone):
        raise ForbiddenError(ACCOUNT_UNPROVEN)
    if user.password_change_required:
        raise ForbiddenError(PASSWORD_CHANGE_REQUIRED)
    login(request, user)
    return user
