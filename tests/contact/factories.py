import factory

from contact.models import ContactMessage


class ContactMessageFactory(factory.django.DjangoModelFactory[ContactMessage]):
    class Meta:
        model = ContactMessage

    name = factory.Sequence(lambda n: f"访客{n}")
    email = factory.Sequence(lambda n: f"visitor{n}@example.com")
    message = "我想咨询一下产品价格"
