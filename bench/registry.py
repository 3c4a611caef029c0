"""A full-size KBO Open Data extract (about 2 million enterprises, 3 million addresses):
generated synthetically in the cookbook's format, streamed into a ZIP, then imported with
``kbo_import``'s service. Reports the import time, the peak memory (RSS) before and after
the import, and the registry lookup per mandate at 2,000 mandates next to a bare one-row
query by primary key in the same run.

BENCH_REGISTRY_ENTERPRISES sets the size (default 2,000,000; addresses 1.5 per enterprise)."""

import io
import os
import random
import resource
import time
import zipfile

from django.db import connection

from bench import env
from intake.models import RegistryEnterprise
from intake.rules.registry import registry_facts
from intake.services.registry import registry_import

ENTERPRISES = env.size(int(os.environ.get("BENCH_REGISTRY_ENTERPRISES", "2000000")), 200)
MANDATES = env.size(2000, 50)

ENTERPRISE_HEADER = "EnterpriseNumber,Status,JuridicalSituation,TypeOfEnterprise,JuridicalForm,JuridicalFormCAC,StartDate"
ADDRESS_HEADER = (
    "EntityNumber,TypeOfAddress,CountryNL,CountryFR,Zipcode,MunicipalityNL,MunicipalityFR,StreetNL,StreetFR,"
    "HouseNumber,Box,ExtraAddressInfo,DateStrikingOff"
)


STREET = '"Gemeente","Commune","Straat","Rue"'


def _enterprise(n: int) -> tuple[str, str]:
    base = f"0{2000000 + n:07d}"
    digits = f"{base}{97 - int(base) % 97:02d}"
    return digits, f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def _unit(n: int) -> str:
    digits = f"{2000000000 + n:010d}"
    return f"{digits[0]}.{digits[1:4]}.{digits[4:7]}.{digits[7:]}"


def _member(archive: zipfile.ZipFile, name: str):
    # force_zip64: members of a full-size extract pass 2 GiB uncompressed only in ZIP64.
    return io.TextIOWrapper(archive.open(name, "w", force_zip64=True), encoding="utf-8", newline="")


def generate(path) -> None:
    """Legal persons (3 in 4) have a seat address; 3 in 4 enterprises have an establishment
    unit with its address: 1.5 addresses per enterprise, as in the real files (2 million
    enterprises, 3 million addresses). Written line by line: memory does not grow with the size."""
    rng = random.Random(14)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(
            "meta.csv",
            '"Variable","Value"\n"SnapshotDate","04-10-2026"\n"ExtractTimestamp","04-10-2026 04:00:00"\n'
            '"ExtractType","full"\n"ExtractNumber","140"\n"Version","1.0.0"\n',
        )
        codes = [("Status", "AC"), ("JuridicalSituation", "000"), ("TypeOfEnterprise", "1"), ("TypeOfEnterprise", "2")]
        codes += [("JuridicalForm", "610"), ("TypeOfAddress", "REGO"), ("TypeOfAddress", "BAET")]
        codes += [("Language", "2"), ("TypeOfDenomination", "001")]
        archive.writestr(
            "code.csv", '"Category","Code","Language","Description"\n' + "".join(f'"{c}","{v}","NL","x"\n' for c, v in codes)
        )
        # One member open at a time (zipfile's rule): one pass over the numbers per file.
        with _member(archive, "enterprise.csv") as out:
            out.write(ENTERPRISE_HEADER + "\n")
            for n in range(ENTERPRISES):
                kind, form = ("2", "610") if n % 4 else ("1", "")
                out.write(f'"{_enterprise(n)[1]}","AC","000","{kind}","{form}","","01-01-2000"\n')
        with _member(archive, "establishment.csv") as out:
            out.write("EstablishmentNumber,StartDate,EnterpriseNumber\n")
            for n in range(ENTERPRISES):
                if n % 4 == 1:
                    continue
                out.write(f'"{_unit(n)}","01-01-2000","{_enterprise(n)[1]}"\n')
        with _member(archive, "denomination.csv") as out:
            out.write("EntityNumber,Language,TypeOfDenomination,Denomination\n")
            for n in range(ENTERPRISES):
                out.write(f'"{_enterprise(n)[1]}","2","001","Onderneming {n}"\n')
        with _member(archive, "address.csv") as out:
            out.write(ADDRESS_HEADER + "\n")
            for n in range(ENTERPRISES):
                if n % 4:  # legal persons have a seat address
                    out.write(f'"{_enterprise(n)[1]}","REGO","","","{rng.randint(1000, 9999)}",{STREET},"{n % 200}","","",\n')
                if n % 4 != 1:  # three in four have an establishment unit
                    out.write(f'"{_unit(n)}","BAET","","","{rng.randint(1000, 9999)}",{STREET},"{n % 90}","","",\n')


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run() -> None:
    path = env.VAR / "KboOpenData_0140_2026_10_Full.zip"
    start = time.perf_counter()
    generate(path)
    generated = time.perf_counter() - start
    rss_before = _rss_mib()

    start = time.perf_counter()
    result = registry_import(path=path)
    imported = time.perf_counter() - start
    rss_after = _rss_mib()

    rng = random.Random(2000)
    mandates = [_enterprise(rng.randrange(ENTERPRISES))[0] for _ in range(MANDATES)]
    batch = env.median_seconds(lambda: registry_facts(mandates), repeat=5)
    one_by_one = env.median_seconds(lambda: [registry_facts([m]) for m in mandates[:200]], repeat=3) / min(200, MANDATES)
    bare = env.median_seconds(lambda: [RegistryEnterprise.objects.filter(pk=m).first() for m in mandates[:200]], repeat=3) / min(
        200, MANDATES
    )
    per_mandate = batch / MANDATES

    rows = [
        ("database", connection.vendor),
        ("enterprises / addresses", f"{result.extract.enterprises:,} / {result.extract.addresses:,}"),
        ("ZIP size", f"{path.stat().st_size / 2**20:,.0f} MiB"),
        ("generating the extract", f"{generated:,.1f} s"),
        ("import (one transaction)", f"{imported:,.1f} s ({result.extract.enterprises / imported:,.0f} enterprises/s)"),
        ("peak RSS before / after import", f"{rss_before:,.0f} MiB / {rss_after:,.0f} MiB"),
        (f"lookup per mandate, {MANDATES:,} at once", f"{per_mandate * 1e6:,.0f} µs ({per_mandate / bare:.2f}× bare)"),
        ("lookup of one mandate alone (4 queries)", f"{one_by_one * 1e6:,.0f} µs ({one_by_one / bare:.2f}× bare)"),
        ("bare one-row query by primary key", f"{bare * 1e6:,.0f} µs"),
    ]
    env.report(f"KBO registry: full extract of {ENTERPRISES:,} enterprises", rows)
    env.record(
        "registry",
        {
            "vendor": connection.vendor,
            "enterprises": result.extract.enterprises,
            "addresses": result.extract.addresses,
            "import_seconds": imported,
            "peak_rss_mib_before_import": rss_before,
            "peak_rss_mib_after_import": rss_after,
            "lookup_per_mandate_seconds": per_mandate,
            "lookup_one_seconds": one_by_one,
            "bare_query_seconds": bare,
        },
    )
    path.unlink()
