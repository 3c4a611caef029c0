"""Loading KBO Open Data into the portal: a full file replaces the registry, an update file
applies the next extract's changes. One transaction per extract (a refused file leaves the
previous extract in place), streamed line by line (memory does not grow with the file), with
COPY on PostgreSQL and batched inserts on SQLite.

The file layout is the FPS Economy's "Cookbook KBO Open data" (version R018.00): §1.5 the
ZIP of CSV files (comma, double quotes, dates dd-mm-yyyy), §1.5.2 the update file
(``<table>_delete.csv`` then ``<table>_insert.csv``), §2 the columns of each file."""

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from intake.kernel.errors import RegistryImportRefused
from intake.models import (
    RegistryAddress,
    RegistryCode,
    RegistryDenomination,
    RegistryEnterprise,
    RegistryEstablishment,
    RegistryExtract,
)

BATCH = 5000
_NUMBER_RE = re.compile(r"[0-9]{4}\.[0-9]{3}\.[0-9]{3}|[0-9]\.[0-9]{3}\.[0-9]{3}\.[0-9]{3}")
_DATE_RE = re.compile(r"([0-9]{2})-([0-9]{2})-([0-9]{4})")
# The update file names the entities whose rows to delete by the table's key (§1.5.2).
_ADVISORY_LOCK = 14062014  # one importer at a time on PostgreSQL (beat and the command)


class _Bad(ValueError):
    """A value that does not fit its column; the reader adds file and line."""


def _number(value: str) -> str:
    if not _NUMBER_RE.fullmatch(value):
        raise _Bad(_("%(value)r is not an enterprise or establishment number (9999.999.999).") % {"value": value})
    return value.replace(".", "")


def _date(value: str) -> date:
    match = _DATE_RE.fullmatch(value)
    try:
        if not match:
            raise ValueError
        return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        raise _Bad(_("%(value)r is not a date (dd-mm-yyyy).") % {"value": value}) from None


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    required: bool = True  # a value is mandatory (cookbook's "mandatory" column)
    convert: Callable[[str], object] | None = None
    code_table: str = ""  # the value must be a code of this category in code.csv
    optional_header: bool = False  # columns added in later versions of the format


@dataclass(frozen=True)
class Table:
    name: str  # enterprise → enterprise.csv, enterprise_delete.csv, enterprise_insert.csv
    model: type
    key: str  # the column the _delete file lists
    columns: tuple[Column, ...]


TABLES = (
    Table(
        "enterprise",
        RegistryEnterprise,
        "EnterpriseNumber",
        (
            Column("EnterpriseNumber", "enterprise_number", convert=_number),
            Column("Status", "status", code_table="Status"),
            Column("JuridicalSituation", "juridical_situation", code_table="JuridicalSituation"),
            Column("TypeOfEnterprise", "type_of_enterprise", code_table="TypeOfEnterprise"),
            Column("JuridicalForm", "juridical_form", required=False, code_table="JuridicalForm"),
            Column("JuridicalFormCAC", "juridical_form_cac", False, code_table="JuridicalForm", optional_header=True),
            Column("StartDate", "start_date", convert=_date),
        ),
    ),
    Table(
        "establishment",
        RegistryEstablishment,
        "EstablishmentNumber",
        (
            Column("EstablishmentNumber", "establishment_number", convert=_number),
            Column("StartDate", "start_date", convert=_date),
            Column("EnterpriseNumber", "enterprise_number", convert=_number),
        ),
    ),
    Table(
        "denomination",
        RegistryDenomination,
        "EntityNumber",
        (
            Column("EntityNumber", "entity_number", convert=_number),
            Column("Language", "language", code_table="Language"),
            Column("TypeOfDenomination", "type_of_denomination", code_table="TypeOfDenomination"),
            Column("Denomination", "denomination"),
        ),
    ),
    Table(
        "address",
        RegistryAddress,
        "EntityNumber",
        (
            Column("EntityNumber", "entity_number", convert=_number),
            Column("TypeOfAddress", "type_of_address", code_table="TypeOfAddress"),
            Column("CountryNL", "country_nl", False),
            Column("CountryFR", "country_fr", False),
            Column("Zipcode", "zipcode", False),
            Column("MunicipalityNL", "municipality_nl", False),
            Column("MunicipalityFR", "municipality_fr", False),
            Column("StreetNL", "street_nl", False),
            Column("StreetFR", "street_fr", False),
            Column("HouseNumber", "house_number", False),
            Column("Box", "box", False),
            Column("ExtraAddressInfo", "extra_address_info", False),
            Column("DateStrikingOff", "date_striking_off", False, convert=_date),
        ),
    ),
)
CODE_COLUMNS = (
    Column("Category", "category"),
    Column("Code", "code"),
    Column("Language", "language"),
    Column("Description", "description"),
)


