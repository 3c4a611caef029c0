"""A KBO extract that cannot be read is refused whole, with the file and line of the first
problem, and the registry stays as it was (issue 14, item 5)."""

import zipfile

import pytest
from django.utils import translation

from intake.kernel.errors import RegistryImportRefused
from intake.models import RegistryEnterprise
from intake.rules.registry import loaded_extract
from intake.services.registry import registry_import
from tests.intake import registry_helpers as kbo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages in English here; tests/intake/management/commands/test_kbo_import.py
    reads them in Dutch, as call managers do."""
    with translation.override("en"):
        yield


@pytest.fixture
def loaded(tmp_path):
    """Extract 140 loaded: every refused file must leave it as it is."""
    registry_import(path=kbo.full_zip(tmp_path))
    return sorted(RegistryEnterprise.objects.values_list("enterprise_number", flat=True))


def _refused(path) -> str:
    with pytest.raises(RegistryImportRefused) as refused:
        registry_import(path=path)
    return str(refused.value)


def _unchanged(loaded):
    assert sorted(RegistryEnterprise.objects.values_list("enterprise_number", flat=True)) == loaded
    assert loaded_extract().extract_number == 140


def test_a_file_that_is_no_zip_is_refused(tmp_path, loaded):
    path = tmp_path / "KboOpenData_0141_2026_11_Full.zip"
    path.write_bytes(b"<html>Session expired</html>")

    assert "KboOpenData_0141_2026_11_Full.zip: this is not a ZIP file, or it is truncated" in _refused(path)
    _unchanged(loaded)


def test_a_truncated_zip_is_refused(tmp_path, loaded):
    whole = kbo.full_zip(tmp_path / "", 141).read_bytes()
    path = tmp_path / "cut.zip"
    path.write_bytes(whole[: len(whole) // 2])

    assert "this is not a ZIP file, or it is truncated" in _refused(path)
    _unchanged(loaded)


def test_a_damaged_member_is_refused_at_its_line(tmp_path, loaded):
    # A ZIP whose directory is intact but whose enterprise.csv bytes were corrupted in transit.
    path = kbo.full_zip(tmp_path, 141)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("enterprise.csv")
    start = info.header_offset + 30 + len(info.filename)
    for i in range(start + 5, start + info.compress_size - 5):
        data[i] ^= 0x55
    path.write_bytes(bytes(data))

    assert "enterprise.csv" in _refused(path)
    _unchanged(loaded)


def test_a_missing_file_is_named(tmp_path, loaded):
    message = _refused(kbo.full_zip(tmp_path, 141, {"address.csv": None}))

    assert "address.csv missing" in message
    _unchanged(loaded)


def test_a_missing_column_is_named_with_the_file(tmp_path, loaded):
    content = kbo.without_column(kbo.ENTERPRISE_HEADER, kbo.ENTERPRISES, "TypeOfEnterprise")

    message = _refused(kbo.full_zip(tmp_path, 141, {"enterprise.csv": content}))

    assert message.startswith("enterprise.csv, line 1: columns missing: TypeOfEnterprise.")
    _unchanged(loaded)


def test_an_unknown_code_is_named_with_file_and_line(tmp_path, loaded):
    message = _refused(kbo.full_zip(tmp_path, 141, {"address.csv": kbo.address_rows_with_unknown_code()}))

    assert message == "address.csv, line 3: TypeOfAddress 'XXXX' is not a code of TypeOfAddress in code.csv."
    _unchanged(loaded)


def test_a_file_in_the_wrong_encoding_is_refused_at_its_line(tmp_path, loaded):
    latin1 = kbo.full_files()["denomination.csv"].encode("cp1252")

    message = _refused(kbo.full_zip(tmp_path, 141, {"denomination.csv": latin1}))

    # Line 6 is "Métal Mosan", the first name with a letter outside ASCII.
    assert message.startswith("denomination.csv, line 6: not UTF-8 text")
    _unchanged(loaded)


def test_a_bad_date_and_a_bad_number_are_refused(tmp_path, loaded):
    rows = list(kbo.ENTERPRISES)
    rows[0] = (*rows[0][:6], "1995-07-09")
    dates = kbo._csv(kbo.ENTERPRISE_HEADER, rows)
    rows[0] = ("403019261", *kbo.ENTERPRISES[0][1:])
    numbers = kbo._csv(kbo.ENTERPRISE_HEADER, rows)

    assert "enterprise.csv, line 2: StartDate: '1995-07-09' is not a date (dd-mm-yyyy)." in _refused(
        kbo.full_zip(tmp_path, 141, {"enterprise.csv": dates})
    )
    assert "enterprise.csv, line 2: EnterpriseNumber" in _refused(kbo.full_zip(tmp_path, 141, {"enterprise.csv": numbers}))
    _unchanged(loaded)


def test_a_line_with_too_few_values_is_named(tmp_path, loaded):
    content = kbo.full_files()["establishment.csv"] + '"2.100.000.505","01-01-2020"\r\n'

    assert "establishment.csv, line 6: 2 values where the header has 3 columns." in _refused(
        kbo.full_zip(tmp_path, 141, {"establishment.csv": content})
    )
    _unchanged(loaded)


def test_a_number_twice_is_refused(tmp_path, loaded):
    content = kbo.full_files()["enterprise.csv"] + kbo.full_files()["enterprise.csv"].split("\r\n", 1)[1]

    assert "enterprise.csv: a number occurs twice" in _refused(kbo.full_zip(tmp_path, 141, {"enterprise.csv": content}))
    _unchanged(loaded)


def test_meta_without_an_extract_number_is_refused(tmp_path, loaded):
    meta = "\r\n".join(line for line in kbo.meta(141, "full").split("\r\n") if "ExtractNumber" not in line)

    assert "meta.csv: ExtractNumber is missing." in _refused(kbo.full_zip(tmp_path, 141, {"meta.csv": meta}))
    _unchanged(loaded)


def test_a_failure_in_the_last_table_leaves_the_first_ones_unchanged(tmp_path, loaded):
    # enterprise.csv of 141 (without LEGAL) is read before address.csv fails: nothing of it stays.
    files = kbo.full_files(141)
    enterprises = kbo._csv(kbo.ENTERPRISE_HEADER, kbo.ENTERPRISES[1:])

    _refused(kbo.full_zip(tmp_path, 141, {"enterprise.csv": enterprises, "address.csv": files["address.csv"][:-40]}))

    _unchanged(loaded)
