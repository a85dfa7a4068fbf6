from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "云梦镜像 · 员工控制台"
admin.site.site_title = "云梦镜像员工控制台"
admin.site.index_title = "管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api-auth/", include("rest_framework.urls")),
    path("api/", include("csa.api.urls")),
]

handler500 = "csa.api.views.server_error"
