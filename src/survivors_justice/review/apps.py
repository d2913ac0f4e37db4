from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "survivors_justice.review"
    label = "review"
    verbose_name = "Review panel"
