from django.conf import settings
from rest_framework.throttling import ScopedRateThrottle

from csa.cache import cache_best_effort


def client_ip(request) -> str:
    """The client's address: the socket's, unless trusted proxies say otherwise.

    Each trusted proxy appends the address it saw to X-Forwarded-For, so with N proxies the
    client is the N-th entry from the right; anything further left is the client's own claim.
    """
    remote_addr = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies <= 0 or not forwarded:
        return remote_addr
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return remote_addr
    return hops[-min(proxies, len(hops))]


class ClientIPThrottle(ScopedRateThrottle):
    """The scoped throttle, keyed by the client address as `client_ip` decides it.

    It lets requests through while the shared cache is down: an outage of Redis should not take
    the whole service with it, and what costs money (sending codes) refuses on its own.
    """

    def get_ident(self, request) -> str:
        return client_ip(request)

    def allow_request(self, request, view) -> bool:
        with cache_best_effort(f"throttle {self.scope}"):
            return super().allow_request(request, view)
        return True
