"""The ceiling: bare Django views, under the same settings and middleware as the app, that give
the measured routes' answers from hand-written SQL and `json`, with none of the app's code.

Each does what its route must: check the token's signature and its login session, read or write
the same rows (the ticket tallies, the ledger's count), and answer the same JSON, which the
bench checks before measuring. What it leaves out is everything a framework adds: DRF's request
and response, the ORM, serializers, the app's own layers.
"""

import functools
import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import jwt
from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

TYPES = {"financial", "technical", "business"}
SNAPSHOT_SALT = "rewriting.snapshot"


def _json(body, status: int = 200) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type="application/json",
    )


def _error(detail: str, status: int) -> HttpResponse:
    return _json({"detail": detail}, status)


def _portal_time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _ledger_time(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


def _points(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


USER_COLUMNS = (
    "u.id, u.uuid, u.email, u.role, u.is_active, u.created_at, u.updated_at, u.full_name, "
    "u.phone_number, u.avatar_url, u.bio, u.email_verified_at, s.revoked_at, s.expires_at, "
    "u.phone"
)


def _signed_in(request: HttpRequest) -> tuple[tuple | None, HttpResponse | None]:
    """The user row of a live session the bearer token names, or the refusal."""
    scheme, _, raw = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    try:
        claims = jwt.decode(raw.strip(), settings.SIMPLE_JWT["SIGNING_KEY"], algorithms=["HS256"])
        if scheme.lower() != "bearer" or claims.get("token_type") != "access":
            raise jwt.InvalidTokenError
        session_id, user_uuid = uuid.UUID(claims["sid"]), uuid.UUID(claims["sub"])
    except (jwt.InvalidTokenError, KeyError, ValueError, TypeError):
        return None, _error("无效的认证凭据", 401)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {USER_COLUMNS} FROM accounts_loginsession s "  # noqa: S608 (constants)
            "JOIN accounts_user u ON u.id = s.user_id WHERE s.id = %s AND u.uuid = %s",
            [session_id, user_uuid],
        )
        row = cursor.fetchone()
    if row is None:
        return None, _error("无效的认证凭据", 401)
    if not row[4]:
        return None, _error("账号已被禁用", 403)
    if row[12] is not None or row[13] <= datetime.now(UTC):
        return None, _error("无效的认证凭据", 401)
    return row, None


def _portal_user(request: HttpRequest) -> tuple[tuple | None, HttpResponse | None]:
    row, refusal = _signed_in(request)
    if row is not None and row[11] is None and row[14] is None:
        return None, _error("请先验证邮箱后再使用客户服务门户", 403)
    return row, refusal


def me(request: HttpRequest) -> HttpResponse:
    row, refusal = _portal_user(request)
    if refusal:
        return refusal
    _, user_uuid, email, role, active, created, updated, name, phone, avatar, bio = row[:11]
    return _json(
        {
            "id": str(user_uuid),
            "email": email,
            "email_verified": row[11] is not None,
            "phone": row[14],
            "role": role,
            "is_active": active,
            "created_at": _portal_time(created),
            "updated_at": _portal_time(updated),
            "full_name": name,
            "phone_number": phone,
            "avatar_url": avatar,
            "bio": bio,
        }
    )


def _ticket(row: tuple, creator_email: str) -> dict:
    ticket_id, title, ticket_type, content, status, feedback, created, updated, replied = row[:9]
    closed, closed_final, responder_email = row[9:12]
    return {
        "id": str(ticket_id),
        "title": title,
        "ticket_type": ticket_type,
        "content": content,
        "status": status,
        "feedback": feedback,
        "creator_email": creator_email,
        "responder_email": responder_email,
        "created_at": _portal_time(created),
        "updated_at": _portal_time(updated),
        "replied_at": _portal_time(replied),
        "closed_at": _portal_time(closed),
        "closed_final": closed_final,
    }


@csrf_exempt
def tickets(request: HttpRequest) -> HttpResponse:
    user, refusal = _portal_user(request)
    if refusal:
        return refusal
    if request.method == "POST":
        return _ticket_create(request, user)
    skip, limit = int(request.GET.get("skip", 0)), int(request.GET.get("limit", 10))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pending + replied FROM tickets_tickettally WHERE creator_id = %s", [user[0]]
        )
        counted = cursor.fetchone()
        cursor.execute(
            "SELECT t.id, t.title, t.ticket_type, t.content, t.status, t.feedback, t.created_at,"
            " t.updated_at, t.replied_at, t.closed_at, t.closed_final, r.email"
            " FROM tickets_ticket t"
            " LEFT JOIN accounts_user r ON r.id = t.responder_id WHERE t.creator_id = %s"
            " ORDER BY t.created_at DESC, t.id DESC LIMIT %s OFFSET %s",
            [user[0], limit, skip],
        )
        rows = cursor.fetchall()
    items = [_ticket(row, user[2]) for row in rows]
    return _json({"total": counted[0] if counted else 0, "items": items})


