from django.apps import AppConfig
from django.conf import settings


class ClusterportalConfig(AppConfig):
    """The project itself as an app: it prepares the local folders every process needs
    (SQLite's, the disk broker's, static files) once Django is set up, in the web server,
    the worker, beat and every management command alike."""

    name = "clusterportal"
    verbose_name = "clusterportal"

    def ready(self):
        for directory in settings.LOCAL_DIRECTORIES:
            directory.mkdir(parents=True, exist_ok=True)
