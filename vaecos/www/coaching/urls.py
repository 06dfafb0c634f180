from django.urls import path

from vaecos.www.coaching import views

app_name = "coaching"

urlpatterns = [
    # The coach: "Mes candidats"
    path("", views.coached, name="coached"),
    # The candidate declares their coaching (per case)
    path("declaration/<int:case_pk>/", views.declare, name="declare"),
    # The certifier's staff assign coaches
    path("attributions/", views.assignments, name="assignments"),
    path("attributions/<int:case_pk>/", views.assign, name="assign"),
    # The review of a Livret 2 (pk: the dossier's) and its comment threads
    path("livret2/<int:pk>/", views.review, name="review"),
    path("livret2/<int:pk>/commenter/", views.thread_open, name="thread_open"),
    path("livret2/<int:pk>/pieces/<int:attachment_pk>/", views.attachment, name="attachment"),
    path(
        "livret2/<int:pk>/demande-de-reouverture/",
        views.reopen_request,
        name="reopen_request",
    ),
    path("fils/<int:thread_pk>/repondre/", views.thread_reply, name="thread_reply"),
    path("fils/<int:thread_pk>/traiter/", views.thread_resolve, name="thread_resolve"),
]
