from django.urls import path

from survivors_justice.accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/sign-in/", views.sign_in, name="sign_in"),
    path("accounts/verify/", views.verify, name="verify"),
    path("accounts/enrol/", views.enrol, name="enrol"),
    path("accounts/sign-out/", views.sign_out, name="sign_out"),
    path("accounts/users/", views.users, name="users"),
    path("accounts/users/<int:user_id>/unlock/", views.unlock, name="unlock"),
    path("home/", views.home, name="home"),
]
