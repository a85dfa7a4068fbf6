"""factory_boy factories for the uploads models."""

import factory

from tests.factories import UserFactory
from uploads.models import FileKind, UploadedFile


class UploadedFileFactory(factory.django.DjangoModelFactory[UploadedFile]):
    """A file record; its stored object exists only where a test writes one."""

    class Meta:
        model = UploadedFile

    owner = factory.SubFactory(UserFactory)
    filename = factory.Sequence(lambda n: f"资料{n}.pdf")
    file_size = 1024
    content_type = "application/pdf"
    kind = FileKind.PDF
    tag = "资料"
    oss_key = factory.LazyAttributeSequence(lambda o, n: f"uploads/{o.owner.uuid}/{n:032x}.pdf")
