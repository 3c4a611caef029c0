from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = _("Calls and applications")

    def ready(self):
        from intake.roles import ensure_groups

        post_migrate.connect(ensure_groups, sender=self)
