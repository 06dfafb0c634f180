from django.urls import path

from vaecos.www.reporting import exports, views

app_name = "reporting"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("exports/recevabilite.csv", exports.queue_csv, name="export_queue"),
    path("exports/sessions.csv", exports.sessions_csv, name="export_sessions"),
    path("exports/resultats.csv", exports.results_csv, name="export_results"),
]
