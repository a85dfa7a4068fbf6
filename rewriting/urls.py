from django.urls import path

from rewriting import views

urlpatterns = [
    path("ai/reduce-task", views.ReduceTaskView.as_view(), name="rewriting-reduce-task"),
    path("ai/result", views.TaskResultView.as_view(), name="rewriting-task-result"),
    path("ai/points", views.PointsRulesView.as_view(), name="rewriting-points-rules"),
    path(
        "rewriting/snapshots/<str:token>",
        views.SnapshotDownloadView.as_view(),
        name="rewriting-snapshot",
    ),
]
