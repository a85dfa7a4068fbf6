from drf_spectacular.extensions import OpenApiSerializerExtension


class SignStatusBodyScheme(OpenApiSerializerExtension):
    """drf-spectacular documents every PATCH body as partial; this one's field is required."""

    target_class = "contracts.serializers.SignStatusSerializer"

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        return {**schema, "required": ["is_signed"]}
