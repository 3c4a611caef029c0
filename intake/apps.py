from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = _("Calls and applications")

    def ready(self):
        from intake.services.groups import ensure_groups  # noqa: PLC0415 -- uses auth models: only importable once apps are ready

        # Every app's turn (see ensure_groups), once per process.
        post_migrate.connect(ensure_groups, dispatch_uid="intake.ensure_groups")
        from intake.web import public_cache  # noqa: PLC0415 -- imports models: only importable once apps are ready

        public_cache.connect()
