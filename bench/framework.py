"""The framework cost: Django views without DRF (no negotiation, parsers, serializers,
throttles or permission classes) that call our own selectors, services and answer functions.

A route's requests per second over these views' is what DRF's view layer costs; the bare
ceiling (bench/ceiling.py) is the measure of the whole.
"""

import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import login_session_for_claims
from accounts.serializers import user_data
from accounts.services.users import user_login_with_email
from accounts.tokens import access_token_lifetime_seconds, access_token_read, bearer_token
from csa.envelope.responses import envelope
from csa.envelope.serializers import pagination_of
from points.selectors import points_transaction_page
from points.serializers import points_number, transaction_data
from rewriting.services import rewriting_task_submit
from tickets.models import TicketType
from tickets.selectors import ticket_page
from tickets.serializers import ticket_data
from tickets.services import ticket_create

UNAUTHORIZED = JsonResponse({"detail": "无效的认证凭据"}, status=401)


def _user(request: HttpRequest):
    raw = bearer_token(request.META.get("HTTP_AUTHORIZATION", ""))
    claims = access_token_read(raw) if raw else None
    session = login_session_for_claims(claims) if claims else None
    return session.user if session is not None and session.user.is_active else None


def _enveloped(data, message: str) -> JsonResponse:
    return JsonResponse(envelope(status=200, message=message, data=data))


@require_GET
def me(request: HttpRequest) -> JsonResponse:
    user = _user(request)
    return UNAUTHORIZED if user is None else JsonResponse(user_data(user))


@csrf_exempt
def tickets(request: HttpRequest) -> JsonResponse:
    user = _user(request)
    if user is None:
        return UNAUTHORIZED
    if request.method == "POST":
        body = json.loads(request.body)
        if body.get("ticket_type") not in TicketType.values:
            return JsonResponse({"detail": "工单类型无效"}, status=422)
        ticket = ticket_create(
            creator=user,
            title=body["title"],
            ticket_type=body["ticket_type"],
            content=body["content"],
        )
        return JsonResponse(ticket_data(ticket), status=201)
    skip = int(request.GET.get("skip", 0))
    limit = int(request.GET.get("limit", 10))
    rows, total = ticket_page(user=user, status=None, start=skip, stop=skip + limit)
    return JsonResponse({"total": total, "items": [ticket_data(t) for t in rows]})


@require_GET
def transactions(request: HttpRequest) -> JsonResponse:
    user = _user(request)
    if user is None:
        return UNAUTHORIZED
    page = int(request.GET.get("page", 1))
    limit = int(request.GET.get("limit", 20))
    rows, total = points_transaction_page(user=user, first=(page - 1) * limit, stop=page * limit)
    pagination = pagination_of(page=page, limit=limit, total=total)
    items = [transaction_data(row, request=request) for row in rows]
    return _enveloped({"transactions": items, "pagination": pagination}, "查询积分交易记录成功")


@csrf_exempt
@require_POST
def reduce_task(request: HttpRequest) -> JsonResponse:
    user = _user(request)
    if user is None:
        return UNAUTHORIZED
    body = json.loads(request.body)
    submission = rewriting_task_submit(
        user=user, text=body["text"], platform=body["platform"], task_type=body["type"]
    )
    data = {
        "taskId": submission.upstream_task_id,
        "service": submission.service,
        "newBalance": points_number(submission.new_balance),
        "cost": points_number(submission.cost),
    }
    return _enveloped(data, "任务提交成功")


@csrf_exempt
@require_POST
def login(request: HttpRequest) -> JsonResponse:
    body = json.loads(request.body)
    issued = user_login_with_email(request=request, email=body["email"], password=body["password"])
    return JsonResponse(
        {
            "access_token": issued.access_token,
            "token_type": "bearer",
            "expires_in": access_token_lifetime_seconds(),
        }
    )
