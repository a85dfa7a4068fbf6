"""The ceiling: bare Django views that answer what the measured routes answer, from the same
queries, without DRF (no negotiation, parsers, serializers, throttles or permission classes).

Reads build their JSON by hand; writes call the same service functions, since what they store
is the work itself. A measured route's requests per second over its ceiling's is how much of the
machine the framework and our own code around the queries take.
"""

import json
from datetime import UTC, datetime

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import login_session_for_claims
from accounts.services.users import user_login_with_email
from accounts.tokens import access_token_lifetime_seconds, access_token_read, bearer_token
from csa.api.throttling import client_ip
from csa.envelope.responses import envelope
from points.selectors import points_transactions_of
from points.serializers import points_number
from rewriting.services import rewriting_task_submit
from rewriting.snapshots import snapshot_url
from tickets.models import Ticket, TicketType
from tickets.selectors import ticket_list
from tickets.services import ticket_create

UNAUTHORIZED = JsonResponse({"detail": "无效的认证凭据"}, status=401)


def _user(request: HttpRequest):
    raw = bearer_token(request.META.get("HTTP_AUTHORIZATION", ""))
    claims = access_token_read(raw) if raw else None
    session = login_session_for_claims(claims) if claims else None
    return session.user if session is not None and session.user.is_active else None


def _iso(moment: datetime | None) -> str | None:
    """As DRF's DateTimeField writes a time."""
    if moment is None:
        return None
    text = moment.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def _milliseconds(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


def _enveloped(data, message: str) -> JsonResponse:
    return JsonResponse(envelope(status=200, message=message, data=data))


@require_GET
def me(request: HttpRequest) -> JsonResponse:
    user = _user(request)
    if user is None:
        return UNAUTHORIZED
    return JsonResponse(
        {
            "id": str(user.uuid),
            "email": user.email,
            "role": user.role,
            "is_active": user.is_active,
            "created_at": _iso(user.created_at),
            "updated_at": _iso(user.updated_at),
            "full_name": user.full_name,
            "phone_number": user.phone_number,
            "avatar_url": user.avatar_url,
            "bio": user.bio,
        }
    )


def _ticket(ticket: Ticket) -> dict:
    return {
        "id": str(ticket.id),
        "title": ticket.title,
        "ticket_type": ticket.ticket_type,
        "content": ticket.content,
        "status": ticket.status,
        "feedback": ticket.feedback,
        "creator_email": ticket.creator.email,
        "responder_email": ticket.responder.email if ticket.responder else None,
        "created_at": _iso(ticket.created_at),
        "updated_at": _iso(ticket.updated_at),
        "replied_at": _iso(ticket.replied_at),
    }


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
        return JsonResponse(_ticket(ticket), status=201)
    skip = int(request.GET.get("skip", 0))
    limit = int(request.GET.get("limit", 10))
    rows = ticket_list(user=user)
    return JsonResponse(
        {"total": rows.count(), "items": [_ticket(t) for t in rows[skip : skip + limit]]}
    )


@require_GET
def transactions(request: HttpRequest) -> JsonResponse:
    user = _user(request)
    if user is None:
        return UNAUTHORIZED
    page = int(request.GET.get("page", 1))
    limit = int(request.GET.get("limit", 20))
    rows = points_transactions_of(user=user)
    total = rows.count()
    pages = -(-total // limit)
    items = [
        {
            "id": row.id,
            "profile_id": row.user_id,
            "transaction_type": row.transaction_type,
            "amount": points_number(row.amount),
            "balance_after": points_number(row.balance_after),
            "description": row.description,
            "reference_id": row.reference_id,
            "user_input_file_url": snapshot_url(row.user_input_file, request=request),
            "ai_response_file_url": snapshot_url(row.ai_response_file, request=request),
            "is_successful": row.is_successful,
            "created_at": _milliseconds(row.created_at),
        }
        for row in rows[(page - 1) * limit : page * limit]
    ]
    pagination = {
        "current_page": page,
        "per_page": limit,
        "total": total,
        "total_pages": pages,
        "has_next_page": page < pages,
        "has_prev_page": page > 1,
    }
    return _enveloped({"transactions": items, "pagination": pagination}, "查询积分交易记录成功")


@csrf_exempt
@require_POST
def reduce_task(request: HttpRequest) -> JsonResponse:
    user = _user(request)
    if user is None:
        return UNAUTHORIZED
    body = json.loads(request.body)
    task = rewriting_task_submit(
        user=user, text=body["text"], platform=body["platform"], task_type=body["type"]
    )
    data = {
        "taskId": task.upstream_task_id,
        "service": task.service,
        "newBalance": points_number(task.spend.balance_after),
        "cost": points_number(task.cost),
    }
    return _enveloped(data, "任务提交成功")


@csrf_exempt
@require_POST
def login(request: HttpRequest) -> JsonResponse:
    body = json.loads(request.body)
    issued = user_login_with_email(
        email=body["email"],
        password=body["password"],
        client_ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    return JsonResponse(
        {
            "access_token": issued.access_token,
            "token_type": "bearer",
            "expires_in": access_token_lifetime_seconds(),
        }
    )
