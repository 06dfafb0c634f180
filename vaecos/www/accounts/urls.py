from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from vaecos.www.accounts import second_factor, views

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("double-authentification/", second_factor.verify, name="second_factor"),
    path("double-authentification/activer/", second_factor.setup, name="second_factor_setup"),
    path("double-authentification/qr-code.svg", second_factor.qr_code, name="second_factor_qr"),
    path(
        "double-authentification/codes-de-secours/",
        second_factor.codes,
        name="second_factor_codes",
    ),
    path("mes-donnees/", views.my_data, name="my_data"),
    path("mes-donnees/archive.zip", views.my_data_download, name="my_data_download"),
    path(
        "mot-de-passe/oublie/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset_form.html",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/modifie/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
