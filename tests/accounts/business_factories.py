"""factory_boy factories for business accounts."""

import factory

from accounts.models import BusinessAccount, BusinessAccountStatus
from tests.factories import UserFactory


class BusinessAccountFactory(factory.django.DjangoModelFactory[BusinessAccount]):
    class Meta:
        model = BusinessAccount

    owner = factory.SubFactory(UserFactory)
    company_name = factory.Sequence(lambda n: f"示例公司{n}")
    tax_number = "91110000MA01234567"
    certification_info = "营业执照等认证信息"
    communication_address = "北京市朝阳区xxx"
    contact_person_name = "张三"
    contact_phone = "+86-13800000000"

    class Params:
        assigned = factory.Trait(
            assigned_email=factory.Sequence(lambda n: f"biz{n}@company.com"),
            user_code=factory.Sequence(lambda n: f"USER{n:03d}"),
        )
        active = factory.Trait(assigned=True, status=BusinessAccountStatus.ACTIVE)
        disabled = factory.Trait(assigned=True, status=BusinessAccountStatus.DISABLED)
