from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .selectors import region_list


class RegionOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    iso_code = serializers.CharField()
    name = serializers.CharField(help_text="In the request's language (Accept-Language or ?lang=).")
    name_kk = serializers.CharField()
    name_ru = serializers.CharField()
    name_en = serializers.CharField()
    center_name = serializers.CharField()
    center = serializers.ListField(child=serializers.FloatField(), help_text="[lon, lat]")


class RegionListParams(serializers.Serializer):
    # The middleware switches the language for a supported `lang` and passes over any other
    # value; here, where `lang` is a documented parameter, an unknown one is a 400 naming it (a
    # client asking for "kz" or "fr" would otherwise get Kazakh names and not know why).
    lang = serializers.ChoiceField(choices=["kk", "ru", "en"], required=False)


class RegionListApi(APIView):
    """All 20 regions; public reference data."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        responses=RegionOutputSerializer(many=True),
        parameters=[OpenApiParameter("lang", str, enum=["kk", "ru", "en"], required=False)],
    )
    def get(self, request: Request) -> Response:
        RegionListParams(data=request.query_params).is_valid(raise_exception=True)
        return Response(RegionOutputSerializer(region_list(), many=True).data)
