"""factory_boy factories for the contracts models."""

from datetime import datetime, timedelta

import factory
from django.utils import timezone

from accounts.models import User
from contracts.models import Contract
from tests.factories import UserFactory


class ContractFactory(factory.django.DjangoModelFactory[Contract]):
    class Meta:
        model = Contract

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"云服务合同 {n}")
    content_markdown = "# 合同正文\n\n这里是 Markdown 格式的合同内容……"


def contracts_created_in_order(owner: User, count: int) -> list[Contract]:
    """`count` contracts of `owner`, oldest first, one minute apart (created_at is auto_now_add)."""
    start: datetime = timezone.now() - timedelta(days=1)
    contracts = ContractFactory.create_batch(count, owner=owner)
    for minute, contract in enumerate(contracts):
        contract.created_at = start + timedelta(minutes=minute)
        Contract.objects.filter(pk=contract.pk).update(created_at=contract.created_at)
    return contracts
