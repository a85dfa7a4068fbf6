from django.urls import path

from uploads import views

urlpatterns = [
    path("upload", views.UploadView.as_view(), name="upload"),
    path(
        "files/<str:file_id>/download-url",
        views.UploadedFileDownloadUrlView.as_view(),
        name="uploaded-file-download-url",
    ),
    path(
        "files/download/<str:token>",
        views.UploadedFileDownloadView.as_view(),
        name="uploaded-file-download",
    ),
]
