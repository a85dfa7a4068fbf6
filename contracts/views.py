from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts import selectors, services
from contracts.serializers import ContractSerializer, SignStatusSerializer
from csa.api.pagination import SkipLimitPagination
from csa.api.parsers import JSONParser
from csa.api.serializers import error_responses


class MyContractsView(generics.ListAPIView):
    serializer_class = ContractSerializer
    pagination_class = SkipLimitPagination

    def get_queryset(self):
        return selectors.contract_list_for_owner(user=self.request.user)

    @extend_schema(
        responses={200: ContractSerializer(many=True), **error_responses(401, 403, 422)},
        summary="获取我的合同列表",
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class ContractDetailView(APIView):
    @extend_schema(
        responses={200: ContractSerializer, **error_responses(401, 403, 404)},
        summary="获取合同详情",
    )
    def get(self, request: Request, contract_id: str) -> Response:
        contract = selectors.contract_get(user=request.user, contract_id=contract_id)
        return Response(ContractSerializer(contract).data)


class ContractSignStatusView(APIView):
    # JSON only: a form body without the field would read as "false" and unsign the contract.
    parser_classes = [JSONParser]

    @extend_schema(
        request=SignStatusSerializer,
        responses={200: ContractSerializer, **error_responses(401, 403, 404, 415, 422)},
        summary="更新合同签署状态",
    )
    def patch(self, request: Request, contract_id: str) -> Response:
        payload = SignStatusSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        contract = services.contract_sign_status_set(
            contract=selectors.contract_find(contract_id=contract_id),
            actor=request.user,
            is_signed=payload.validated_data["is_signed"],
        )
        return Response(ContractSerializer(contract).data)
