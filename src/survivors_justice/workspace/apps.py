from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "survivors_justice.workspace"
    label = "workspace"
