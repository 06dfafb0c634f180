from django.urls import path

from vaecos.www.evaluation import views

app_name = "evaluation"

urlpatterns = [
    # The certifier's staff: sessions, their registrations and their jury
    path("", views.session_list, name="list"),
    path("nouvelle/", views.session_create, name="create"),
    path("<int:session_pk>/", views.session_detail, name="detail"),
    path("<int:session_pk>/modifier/", views.session_edit, name="edit"),
    path("<int:session_pk>/supprimer/", views.session_delete, name="delete"),
    path("<int:session_pk>/inscrire/", views.register_case, name="register_case"),
    path("<int:session_pk>/convoquer/", views.convene_session, name="convene_session"),
    path("<int:session_pk>/jury/ajouter/", views.jury_add, name="jury_add"),
    path("<int:session_pk>/jury/<int:member_pk>/", views.jury_update, name="jury_update"),
    path("<int:session_pk>/jury/<int:member_pk>/retirer/", views.jury_remove, name="jury_remove"),
    # The candidate: their registrations and the sessions open to them
    path("mes-sessions/", views.mine, name="mine"),
    path("mes-sessions/<int:case_pk>/inscrire/<int:session_pk>/", views.register, name="register"),
    # One registration: the candidate (their own) and staff
    path("inscription/<int:registration_pk>/retirer/", views.withdraw, name="withdraw"),
    path("inscription/<int:registration_pk>/convoquer/", views.convene, name="convene"),
    path(
        "inscription/<int:registration_pk>/convocation.pdf",
        views.convocation_pdf,
        name="convocation",
    ),
    path("inscription/<int:registration_pk>/dossier.pdf", views.bundle_pdf, name="bundle"),
    # The transmission to the jury: the coach (Institut 4.10) or staff (every other candidate)
    path("transmettre/<int:dossier_pk>/", views.transmit, name="transmit"),
]
