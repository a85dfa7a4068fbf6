from django.http import JsonResponse
from rest_framework import exceptions
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.views import APIView

from accounts.authentication import SessionTokenAuthentication, StaffSessionAuthentication
from csa.api.parsers import JSONParser
from csa.api.throttling import ClientIPThrottle
from csa.envelope.exceptions import SERVER_ERROR, envelope_exception_handler
from csa.envelope.responses import EnvelopeRenderer, envelope


class EnvelopeAPIView(APIView):
    """A route of the rewriting API: JSON in, the envelope out, errors included."""

    renderer_classes = [EnvelopeRenderer, BrowsableAPIRenderer]
    parser_classes = [JSONParser]
    # A login's token (or staff's console session); application keys are the portal's only.
    authentication_classes = [SessionTokenAuthentication, StaffSessionAuthentication]
    permission_classes = [IsAuthenticated]
    missing_token_status = 401
    server_error_message = SERVER_ERROR

    def get_exception_handler(self):
        return envelope_exception_handler


class PublicEnvelopeAPIView(EnvelopeAPIView):
    """A rewriting route anyone may call: no credentials read, throttled per client address."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ClientIPThrottle]
    throttle_scope = "public"


class EnvelopeNotFoundView(PublicEnvelopeAPIView):
    """Answers every path of the rewriting API that no route claims."""

    schema = None

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound("接口不存在")


def envelope_server_error() -> JsonResponse:
    """Django's last-resort 500 for this API's paths."""
    return JsonResponse(envelope(status=500, message=SERVER_ERROR, data=None), status=500)
