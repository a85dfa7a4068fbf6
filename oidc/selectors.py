from django.db.models import Q, QuerySet

from accounts.models import User
from csa.errors import NotFoundError
from oidc.models import Client

CLIENT_NOT_FOUND = "OAuth 客户端不存在"


def clients_of(*, user: User) -> QuerySet[Client]:
    return Client.objects.filter(user=user).order_by("-created", "-id")


def client_of(*, user: User, client_id: str) -> Client:
    """The user's own client; anyone else's is as missing as one that never was."""
    client = clients_of(user=user).filter(client_id=client_id).first()
    if client is None:
        raise NotFoundError(CLIENT_NOT_FOUND)
    return client


def authorized_clients_of(*, user: User) -> QuerySet[Client]:
    """The clients holding a live token `user` granted."""
    live = Q(accesstoken__user=user) | Q(refreshtoken__user=user, refreshtoken__revoked=None)
    return Client.objects.filter(live).distinct().order_by("-created", "-id")


def authorized_client_of(*, user: User, client_id: str) -> Client:
    client = authorized_clients_of(user=user).filter(client_id=client_id).first()
    if client is None:
        raise NotFoundError(CLIENT_NOT_FOUND)
    return client
