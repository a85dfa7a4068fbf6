"""The provider's routes are django-oauth-toolkit's plain Django views, not REST framework's:
this throttles them with the API's throttle (the client's address, the shared cache, the same
rates), answering OAuth's error shape or, for the pages, a page."""

import math
from collections.abc import Callable
from functools import wraps
from types import SimpleNamespace

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from csa.api.throttling import ClientIPThrottle


def too_many_requests(request: HttpRequest, *, seconds: int, page: bool) -> HttpResponse:
    message = f"请求过于频繁，请{seconds}秒后重试"
    if page:
        response = render(request, "oidc/message.html", {"message": message}, status=429)
    else:
        body = {"error": "temporarily_unavailable", "error_description": message}
        response = JsonResponse(body, status=429)
    response["Retry-After"] = str(seconds)
    return response


def throttled(scope: str, *, page: bool = False) -> Callable:
    """Throttle a view under one of REST_FRAMEWORK's DEFAULT_THROTTLE_RATES scopes."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def throttled_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            throttle = ClientIPThrottle()
            if not throttle.allow_request(request, SimpleNamespace(throttle_scope=scope)):
                seconds = max(1, math.ceil(throttle.wait() or 1))
                return too_many_requests(request, seconds=seconds, page=page)
            return view(request, *args, **kwargs)

        throttled_view.throttle_scope = scope
        return throttled_view

    return decorate
