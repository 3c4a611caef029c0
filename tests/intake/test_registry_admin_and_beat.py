"""Call managers see in the admin which KBO extract is loaded and when; beat applies the
extracts dropped in KBO_DROP_DIR (issue 14, item 1)."""

import importlib

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from clusterportal import settings as portal_settings
from intake import tasks
from intake.kernel.formatting import format_brussels
from intake.kernel.roles import CALL_MANAGERS
from intake.rules.registry import loaded_extract
from intake.services.registry import registry_import
from tests.auth import sign_in
from tests.factories import UserFactory
from tests.intake import registry_helpers as kbo

pytestmark = pytest.mark.django_db


def test_call_managers_see_the_loaded_extract_in_the_admin(client, tmp_path):
    registry_import(path=kbo.full_zip(tmp_path))
    registry_import(path=kbo.update_zip(tmp_path))
    manager = UserFactory(is_staff=True)
    manager.groups.add(Group.objects.get(name=CALL_MANAGERS))
    sign_in(client, manager)

    page = client.get(reverse("admin:intake_registryextract_changelist")).content.decode()

    assert page.index(">141<") < page.index(">140<")  # the loaded one first
    assert "01-11-2026" in page or "1 november 2026" in page
    assert format_brussels(loaded_extract().loaded_at) in page
    assert "KboOpenData_0141_2026_11_Update.zip" in page
    assert client.get(reverse("admin:intake_registryextract_add")).status_code == 403


def test_the_beat_task_applies_dropped_extracts(settings, tmp_path):
    settings.KBO_DROP_DIR = str(tmp_path)
    kbo.full_zip(tmp_path)

    tasks.registry_drops.delay()

    assert loaded_extract().extract_number == 140


def test_the_drop_folder_is_scheduled_only_when_configured(monkeypatch):
    try:
        monkeypatch.delenv("KBO_DROP_DIR", raising=False)
        assert "registry-drops" not in importlib.reload(portal_settings).CELERY_BEAT_SCHEDULE
        monkeypatch.setenv("KBO_DROP_DIR", "/srv/kbo")
        schedule = importlib.reload(portal_settings).CELERY_BEAT_SCHEDULE["registry-drops"]
        assert (schedule["task"], schedule["schedule"]) == ("intake.registry_apply_drops", 3600.0)
    finally:
        monkeypatch.delenv("KBO_DROP_DIR", raising=False)
        importlib.reload(portal_settings)
