"""factory_boy factories for the projects models."""

import factory

from projects.models import Project, ProjectFile, ProjectLink, ProjectTask
from tests.factories import UserFactory


class ProjectFactory(factory.django.DjangoModelFactory[Project]):
    class Meta:
        model = Project

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"示例项目 {n}")
    description = "这是一个示例项目"
    overview_markdown = "# 项目概述\n\n这里是项目概述内容..."


class ProjectFileFactory(factory.django.DjangoModelFactory[ProjectFile]):
    """A file record; its stored object exists only where a test writes one."""

    class Meta:
        model = ProjectFile

    project = factory.SubFactory(ProjectFactory)
    filename = factory.Sequence(lambda n: f"项目文档{n}.pdf")
    file_size = 1024
    content_type = "application/pdf"
    tag = "文档"
    oss_key = factory.LazyAttributeSequence(
        lambda o, n: f"projects/{o.project.pk}/{n:016x}/{o.filename}"
    )


class ProjectLinkFactory(factory.django.DjangoModelFactory[ProjectLink]):
    class Meta:
        model = ProjectLink

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"项目文档链接 {n}")
    url = "https://docs.example.com/project"
    description = "项目相关文档"


class ProjectTaskFactory(factory.django.DjangoModelFactory[ProjectTask]):
    class Meta:
        model = ProjectTask

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"完成项目文档 {n}")
    description = "编写项目相关文档"