def _ticket_create(request: HttpRequest, user: tuple) -> HttpResponse:
    body = json.loads(request.body)
    if body.get("ticket_type") not in TYPES:
        return _error("工单类型无效", 422)
    ticket_id, now = uuid.uuid4(), datetime.now(UTC)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tickets_ticket (id, creator_id, title, ticket_type, content, status,"
            " created_at) VALUES (%s, %s, %s, %s, %s, 'pending', %s)",
            [ticket_id, user[0], body["title"], body["ticket_type"], body["content"], now],
        )
        cursor.execute(
            "INSERT INTO tickets_tickettally (creator_id, pending, replied, revision)"
            " VALUES (%s, 1, 0, 0)"
            " ON CONFLICT (creator_id) DO UPDATE SET pending = tickets_tickettally.pending + 1",
            [user[0]],
        )
    row = (ticket_id, body["title"], body["ticket_type"], body["content"], "pending", None, now)
    return _json(_ticket((*row, None, None, None, False, None), user[2]), 201)


@functools.cache
def _snapshot_prefix() -> str:
    return reverse("rewriting-snapshot", args=["-"]).removesuffix("-")


def _snapshot_link(request: HttpRequest, key: str) -> str | None:
    if not key:
        return None
    return request.build_absolute_uri(_snapshot_prefix() + signing.dumps(key, salt=SNAPSHOT_SALT))


def transactions(request: HttpRequest) -> HttpResponse:
    user, refusal = _signed_in(request)
    if refusal:
        return refusal
    page, limit = int(request.GET.get("page", 1)), int(request.GET.get("limit", 20))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT transaction_count FROM points_pointsaccount WHERE user_id = %s", [user[0]]
        )
        counted = cursor.fetchone()
        cursor.execute(
            "SELECT id, user_id, transaction_type, amount, balance_after, description,"
            " reference_id, user_input_file, ai_response_file, is_successful, created_at"
            " FROM points_pointstransaction WHERE user_id = %s"
            " ORDER BY created_at DESC, id DESC LIMIT %s OFFSET %s",
            [user[0], limit, (page - 1) * limit],
        )
        rows = cursor.fetchall()
    total = counted[0] if counted else 0
    pages = -(-total // limit)
    items = [
        {
            "id": row[0],
            "profile_id": row[1],
            "transaction_type": "recharge" if row[2] == "refund" else row[2],
            "amount": _points(row[3]),
            "balance_after": _points(row[4]),
            "description": row[5],
            "reference_id": row[6],
            "user_input_file_url": _snapshot_link(request, row[7]),
            "ai_response_file_url": _snapshot_link(request, row[8]),
            "is_successful": row[9],
            "created_at": _ledger_time(row[10]),
        }
        for row in rows
    ]
    pagination = {
        "current_page": page,
        "per_page": limit,
        "total": total,
        "total_pages": pages,
        "has_next_page": page < pages,
        "has_prev_page": page > 1,
    }
    return _json(
        {
            "code": 0,
            "message": "查询积分交易记录成功",
            "data": {"transactions": items, "pagination": pagination},
            "timestamp": int(datetime.now(UTC).timestamp() * 1000),
        }
    )
