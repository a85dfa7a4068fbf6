"""Every public route under /api/ is throttled."""

from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.views import APIView


def walk(patterns, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, route)
        else:
            yield route, pattern


def api_views(prefixes: tuple[str, ...] = ("api/",)) -> list[tuple[str, type[APIView]]]:
    views = []
    for route, pattern in walk(get_resolver().url_patterns):
        view_class = getattr(pattern.callback, "view_class", None)
        # The gateways' callbacks are plain Django views: verified by signature, never throttled.
        if route.startswith(prefixes) and view_class and issubclass(view_class, APIView):
            views.append((route, view_class))
    return views


def rewriting_views() -> list[tuple[str, type[APIView]]]:
    return api_views(
        (
            "otp",
            "user/",
            "ai/",
            "points/",
            "rewriting/",
            "rewrite/",
            "alipay/",
            "wechatpay/",
            "^(?:otp",
        )
    )


def is_public(view_class: type[APIView]) -> bool:
    return any(issubclass(p, AllowAny) for p in view_class.permission_classes)


def test_the_walk_finds_the_api_routes():
    routes = {route for route, _ in api_views()}

    assert {"api/", "api/health", "api/auth/login", "api/users/me"} <= routes
    assert all(issubclass(view, APIView) for _, view in api_views())


def test_every_public_api_view_is_throttled():
    unthrottled = {
        route for route, view in api_views() if is_public(view) and not view().get_throttles()
    }

    assert unthrottled == set()


def test_public_account_routes_are_throttled_per_scope():
    scopes = {route: view.throttle_scope for route, view in api_views() if is_public(view)}

    assert scopes == {
        "api/": "public",
        "api/health": "public",
        "api/auth/send-code": "send_code",
        "api/auth/register": "register",
        "api/auth/login": "login",
        "api/auth/token": "login",
        "api/auth/send-sms-code": "send_code",
        "api/auth/login-by-sms": "login",
        "api/auth/reset-password-by-sms": "login",
        "api/auth/send-reset-code": "send_code",
        "api/auth/reset-password": "login",
        "api/application-key/validate": "key_validate",
        "api/passkey/authentication-options": "public",
        "api/passkey/authenticate": "login",
        "api/projects/files/download/<str:token>": "public",
        "api/files/download/<str:token>": "public",
        "api/tickets/attachments/download/<str:token>": "public",
        "api/schema/": "public",
        "api/docs/": "public",
        "api/owa/info": "contact",
        "api/^.*$": "public",
    }


def test_public_rewriting_routes_are_throttled_per_scope():
    scopes = {
        route: view.throttle_scope
        for route, view in rewriting_views()
        if is_public(view) and view().get_throttles()
    }
    public = {route for route, view in rewriting_views() if is_public(view)}

    assert set(scopes) == public
    assert scopes == {
        "otp": "send_code",
        "user/register": "register",
        "user/login": "login",
        "user/refresh": "login",
        "user/forgot-password": "send_code",
        "user/reset-password": "login",
        "user/logout": "public",
        "rewriting/snapshots/<str:token>": "public",
        "rewrite/documents/<str:token>": "public",
        "^(?:otp|user|ai|points|rewrite|alipay|wechatpay)(?:/.*)?$": "public",
    }


def test_private_api_views_require_authentication():
    private = {route: view for route, view in api_views() if not is_public(view)}

    assert {"api/auth/me", "api/users/me", "api/tickets"} <= set(private)
    unguarded = {
        route
        for route, view in private.items()
        if not any(isinstance(p, IsAuthenticated) for p in view().get_permissions())
    }
    assert unguarded == set()
