from django.contrib import admin
from django.urls import include, path, re_path

from csa.envelope.views import EnvelopeNotFoundView

admin.site.site_header = "云梦镜像 · 员工控制台"
admin.site.site_title = "云梦镜像员工控制台"
admin.site.index_title = "管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api-auth/", include("rest_framework.urls")),
    path("api/", include("csa.api.urls")),
    path("", include("accounts.rewriting_api.urls")),
    path("", include("rewriting.urls")),
    path("", include("points.urls")),
    # The rewriting API answers unknown paths of its own in its envelope.
    re_path(r"^(?:otp|user|ai|points)(?:/.*)?$", EnvelopeNotFoundView.as_view()),
]

handler500 = "csa.api.views.server_error"
