"""The rewriting API's task routes: requests with the document's messages, and answers."""

from rest_framework import serializers

from csa.envelope.serializers import PaginationSerializer
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


# --- documents and paragraphs (/rewrite/...) -------------------------------------------------

# The client's `rewrite_type` (documents) and `type` (paragraphs): "0" 降重, "1" 降AI率.
REWRITE_TYPES = {"0": TaskType.REDUCE_PLAGIARISM, "1": TaskType.REDUCE_AI_RATE}
REWRITE_TYPE_CHOICES = [("0", "降重"), ("1", "降AI率")]
REWRITE_TYPE_INVALID = "改写类型参数错误，必须为0（降重）或1（降AI率）"
PLATFORM_INVALID = "平台参数错误，必须为zhiwang或weipu"
MISSING_FILE = "请上传 .docx 文件"
MISSING_ORDER_ID = "缺少订单号参数"


class RewriteTypeField(serializers.ChoiceField):
    """ "0" or "1" (0 or 1 in JSON), as the task type it names."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault(
            "error_messages", _refusing(REWRITE_TYPE_INVALID, "required", "null", "invalid_choice")
        )
        super().__init__(choices=REWRITE_TYPE_CHOICES, **kwargs)

    def to_internal_value(self, data) -> str:
        if isinstance(data, bool):
            self.fail("invalid_choice", input=data)
        return REWRITE_TYPES[super().to_internal_value(data)]


def platform_field() -> serializers.ChoiceField:
    """Which platform's route the text goes through (ours; 知网 when not given)."""
    return serializers.ChoiceField(
        choices=Platform.choices,
        default=Platform.ZHIWANG,
        error_messages=_refusing(PLATFORM_INVALID, "null", "invalid_choice"),
    )


class DocumentUploadRequestSerializer(serializers.Serializer):
    file = serializers.FileField(
        error_messages=_refusing(MISSING_FILE, "required", "null", "invalid", "no_name", "empty")
    )
    rewrite_type = RewriteTypeField()
    platform = platform_field()


class DocumentUploadSerializer(serializers.Serializer):
    """A services.DocumentUpload."""

    order_id = serializers.CharField(source="document.order_id")
    file_name = serializers.CharField(source="document.file_name")
    word_count = serializers.IntegerField(source="document.characters")
    cost = PointsField(source="document.cost")
    new_balance = PointsField()


class DocumentStateRequestSerializer(serializers.Serializer):
    order_id = serializers.CharField(
        max_length=64,
        error_messages=_refusing(
            MISSING_ORDER_ID, "required", "null", "blank", "invalid", "max_length"
        ),
    )
    file_name = serializers.CharField(required=False, allow_blank=True, allow_null=True)


class DocumentStateSerializer(serializers.Serializer):
    """A selectors.DocumentState: the client's four fields, then ours."""

    state = serializers.IntegerField(
        help_text="0 处理中，2 已完成（可下载），3 失败（无可下载文档）"
    )
    state_text = serializers.CharField()
    download_url = serializers.CharField(allow_null=True)
    success = serializers.BooleanField(help_text="所有片段都已改写")
    order_id = serializers.CharField(source="document.order_id")
    file_name = serializers.CharField(source="document.file_name")
    word_count = serializers.IntegerField(source="document.characters")
    cost = PointsField(source="document.cost")
    refunded = PointsField(help_text="已返还的积分（未能改写部分）")
    pieces_total = serializers.IntegerField()
    pieces_done = serializers.IntegerField()
    pieces_failed = serializers.IntegerField()
    progress = serializers.IntegerField(help_text="已结束片段的百分比")


class ParagraphRequestSerializer(serializers.Serializer):
    text = TaskTextField()
    type = RewriteTypeField(required=False, default=TaskType.REDUCE_PLAGIARISM)
    platform = platform_field()


class ParagraphSerializer(serializers.Serializer):
    """A services.ParagraphRewrite: the rewritten text (null while the task goes on)."""

    text = serializers.CharField(source="task.result", allow_null=True)
    status = serializers.CharField(source="task.status")
    taskId = serializers.CharField(source="submission.upstream_task_id")
    service = serializers.CharField(source="submission.service")
    cost = PointsField(source="submission.cost")
    new_balance = PointsField(source="submission.new_balance")


class WordsCountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order_id = serializers.CharField()
    words_count = serializers.IntegerField(source="characters")
    created_at = serializers.DateTimeField()


class WordsCountPageSerializer(serializers.Serializer):
    records = WordsCountSerializer(many=True)
    pagination = PaginationSerializer()