@dataclass(frozen=True)
class Meta:
    extract_number: int
    extract_type: str
    snapshot_date: date
    extract_timestamp: str
    version: str


@dataclass(frozen=True)
class ImportResult:
    extract: RegistryExtract
    action: str  # "loaded" (full), "applied" (update) or "unchanged" (this update is already in)


# --- reading ----------------------------------------------------------------------------


class _Source:
    """A ZIP as the FPS publishes it, or a folder where it was unpacked: binary streams by
    file name (case-insensitive, wherever in the ZIP the file sits)."""

    def __init__(self, path: Path):
        self.path = path
        self.label = path.name
        if path.is_dir():
            self._zip = None
            self._names = {p.name.lower(): p for p in path.iterdir() if p.is_file()}
            return
        try:
            self._zip = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise RegistryImportRefused(_("no such file or folder."), file=str(path)) from None
        except (zipfile.BadZipFile, OSError, EOFError):
            raise RegistryImportRefused(
                _("this is not a ZIP file, or it is truncated (the download may have been interrupted)."),
                file=path.name,
            ) from None
        self._names = {Path(info.filename).name.lower(): info for info in self._zip.infolist() if not info.is_dir()}

    def has(self, name: str) -> bool:
        return name in self._names

    def require(self, *names: str) -> None:
        missing = [n for n in names if n not in self._names]
        if missing:
            raise RegistryImportRefused(
                _("%(files)s missing: not a KBO Open Data extract, or an incomplete one.") % {"files": ", ".join(missing)},
                file=self.label,
            )

    def open(self, name: str):
        entry = self._names[name]
        raw = entry.open("rb") if self._zip is None else self._zip.open(entry)
        # ZipExtFile.readline is Python code; a C buffer in front of it keeps the per-line cost low.
        return io.BufferedReader(raw, buffer_size=1 << 20) if self._zip is not None else raw

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def _lines(stream, name: str, position: list[int]) -> Iterator[str]:
    """Decode line by line, so that a file in the wrong encoding is reported at its line."""
    for number, raw in enumerate(stream, start=1):
        position[0] = number
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            raise RegistryImportRefused(
                _("not UTF-8 text (the KBO files are UTF-8): was the file saved in another encoding?"),
                file=name,
                line=number,
            ) from None


def _read(source: _Source, name: str, columns: tuple[Column, ...], codes: dict[str, set[str]] | None) -> Iterator[tuple]:
    """The file's rows as tuples in the order of ``columns``, checked; RegistryImportRefused
    names the file and line of the first problem."""
    position = [0]
    try:
        with source.open(name) as stream:
            reader = csv.reader(_lines(stream, name, position), strict=True)
            header = next(reader, None)
            if header is None:
                raise RegistryImportRefused(_("the file is empty; it should start with its column names."), file=name, line=1)
            index = {title.strip(): i for i, title in enumerate(header)}
            missing = [c.header for c in columns if c.header not in index and not c.optional_header]
            if missing:
                raise RegistryImportRefused(
                    _("columns missing: %(columns)s.") % {"columns": ", ".join(missing)}, file=name, line=1
                )
            picks = [(index.get(c.header), c) for c in columns]
            width = len(header)
            for row in reader:
                if not row:
                    continue
                if len(row) != width:
                    raise RegistryImportRefused(
                        _("%(found)d values where the header has %(expected)d columns.") % {"found": len(row), "expected": width},
                        file=name,
                        line=position[0],
                    )
                values = []
                for i, column in picks:
                    value = row[i].strip() if i is not None else ""
                    if not value:
                        if column.required:
                            raise RegistryImportRefused(
                                _("%(column)s is empty; it is mandatory.") % {"column": column.header},
                                file=name,
                                line=position[0],
                            )
                        values.append(None if column.convert is _date else "")
                        continue
                    if column.code_table and codes is not None and value not in codes.get(column.code_table, ()):
                        raise RegistryImportRefused(
                            _("%(column)s %(value)r is not a code of %(table)s in code.csv.")
                            % {"column": column.header, "value": value, "table": column.code_table},
                            file=name,
                            line=position[0],
                        )
                    try:
                        values.append(column.convert(value) if column.convert else value)
                    except _Bad as bad:
                        raise RegistryImportRefused(f"{column.header}: {bad}", file=name, line=position[0]) from None
                yield tuple(values)
    except csv.Error as exc:
        raise RegistryImportRefused(_("not valid CSV (%(error)s).") % {"error": exc}, file=name, line=position[0]) from None
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError):
        raise RegistryImportRefused(
            _("the ZIP is damaged or truncated here (the download may have been interrupted)."), file=name, line=position[0]
        ) from None


