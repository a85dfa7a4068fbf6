"""Serializers that write hot answers by hand must answer what their declared fields (the schema)
would: same keys, same values."""

from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from accounts.serializers import UserSerializer
from points.models import PointsTransaction
from points.serializers import TransactionSerializer
from points.services import points_recharge, points_refund
from rewriting.snapshots import snapshot_link_key
from tests.factories import UserFactory
from tests.points.helpers import failed_spend
from tests.tickets.factories import TicketFactory
from tickets.serializers import TicketSerializer
from tickets.services import ticket_reply

pytestmark = pytest.mark.django_db


def by_fields(serializer: serializers.Serializer, instance, *, skip=()) -> dict:
    """What DRF's own field-by-field representation gives (of the fields not skipped)."""
    return {
        name: field.to_representation(field.get_attribute(instance))
        if field.get_attribute(instance) is not None
        else None
        for name, field in serializer.fields.items()
        if name not in skip
    }


@pytest.mark.parametrize("profile", [{}, {"full_name": "张三", "bio": "简介", "phone_number": "1"}])
def test_user_by_hand_is_user_by_fields(profile):
    user = UserFactory(updated_at=timezone.now(), **profile)
    serializer = UserSerializer(user)

    assert serializer.data == by_fields(serializer, user)


def test_transaction_by_hand_is_transaction_by_fields(user, local_storage):
    row = points_recharge(user=user, amount=Decimal("12.345"), reference_id="r-1")
    PointsTransaction.objects.filter(pk=row.pk).update(user_input_file="rewriting/u/1/input.txt")
    row.refresh_from_db()
    request = APIRequestFactory().get("/")
    serializer = TransactionSerializer(context={"request": request})

    by_hand = serializer.to_representation(row)

    urls = ("user_input_file_url", "ai_response_file_url")
    assert list(by_hand) == list(serializer.fields)
    assert {k: v for k, v in by_hand.items() if k not in urls} == by_fields(
        serializer, row, skip=urls
    )
    link = by_hand["user_input_file_url"]
    assert link.startswith("http://testserver/rewriting/snapshots/")
    assert snapshot_link_key(link.rsplit("/", 1)[1]) == row.user_input_file
    assert by_hand["ai_response_file_url"] is None


def test_a_refund_by_hand_is_a_refund_by_fields(user):
    """Both answer a refund as a recharge."""
    points_recharge(user=user, amount=Decimal("10"))
    refund = points_refund(user=user, transaction_id=failed_spend(user, "3").pk)
    serializer = TransactionSerializer(context={"request": APIRequestFactory().get("/")})

    by_hand = serializer.to_representation(refund)

    assert by_hand["transaction_type"] == "recharge"
    urls = ("user_input_file_url", "ai_response_file_url")
    assert {k: v for k, v in by_hand.items() if k not in urls} == by_fields(
        serializer, refund, skip=urls
    )


@pytest.mark.parametrize("replied", [False, True])
def test_ticket_by_hand_is_ticket_by_fields(replied):
    ticket = TicketFactory()
    if replied:
        ticket = ticket_reply(ticket_id=str(ticket.id), responder=UserFactory(), feedback="已处理")
    serializer = TicketSerializer(ticket)

    assert serializer.data == by_fields(serializer, ticket)
