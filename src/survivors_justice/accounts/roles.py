"""The roles of DESIGN.md > Users. The permission module decides what each may see and do."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    INTAKE_ADA = "intake_ada", "Intake prosecutor"
    SUPERVISOR = "supervisor", "Supervisor"
    TRAFFICKING_ADA = "trafficking_ada", "Trafficking prosecutor"
    ADVOCATE = "advocate", "Victim advocate"
    PARTNER_STAFF = "partner_staff", "Partner organisation staff"
    PANEL_MEMBER = "panel_member", "Review panel member"
    ANALYST = "analyst", "Analyst"
    ADMIN = "admin", "Administrator"
