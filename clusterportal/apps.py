from django.apps import AppConfig
from django.conf import settings


class ClusterportalConfig(AppConfig):
    """The project itself as an app: it prepares the local folders every process needs
    (SQLite's, the disk broker's, static files) once Django is set up, in the web server,
    the worker, beat and every management command alike; and it connects the second-factor
    receiver (clusterportal.second_factor) to allauth's signal."""

    name = "clusterportal"
    verbose_name = "clusterportal"

    def ready(self):
        from allauth.mfa.signals import authenticator_added  # noqa: PLC0415 -- defines models: importable only once the app registry is ready

        from clusterportal.second_factor import count_activation_for_this_session  # noqa: PLC0415 -- imports allauth's models: only once the app registry is ready

        for directory in settings.LOCAL_DIRECTORIES:
            directory.mkdir(parents=True, exist_ok=True)
        authenticator_added.connect(count_activation_for_this_session, dispatch_uid="clusterportal.second_factor.activation")
