from django.urls import path

from vaecos.www.jury import views

app_name = "jury"

urlpatterns = [
    path("", views.home, name="home"),
    path("session/<int:pk>/", views.session, name="session"),
    path("candidat/<int:pk>/", views.candidate, name="candidate"),
    path("candidat/<int:pk>/grille/", views.grid_save, name="grid_save"),
    path("candidat/<int:pk>/notes/", views.notes_save, name="notes_save"),
    path("candidat/<int:pk>/vote/", views.vote, name="vote"),
    path("candidat/<int:pk>/deliberer/", views.deliberate, name="deliberate"),
    path("candidat/<int:pk>/reprendre/", views.reopen, name="reopen"),
    path("candidat/<int:pk>/confirmer/", views.sign, name="sign"),
    path("candidat/<int:pk>/dossier.pdf", views.bundle, name="bundle"),
    path("candidat/<int:pk>/proces-verbal.pdf", views.minutes, name="minutes"),
    path("mes-resultats/", views.results, name="results"),
    path("resultat/<int:pk>/lettre.pdf", views.result_letter, name="result_letter"),
    path("resultat/<int:pk>/nouvelle-tentative/", views.new_attempt, name="new_attempt"),
]
