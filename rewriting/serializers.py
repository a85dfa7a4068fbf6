"""The rewriting API's task routes: requests with the document's messages, and answers."""

from rest_framework import serializers

from points.serializers import PointsField
from rewriting.models import Platform, RewritingTask, Service, TaskType
from rewriting.pricing import MAX_TEXT_CHARACTERS, MAX_TEXT_CODE_POINTS, text_length

MISSING_TEXT = "缺少文本内容参数"
MISSING_TASK_ID = "缺少任务ID参数"


def _refusing(message: str, *keys: str) -> dict[str, str]:
    return dict.fromkeys(keys, message)


class TaskTextField(serializers.CharField):
    default_error_messages = {
        **_refusing(MISSING_TEXT, "required", "null", "blank", "invalid"),
        "too_long": f"文本内容不能超过{MAX_TEXT_CHARACTERS}字",
    }

    def to_internal_value(self, data) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        text = super().to_internal_value(data)
        # Grapheme clusters are never more than code points: count them only when it matters.
        # The cap on code points keeps a few letters under a mountain of accents from passing
        # as a short text.
        if len(text) > MAX_TEXT_CODE_POINTS or (
            len(text) > MAX_TEXT_CHARACTERS and text_length(text) > MAX_TEXT_CHARACTERS
        ):
            self.fail("too_long")
        return text


class ReduceTaskRequestSerializer(serializers.Serializer):
    text = TaskTextField()
    platform = serializers.ChoiceField(
        choices=Platform.choices,
        error_messages=_refusing(
            "平台参数错误，必须为zhiwang或weipu", "required", "null", "invalid_choice"
        ),
    )
    type = serializers.ChoiceField(
        choices=TaskType.choices,
        error_messages=_refusing(
            "类型参数错误，必须为reduce-plagiarism或reduce-ai-rate",
            "required",
            "null",
            "invalid_choice",
        ),
    )


class TaskIdField(serializers.CharField):
    """A vendor's task id: REDUCEAI's are strings, CHEEYUAN's numbers, sent either way."""

    default_error_messages = _refusing(MISSING_TASK_ID, "required", "null", "blank", "invalid")

    def to_internal_value(self, data) -> str:
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("invalid")
        return super().to_internal_value(data)


class TaskResultRequestSerializer(serializers.Serializer):
    taskId = TaskIdField()
    service = serializers.ChoiceField(
        choices=Service.choices,
        error_messages=_refusing(
            "服务参数错误，必须为reduceai或cheeyuan", "required", "null", "invalid_choice"
        ),
    )


class SubmittedTaskSerializer(serializers.Serializer):
    """A services.Submission."""

    taskId = serializers.CharField(source="upstream_task_id")
    service = serializers.CharField()
    newBalance = PointsField(source="new_balance")
    cost = PointsField()


# The vendor's own fields each answer carries, as the document shows them; null until the vendor
# has said (an answer while the vendor cannot be reached has the same shape).
VENDOR_FIELDS = {
    ("reduceai", "processing"): ("queuePosition", "cost"),
    ("reduceai", "completed"): ("cost",),
    ("reduceai", "failed"): ("cost",),
    ("cheeyuan", "processing"): ("created_at", "updated_at"),
    ("cheeyuan", "completed"): ("created_at", "updated_at"),
    ("cheeyuan", "failed"): ("created_at", "updated_at"),
}


class TaskResultSerializer(serializers.Serializer):
    """The task's state, plus what its vendor adds: REDUCEAI `queuePosition` and `cost`,
    CHEEYUAN `created_at` and `updated_at`, as the vendor gave them."""

    status = serializers.ChoiceField(choices=["processing", "completed", "failed"])
    progress = serializers.IntegerField()
    result = serializers.CharField(allow_null=True)
    queuePosition = serializers.JSONField(required=False)
    cost = serializers.JSONField(required=False)
    created_at = serializers.JSONField(required=False)
    updated_at = serializers.JSONField(required=False)

    def to_representation(self, task: RewritingTask) -> dict:
        answer = {"status": task.status, "progress": task.progress or 0, "result": task.result}
        for key in VENDOR_FIELDS[task.service, task.status]:
            answer[key] = task.upstream_details.get(key)
        return answer


class PointsRulesSerializer(serializers.Serializer):
    points_balance = PointsField()
    task_cost = PointsField()
    cost_per_1000_chars = PointsField()
