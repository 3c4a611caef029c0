"""Loading KBO Open Data: a full file, then the next update file, into the registry the
portal checks against; atomic, idempotent, refused out of order (issue 14, item 1)."""

import pytest
from django.utils import translation

from intake.kernel.errors import RegistryImportRefused
from intake.models import RegistryAddress, RegistryCode, RegistryEnterprise, RegistryEstablishment, RegistryExtract
from intake.rules.registry import loaded_extract, mandate_problems, registry_facts
from intake.services.registry import registry_apply_drops, registry_import
from tests.concurrency import requires_postgresql
from tests.intake import registry_helpers as kbo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages in English here; tests/intake/management/commands/test_kbo_import.py
    reads them in Dutch, as call managers do."""
    with translation.override("en"):
        yield


def _facts(dotted):
    return registry_facts([kbo.canonical(dotted)])[kbo.canonical(dotted)]


def _state():
    """Everything the registry holds, to compare two imports."""
    return (
        sorted(RegistryEnterprise.objects.values_list()),
        sorted(RegistryEstablishment.objects.values_list()),
        sorted(tuple(r[1:]) for r in RegistryAddress.objects.values_list()),
        RegistryCode.objects.count(),
    )


def test_full_file_loads_every_table_with_its_extract(tmp_path):
    result = registry_import(path=kbo.full_zip(tmp_path))

    assert result.action == "loaded"
    extract = loaded_extract()
    assert (extract.extract_number, extract.extract_type, f"{extract.snapshot_date:%d-%m-%Y}") == (140, "full", "04-10-2026")
    assert (extract.enterprises, extract.addresses) == (6, 9)
    legal = _facts(kbo.LEGAL)
    assert (legal.name, legal.active, legal.legal_person) == ("Cluster Vlaanderen", True, True)
    assert str(legal.seat) == "Meir 1, 2000 Antwerpen"
    natural = _facts(kbo.NATURAL)
    assert (natural.legal_person, natural.seat) == (False, None)
    assert str(natural.flemish_address) == "Bondgenotenlaan 20, 3000 Leuven"


def test_the_flemish_rule_reads_establishment_units_before_the_seat(tmp_path):
    registry_import(path=kbo.full_zip(tmp_path))

    assert str(_facts(kbo.MIXED).flemish_address) == "Doorniksestraat 5, 8500 Kortrijk"
    assert mandate_problems(_facts(kbo.BRUSSELS)) == ["not_flemish"]
    # Its seat is in Ghent, but the enterprise has establishment units and none is Flemish.
    assert mandate_problems(_facts(kbo.WALLOON_UNIT)) == ["not_flemish"]
    assert mandate_problems(_facts(kbo.NOBODY)) == ["not_in_registry"]
    assert mandate_problems(_facts(kbo.LEGAL)) == []


def test_update_file_deletes_then_inserts_as_the_cookbook_says(tmp_path):
    registry_import(path=kbo.full_zip(tmp_path))

    result = registry_import(path=kbo.update_zip(tmp_path))

    assert (result.action, loaded_extract().extract_number) == ("applied", 141)
    assert _facts(kbo.STOPPED).exists is False
    assert _facts(kbo.LEGAL).name == "Cluster Vlaanderen Plus"
    assert _facts(kbo.NEW).flemish_address.postal_code == "3500"
    # The Kortrijk unit closed: only Liège is left, so MIXED no longer counts as Flemish.
    assert mandate_problems(_facts(kbo.MIXED)) == ["not_flemish"]
    assert list(RegistryExtract.objects.values_list("extract_number", flat=True)) == [141, 140]


def test_the_same_full_file_twice_leaves_the_same_registry(tmp_path):
    path = kbo.full_zip(tmp_path)
    registry_import(path=path)
    first = _state()

    registry_import(path=path)

    assert _state() == first
    assert RegistryExtract.objects.count() == 1


def test_the_same_update_twice_changes_nothing_the_second_time(tmp_path):
    registry_import(path=kbo.full_zip(tmp_path))
    update = kbo.update_zip(tmp_path)
    registry_import(path=update)
    after_update = _state()

    assert registry_import(path=update).action == "unchanged"
    assert _state() == after_update


def test_an_update_that_does_not_follow_the_loaded_extract_is_refused(tmp_path):
    registry_import(path=kbo.full_zip(tmp_path))
    before = _state()

    with pytest.raises(RegistryImportRefused) as refused:
        registry_import(path=kbo.update_zip(tmp_path, 142))

    assert "update file 142 does not follow the loaded extract 140: apply update 141 first" in str(refused.value)
    assert _state() == before
    assert loaded_extract().extract_number == 140


def test_an_update_without_a_full_file_first_is_refused(tmp_path):
    with pytest.raises(RegistryImportRefused, match=r"no extract is loaded yet\. Load a full file first"):
        registry_import(path=kbo.update_zip(tmp_path))
    assert RegistryEnterprise.objects.count() == 0


def test_an_older_full_file_is_refused(tmp_path):
    registry_import(path=kbo.full_zip(tmp_path, 140))
    with pytest.raises(RegistryImportRefused, match="full file 139 is older than the loaded extract 140"):
        registry_import(path=kbo.full_zip(tmp_path, 139))


def test_an_unpacked_folder_loads_like_the_zip(tmp_path):
    folder = tmp_path / "unpacked"
    folder.mkdir()
    for name, content in kbo.full_files().items():
        (folder / name).write_text(content, encoding="utf-8")

    registry_import(path=folder)

    assert _facts(kbo.LEGAL).name == "Cluster Vlaanderen"


def test_dropped_files_are_applied_in_extract_order_once(tmp_path, settings):
    drops = tmp_path / "drops"
    drops.mkdir()
    settings.KBO_DROP_DIR = str(drops)
    kbo.update_zip(drops, 141)
    kbo.full_zip(drops, 140)

    results = registry_apply_drops()

    assert [(r.extract.extract_number, r.action) for r in results] == [(140, "loaded"), (141, "applied")]
    assert registry_apply_drops() == []


def test_no_drop_folder_means_nothing_is_done(settings):
    settings.KBO_DROP_DIR = ""
    assert registry_apply_drops() == []
    assert loaded_extract() is None


def test_a_lookup_costs_the_same_queries_for_one_or_many(tmp_path, django_assert_num_queries):
    registry_import(path=kbo.full_zip(tmp_path))
    everyone = [kbo.canonical(n) for n in (kbo.LEGAL, kbo.NATURAL, kbo.MIXED, kbo.BRUSSELS, kbo.NOBODY)]

    with django_assert_num_queries(4):
        registry_facts(everyone[:1])
    with django_assert_num_queries(4):
        registry_facts(everyone)


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_postgresql_loads_with_copy_and_rolls_back_a_bad_file(tmp_path):
    registry_import(path=kbo.full_zip(tmp_path))
    registry_import(path=kbo.update_zip(tmp_path))
    assert _facts(kbo.NEW).name == "Nieuw BV"
    before = _state()
    broken = kbo.address_rows_with_unknown_code()

    with pytest.raises(RegistryImportRefused, match=r"address\.csv, line 3"):
        registry_import(path=kbo.full_zip(tmp_path, 142, {"address.csv": broken}))

    assert _state() == before
    assert loaded_extract().extract_number == 141
