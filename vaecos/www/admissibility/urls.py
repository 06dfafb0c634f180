from django.urls import path

from vaecos.www.admissibility import views

app_name = "admissibility"

urlpatterns = [
    path("commencer/", views.start, name="start"),
    path("file/", views.queue, name="queue"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/etat-civil/", views.identity, name="identity"),
    path("<int:pk>/declaration/", views.sworn, name="sworn"),
    path("<int:pk>/experiences/ajouter/", views.experience, name="experience_add"),
    path("<int:pk>/experiences/<int:experience_pk>/", views.experience, name="experience"),
    path(
        "<int:pk>/experiences/<int:experience_pk>/retirer/",
        views.experience_delete,
        name="experience_delete",
    ),
    path("<int:pk>/pieces/ajouter/", views.document_add, name="document_add"),
    path("<int:pk>/pieces/<int:document_pk>/", views.document, name="document"),
    path(
        "<int:pk>/pieces/<int:document_pk>/retirer/",
        views.document_delete,
        name="document_delete",
    ),
    path("<int:pk>/deposer/", views.submit, name="submit"),
    path("<int:pk>/courriers/<int:letter_pk>/", views.letter, name="letter"),
    path("<int:pk>/instruction/", views.instruct, name="instruct"),
]
