from django.urls import path

from survivors_justice.workspace import views

app_name = "workspace"

urlpatterns = [
    path("", views.workspace, name="index"),
    path("upload/", views.upload, name="upload"),
    path("report/", views.report_page, name="report"),
    path("report.csv", views.report_csv, name="report_csv"),
    path("report.html", views.report_html, name="report_html"),
    path("chart/<slug:name>.svg", views.chart_svg, name="chart_svg"),
    path("chart/<slug:name>.png", views.chart_png, name="chart_png"),
    path("whatif/", views.whatif, name="whatif"),
]
