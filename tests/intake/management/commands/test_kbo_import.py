"""manage.py kbo_import: a KBO Open Data extract by hand; a refusal says what and where, and
exits with an error (issue 14, items 1 and 5)."""

import io

import pytest
from django.core.management import CommandError, call_command

from intake.models import RegistryEnterprise
from tests.intake import registry_helpers as kbo

pytestmark = pytest.mark.django_db


def run_command(path) -> str:
    out = io.StringIO()
    call_command("kbo_import", str(path), stdout=out)
    return out.getvalue()


def test_kbo_import_loads_the_full_file_then_the_update(tmp_path):
    assert "Volledig uittreksel 140 van 04-10-2026 geladen: 6 ondernemingen, 9 adressen." in run_command(kbo.full_zip(tmp_path))
    update = kbo.update_zip(tmp_path)
    assert "Update-uittreksel 141 van 01-11-2026 toegepast: 6 ondernemingen, 8 adressen." in run_command(update)
    assert "Al geladen: uittreksel 141 van 01-11-2026; er werd niets gewijzigd." in run_command(update)


def test_kbo_import_refuses_an_update_out_of_order_and_changes_nothing(tmp_path):
    run_command(kbo.full_zip(tmp_path))

    with pytest.raises(CommandError) as refused:
        run_command(kbo.update_zip(tmp_path, 143))

    assert str(refused.value) == (
        "KboOpenData_0143_2026_11_Update.zip: updatebestand 143 volgt niet op het geladen uittreksel 140: pas eerst "
        "update 141 toe, of laad een nieuwer volledig bestand. Er werd niets gewijzigd."
    )
    assert RegistryEnterprise.objects.count() == 6


def test_kbo_import_names_a_missing_path(tmp_path):
    with pytest.raises(CommandError, match="dit bestand of deze map bestaat niet"):
        run_command(tmp_path / "KboOpenData_0140_2026_10_Full.zip")
