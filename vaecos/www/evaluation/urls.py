from django.urls import path  # noqa: F401

from vaecos.www.evaluation import views  # noqa: F401

app_name = "evaluation"

urlpatterns: list = []
