import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import CommandError, call_command

from intake.kernel.formatting import BRUSSELS
from intake.models import Call


def _dump():
    """Every row of every model the demo touches, serialised, to compare two runs."""
    models = [m for m in apps.get_models() if m._meta.app_label in {"intake", "auth", "account"}]
    return {m._meta.label: serializers.serialize("json", m.objects.order_by("pk")) for m in models}


@pytest.mark.django_db
def test_seed_demo_is_idempotent(capsys):
    call_command("seed_demo")
    first = _dump()
    call_command("seed_demo")
    assert _dump() == first
    out = capsys.readouterr().out
    assert "aanvrager@demo.clusterportal.example" in out  # prints the demo logins


@pytest.mark.django_db
def test_seed_demo_third_call_has_the_real_deadlines():
    call_command("seed_demo")
    third = Call.objects.get(reference_prefix="IBN3")
    prereg = third.preregistration_deadline.astimezone(BRUSSELS)
    dossier = third.dossier_deadline.astimezone(BRUSSELS)
    assert (prereg.year, prereg.month, prereg.day, prereg.hour, prereg.minute, prereg.second) == (2026, 1, 23, 12, 0, 0)
    assert (dossier.year, dossier.month, dossier.day, dossier.hour, dossier.minute) == (2026, 5, 11, 12, 0)
    assert prereg.utcoffset().total_seconds() == 3600  # CET
    assert dossier.utcoffset().total_seconds() == 7200  # CEST
    assert third.min_mandating_enterprises == 30
    assert third.max_subsidy_per_year == 225000
    assert third.max_duration_years == 3
    assert third.criteria.count() == 5
    assert third.policy_priorities.exists()


@pytest.mark.django_db
def test_seed_demo_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not Call.objects.exists()
