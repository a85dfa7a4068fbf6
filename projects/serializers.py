from rest_framework import serializers

from csa.api.messages import field_messages
from projects.models import Project, ProjectFile, ProjectLink, ProjectTask, TaskStatus

TIMESTAMPS = ["created_at", "updated_at"]


class ProjectSerializer(serializers.ModelSerializer):
    owner_email = serializers.EmailField(source="owner.email", read_only=True)

    class Meta:
        model = Project
        fields = ["id", "owner_email", "name", "description", "overview_markdown", *TIMESTAMPS]
        read_only_fields = fields


class ProjectFileSerializer(serializers.ModelSerializer):
    project_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = ProjectFile
        fields = [
            "id",
            "project_id",
            "filename",
            "file_size",
            "content_type",
            "tag",
            "oss_key",
            *TIMESTAMPS,
        ]
        read_only_fields = fields


class ProjectLinkSerializer(serializers.ModelSerializer):
    project_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = ProjectLink
        fields = ["id", "project_id", "title", "url", "description", *TIMESTAMPS]
        read_only_fields = fields


class ProjectTaskSerializer(serializers.ModelSerializer):
    project_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = ProjectTask
        fields = ["id", "project_id", "title", "description", "status", *TIMESTAMPS]
        read_only_fields = fields


class FileFilterSerializer(serializers.Serializer):
    filename = serializers.CharField(
        required=False, allow_blank=True, max_length=255, error_messages=field_messages("filename")
    )
    tag = serializers.CharField(
        required=False, allow_blank=True, max_length=50, error_messages=field_messages("tag")
    )


class TaskFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=TaskStatus.values,
        required=False,
        error_messages=field_messages("status", invalid_choice="status必须是 pending 或 completed"),
    )
