from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from csa.api.messages import field_messages
from csa.paging import rows_between


class PageParams(serializers.Serializer):
    skip = serializers.IntegerField(min_value=0, default=0, error_messages=field_messages("skip"))
    limit = serializers.IntegerField(
        min_value=1, required=False, error_messages=field_messages("limit")
    )

    def validate_limit(self, value: int) -> int:
        if value > self.context["max_limit"]:
            raise serializers.ValidationError(f"limit不能大于{self.context['max_limit']}")
        return value


class SkipLimitPagination(BasePagination):
    """The portal's lists: `?skip=&limit=`, answered as `{"total", "items"}`, newest first."""

    default_limit = 10
    max_limit = 100

    @classmethod
    def params(cls, request, serializer: type[PageParams] = PageParams) -> dict:
        """The query's parameters, `skip` and `limit` among them, checked by `serializer` (the
        page's, or a list's own that adds its filters), for views that read their page
        themselves."""
        params = serializer(data=request.query_params, context={"max_limit": cls.max_limit})
        params.is_valid(raise_exception=True)
        return {"limit": cls.default_limit, **params.validated_data}

    def paginate_queryset(self, queryset, request, view=None):
        params = self.params(request)
        skip, limit = params["skip"], params["limit"]
        self.total = queryset.count()
        return rows_between(queryset, skip, skip + limit, total=self.total)

    def get_paginated_response(self, data) -> Response:
        return Response({"total": self.total, "items": data})

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["total", "items"],
            "properties": {"total": {"type": "integer"}, "items": schema},
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": "skip",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 0, "default": 0},
            },
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_limit,
                    "default": self.default_limit,
                },
            },
        ]

    @classmethod
    def openapi_parameters(cls) -> list[OpenApiParameter]:
        """For views that paginate by hand (`extend_schema(parameters=...)`)."""
        return [
            OpenApiParameter("skip", int, required=False, default=0, description="跳过的记录数"),
            OpenApiParameter(
                "limit",
                int,
                required=False,
                default=cls.default_limit,
                description=f"返回的记录数（最大{cls.max_limit}）",
            ),
        ]