def _meta(source: _Source) -> Meta:
    source.require("meta.csv")
    values = dict(_read(source, "meta.csv", (Column("Variable", "variable"), Column("Value", "value", False)), None))
    for variable in ("SnapshotDate", "ExtractNumber", "ExtractType"):
        if not values.get(variable):
            raise RegistryImportRefused(_("%(variable)s is missing.") % {"variable": variable}, file="meta.csv")
    extract_type = values["ExtractType"].lower()
    if extract_type not in {"full", "update"}:
        raise RegistryImportRefused(
            _("ExtractType %(value)r is neither full nor update.") % {"value": values["ExtractType"]}, file="meta.csv"
        )
    try:
        number = int(values["ExtractNumber"])
        snapshot = _date(values["SnapshotDate"])
    except (ValueError, _Bad):
        raise RegistryImportRefused(_("ExtractNumber or SnapshotDate cannot be read."), file="meta.csv") from None
    return Meta(number, extract_type, snapshot, values.get("ExtractTimestamp", ""), values.get("Version", ""))


def _codes(source: _Source) -> dict[str, set[str]]:
    """code.csv, loaded into the registry and kept as a set per category to check the
    other files' codes: the code table is small (tens of thousands of lines), the data files are not."""
    source.require("code.csv")
    RegistryCode.objects.all().delete()
    codes: dict[str, set[str]] = {}

    def rows():
        for row in _read(source, "code.csv", CODE_COLUMNS, None):
            codes.setdefault(row[0], set()).add(row[1])
            yield row

    _insert(RegistryCode, [c.field for c in CODE_COLUMNS], rows(), "code.csv")
    return codes


# --- writing ----------------------------------------------------------------------------


