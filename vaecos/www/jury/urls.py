from django.urls import path  # noqa: F401

from vaecos.www.jury import views  # noqa: F401

app_name = "jury"

urlpatterns: list = []
