from django.urls import path

from survivors_justice.review import views

app_name = "review"

urlpatterns = [
    path("", views.member_home, name="home"),
    path("sessions/<int:pk>/", views.member_session, name="session"),
    path("packets/<int:pk>/", views.packet, name="packet"),
    path("packets/<int:pk>/conflict/", views.declare_conflict, name="conflict"),
    path("positions/", views.my_positions, name="positions"),
    path("coordinate/", views.roster, name="roster"),
    path("coordinate/members/new/", views.member_new, name="member_new"),
    path("coordinate/sessions/new/", views.session_new, name="session_new"),
    path("coordinate/sessions/<int:pk>/", views.docket, name="docket"),
]