def _insert(model, fields: list[str], rows: Iterator[tuple], name: str) -> None:
    table = model._meta.db_table
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({', '.join(fields)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(fields))
                # Table and column names come from the models; the values are parameters.
                sql = f"INSERT INTO {table} ({', '.join(fields)}) VALUES ({placeholders})"  # noqa: S608
                batch = []
                for row in rows:
                    batch.append(row)
                    if len(batch) >= BATCH:
                        cursor.executemany(sql, batch)
                        batch.clear()
                if batch:
                    cursor.executemany(sql, batch)
    except (IntegrityError, connection.Database.IntegrityError):  # Django's (SQLite) or psycopg's (COPY)
        raise RegistryImportRefused(_("a number occurs twice, or is already in the registry."), file=name) from None


def _delete(table: Table, source: _Source) -> None:
    """``<table>_delete.csv``: every row of the listed numbers goes (cookbook §1.5.2)."""
    name = f"{table.name}_delete.csv"
    key = next(c for c in table.columns if c.header == table.key)
    batch = []
    for (number,) in _read(source, name, (key,), None):
        batch.append(number)
        if len(batch) >= 900:  # under SQLite's 999 parameters
            table.model.objects.filter(**{f"{key.field}__in": batch}).delete()
            batch.clear()
    if batch:
        table.model.objects.filter(**{f"{key.field}__in": batch}).delete()


def _load(table: Table, source: _Source, name: str, codes) -> None:
    _insert(table.model, [c.field for c in table.columns], _read(source, name, table.columns, codes), name)


def _empty_registry() -> None:
    # DELETE, not TRUNCATE: TRUNCATE would lock the tables against readers until the new
    # extract commits, and the portal keeps checking against the previous one meanwhile.
    for model in [RegistryCode] + [t.model for t in TABLES]:
        model.objects.all().delete()


def _loaded() -> RegistryExtract | None:
    return RegistryExtract.objects.order_by("-extract_number").first()


def registry_import(*, path: Path | str) -> ImportResult:
    """Load a full file or apply an update file (a ZIP, or the folder it was unpacked in).

    A full file replaces the whole registry (the same full file twice leaves the same
    registry); an update must carry the extract number after the loaded one; the update
    already loaded is reported unchanged. Anything wrong refuses the whole extract."""
    source = _Source(Path(path))
    try:
        meta = _meta(source)
        if meta.extract_type == "full":
            source.require("code.csv", *(f"{t.name}.csv" for t in TABLES))
        else:
            source.require("code.csv", *(f"{t.name}_{step}.csv" for t in TABLES for step in ("delete", "insert")))
        with transaction.atomic(durable=True):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK])
            loaded = _loaded()
            if meta.extract_type == "update":
                if loaded is not None and loaded.extract_number == meta.extract_number:
                    return ImportResult(loaded, "unchanged")
                if loaded is None:
                    raise RegistryImportRefused(
                        _("update file %(number)d cannot be applied: no extract is loaded yet. Load a full file first.")
                        % {"number": meta.extract_number},
                        file=source.label,
                    )
                if meta.extract_number != loaded.extract_number + 1:
                    raise RegistryImportRefused(
                        _(
                            "update file %(number)d does not follow the loaded extract %(loaded)d: apply update "
                            "%(next)d first, or load a newer full file."
                        )
                        % {"number": meta.extract_number, "loaded": loaded.extract_number, "next": loaded.extract_number + 1},
                        file=source.label,
                    )
                codes = _codes(source)
                for table in TABLES:
                    _delete(table, source)
                    _load(table, source, f"{table.name}_insert.csv", codes)
                action = "applied"
            else:
                if loaded is not None and meta.extract_number < loaded.extract_number:
                    raise RegistryImportRefused(
                        _("full file %(number)d is older than the loaded extract %(loaded)d; nothing was changed.")
                        % {"number": meta.extract_number, "loaded": loaded.extract_number},
                        file=source.label,
                    )
                _empty_registry()
                codes = _codes(source)
                for table in TABLES:
                    _load(table, source, f"{table.name}.csv", codes)
                action = "loaded"
            RegistryExtract.objects.filter(extract_number=meta.extract_number).delete()
            extract = RegistryExtract.objects.create(
                extract_number=meta.extract_number,
                extract_type=meta.extract_type,
                snapshot_date=meta.snapshot_date,
                extract_timestamp=meta.extract_timestamp,
                version=meta.version,
                source=str(path)[:500],
                enterprises=RegistryEnterprise.objects.count(),
                addresses=RegistryAddress.objects.count(),
            )
            return ImportResult(extract, action)
    finally:
        source.close()


_DROP_NAME_RE = re.compile(r"KboOpenData_(\d+)_", re.IGNORECASE)


def registry_apply_drops(*, folder: Path | str | None = None) -> list[ImportResult]:
    """Apply the extracts dropped in KBO_DROP_DIR that are newer than the loaded one, in
    extract order (the FPS's names: KboOpenData_<extractnr>_<year>_<month>_Full.zip or
    _Update.zip, cookbook §1.5). Off (nothing done) when no folder is configured. Stops at
    the first refused file: the ones after it cannot follow."""
    folder = folder or getattr(settings, "KBO_DROP_DIR", "")
    if not folder:
        return []
    loaded = _loaded()
    current = loaded.extract_number if loaded else -1
    candidates = []
    for path in Path(folder).glob("*.zip"):
        match = _DROP_NAME_RE.match(path.name)
        if match and int(match[1]) > current:
            full = path.stem.lower().endswith("_full")
            candidates.append((int(match[1]), not full, path))
    results = []
    # With no registry loaded yet, start from the newest full file; then the updates after it.
    fulls = [c for c in candidates if not c[1]]
    if loaded is None and fulls:
        start = max(fulls)[0]
        candidates = [c for c in candidates if c[0] > start or (c[0] == start and not c[1])]
    for number, _is_update, path in sorted(candidates):
        latest = _loaded()
        if latest is not None and number <= latest.extract_number:
            continue
        results.append(registry_import(path=path))
    return results
