from django.urls import path

from survivors_justice.accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/sign-in/", views.sign_in, name="sign_in"),
    path("accounts/verify/", views.verify, name="verify"),
    path("accounts/enrol/", views.enrol, name="enrol"),
    path("accounts/sign-out/", views.sign_out, name="sign_out"),
    path("accounts/users/", views.users, name="users"),
    path("accounts/users/new/", views.create_user, name="create"),
    path("accounts/users/<int:user_id>/", views.user_detail, name="user"),
    path("accounts/users/<int:user_id>/role/", views.change_role, name="change_role"),
    path("accounts/users/<int:user_id>/deactivate/", views.deactivate, name="deactivate"),
    path("accounts/users/<int:user_id>/reactivate/", views.reactivate, name="reactivate"),
    path("accounts/users/<int:user_id>/reset-mfa/", views.reset_mfa, name="reset_mfa"),
    path("accounts/users/<int:user_id>/unlock/", views.unlock, name="unlock"),
    path("home/", views.home, name="home"),
]
