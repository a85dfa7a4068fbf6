from django.urls import path

from projects import views

urlpatterns = [
    path("projects/me", views.MyProjectsView.as_view(), name="projects-me"),
    path(
        "projects/files/<str:file_id>/download-url",
        views.FileDownloadUrlView.as_view(),
        name="project-file-download-url",
    ),
    path(
        "projects/files/download/<str:token>",
        views.FileDownloadView.as_view(),
        name="project-file-download",
    ),
    path("projects/<str:project_id>", views.ProjectDetailView.as_view(), name="project-detail"),
    path("projects/<str:project_id>/files", views.ProjectFilesView.as_view(), name="project-files"),
    path("projects/<str:project_id>/links", views.ProjectLinksView.as_view(), name="project-links"),
    path("projects/<str:project_id>/tasks", views.ProjectTasksView.as_view(), name="project-tasks"),
]
