from django.urls import path

from rewriting import views

urlpatterns = [
    path("ai/reduce-task", views.ReduceTaskView.as_view(), name="rewriting-reduce-task"),
    path("ai/result", views.TaskResultView.as_view(), name="rewriting-task-result"),
    path("ai/points", views.PointsRulesView.as_view(), name="rewriting-points-rules"),
    path("rewrite/rewrite_docx", views.DocumentUploadView.as_view(), name="rewriting-docx"),
    path("rewrite/rewrite_state", views.DocumentStateView.as_view(), name="rewriting-docx-state"),
    path("rewrite/rewrite_paragraph", views.ParagraphView.as_view(), name="rewriting-paragraph"),
    path("rewrite/words_count", views.WordsCountView.as_view(), name="rewriting-words-count"),
    path(
        "rewrite/documents/<str:token>",
        views.DocumentDownloadView.as_view(),
        name="rewriting-document-download",
    ),
    path(
        "rewriting/snapshots/<str:token>",
        views.SnapshotDownloadView.as_view(),
        name="rewriting-snapshot",
    ),
]
