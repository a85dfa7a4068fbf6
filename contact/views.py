from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from contact import services
from contact.serializers import ContactMessageSerializer, ContactMessageSubmitSerializer
from csa.api.serializers import error_responses
from csa.api.throttling import client_ip
from csa.api.views import PublicAPIView


class ContactMessageSubmitView(PublicAPIView):
    throttle_scope = "contact"

    @extend_schema(
        request=ContactMessageSubmitSerializer,
        responses={201: ContactMessageSerializer, **error_responses(400, 415, 422, 429, 503)},
        summary="提交联系表单（需要 Cloudflare Turnstile 验证）",
    )
    def post(self, request: Request) -> Response:
        payload = ContactMessageSubmitSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        contact_message = services.contact_message_submit(
            **payload.validated_data, client_ip=client_ip(request)
        )
        return Response(
            ContactMessageSerializer(contact_message).data, status=status.HTTP_201_CREATED
        )
