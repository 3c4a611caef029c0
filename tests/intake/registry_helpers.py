"""Hand-written KBO Open Data extracts in the format of the FPS Economy's cookbook (R018.00):
a ZIP of comma-separated, double-quoted UTF-8 CSV files, numbers with dots, dates
dd-mm-yyyy. FULL is extract 140, UPDATE the next one (141)."""

import zipfile
from pathlib import Path


def number(base: int) -> str:
    """A valid enterprise number (check digits 97 - base mod 97), dotted as in the files."""
    digits = f"{base:08d}"
    canonical = f"{digits}{97 - int(digits) % 97:02d}"
    return f"{canonical[:4]}.{canonical[4:7]}.{canonical[7:]}"


def canonical(dotted: str) -> str:
    return dotted.replace(".", "")


# The cases of issue 14.
LEGAL = "0403.019.261"  # active legal person (vzw), seat in Antwerp, no establishment units
NATURAL = number(7_100_001)  # natural person: no seat address, one establishment in Leuven
STOPPED = number(4_200_002)  # in extract 140, struck from the register by update 141
MIXED = number(4_300_003)  # seat in Liège, establishments in Liège and Kortrijk
BRUSSELS = number(4_400_004)  # legal person with its seat in Brussels, no establishment units
WALLOON_UNIT = number(4_500_005)  # seat in Ghent but its only establishment unit in Namur
NEW = number(4_600_006)  # appears in update 141
NOBODY = number(4_700_007)  # valid check digits, in no extract

UNIT_NATURAL = "2.100.000.101"
UNIT_MIXED_LIEGE = "2.100.000.202"
UNIT_MIXED_KORTRIJK = "2.100.000.303"
UNIT_WALLOON = "2.100.000.404"

CODES = [
    ("Status", "AC", "NL", "Actief"),
    ("JuridicalSituation", "000", "NL", "Normale toestand"),
    ("TypeOfEnterprise", "1", "NL", "Natuurlijk persoon"),
    ("TypeOfEnterprise", "2", "NL", "Rechtspersoon"),
    ("JuridicalForm", "017", "NL", "Vereniging zonder winstoogmerk"),
    ("JuridicalForm", "610", "NL", "Besloten vennootschap"),
    ("TypeOfAddress", "REGO", "NL", "Adres van de zetel"),
    ("TypeOfAddress", "BAET", "NL", "Adres van de vestigingseenheid"),
    ("Language", "1", "NL", "Frans"),
    ("Language", "2", "NL", "Nederlands"),
    ("TypeOfDenomination", "001", "NL", "Naam"),
    ("TypeOfDenomination", "003", "NL", "Commerciële naam"),
]

ENTERPRISE_HEADER = "EnterpriseNumber,Status,JuridicalSituation,TypeOfEnterprise,JuridicalForm,JuridicalFormCAC,StartDate"
ESTABLISHMENT_HEADER = "EstablishmentNumber,StartDate,EnterpriseNumber"
DENOMINATION_HEADER = "EntityNumber,Language,TypeOfDenomination,Denomination"
ADDRESS_HEADER = (
    "EntityNumber,TypeOfAddress,CountryNL,CountryFR,Zipcode,MunicipalityNL,MunicipalityFR,StreetNL,StreetFR,"
    "HouseNumber,Box,ExtraAddressInfo,DateStrikingOff"
)


def _csv(header: str, rows: list[tuple]) -> str:
    lines = [",".join(f'"{h}"' for h in header.split(","))]
    lines += [",".join(f'"{v}"' if v != "" else "" for v in row) for row in rows]
    return "\r\n".join(lines) + "\r\n"


def _address(entity, kind, zipcode, municipality, street, house):
    return (entity, kind, "", "", zipcode, municipality, municipality, street, street, house, "", "", "")


def meta(number_: int, kind: str, snapshot: str = "04-10-2026") -> str:
    rows = [
        ("SnapshotDate", snapshot),
        ("ExtractTimestamp", f"{snapshot} 04:12:33"),
        ("ExtractType", kind),
        ("ExtractNumber", str(number_)),
        ("Version", "1.0.0"),
    ]
    return _csv("Variable,Value", rows)


def codes() -> str:
    return _csv("Category,Code,Language,Description", CODES)


ENTERPRISES = [
    (LEGAL, "AC", "000", "2", "017", "", "09-07-1995"),
    (NATURAL, "AC", "000", "1", "", "", "01-02-2010"),
    (STOPPED, "AC", "000", "2", "610", "", "15-03-2001"),
    (MIXED, "AC", "000", "2", "610", "", "30-06-1999"),
    (BRUSSELS, "AC", "000", "2", "017", "", "12-12-2012"),
    (WALLOON_UNIT, "AC", "000", "2", "610", "", "01-01-2005"),
]
ESTABLISHMENTS = [
    (UNIT_NATURAL, "01-02-2010", NATURAL),
    (UNIT_MIXED_LIEGE, "30-06-1999", MIXED),
    (UNIT_MIXED_KORTRIJK, "01-09-2015", MIXED),
    (UNIT_WALLOON, "01-01-2005", WALLOON_UNIT),
]
DENOMINATIONS = [
    (LEGAL, "2", "001", "Cluster Vlaanderen"),
    (LEGAL, "2", "003", "CluVla"),
    (NATURAL, "2", "001", "Bakkerij Peeters"),
    (STOPPED, "2", "001", "Gestopt BV"),
    (MIXED, "1", "001", "Métal Mosan"),
    (BRUSSELS, "2", "001", "Brussels Netwerk"),
    (WALLOON_UNIT, "1", "001", "Namur Logistique"),
]
ADDRESSES = [
    _address(LEGAL, "REGO", "2000", "Antwerpen", "Meir", "1"),
    _address(UNIT_NATURAL, "BAET", "3000", "Leuven", "Bondgenotenlaan", "20"),
    _address(STOPPED, "REGO", "9000", "Gent", "Veldstraat", "3"),
    _address(MIXED, "REGO", "4000", "Liège", "Rue Léopold", "4"),
    _address(UNIT_MIXED_LIEGE, "BAET", "4000", "Liège", "Rue Léopold", "4"),
    _address(UNIT_MIXED_KORTRIJK, "BAET", "8500", "Kortrijk", "Doorniksestraat", "5"),
    _address(BRUSSELS, "REGO", "1000", "Brussel", "Wetstraat", "16"),
    _address(WALLOON_UNIT, "REGO", "9000", "Gent", "Korenmarkt", "6"),
    _address(UNIT_WALLOON, "BAET", "5000", "Namur", "Rue de Fer", "7"),
]


def full_files(number_: int = 140) -> dict[str, str]:
    return {
        "meta.csv": meta(number_, "full"),
        "code.csv": codes(),
        "enterprise.csv": _csv(ENTERPRISE_HEADER, ENTERPRISES),
        "establishment.csv": _csv(ESTABLISHMENT_HEADER, ESTABLISHMENTS),
        "denomination.csv": _csv(DENOMINATION_HEADER, DENOMINATIONS),
        "address.csv": _csv(ADDRESS_HEADER, ADDRESSES),
    }


def update_files(number_: int = 141) -> dict[str, str]:
    """STOPPED struck off; LEGAL renamed; MIXED's Kortrijk unit closed; NEW registered."""
    return {
        "meta.csv": meta(number_, "update", "01-11-2026"),
        "code.csv": codes(),
        "enterprise_delete.csv": _csv("EnterpriseNumber", [(STOPPED,)]),
        "enterprise_insert.csv": _csv(ENTERPRISE_HEADER, [(NEW, "AC", "000", "2", "610", "", "20-10-2026")]),
        "establishment_delete.csv": _csv("EstablishmentNumber", [(UNIT_MIXED_KORTRIJK,)]),
        "establishment_insert.csv": _csv(ESTABLISHMENT_HEADER, []),
        "denomination_delete.csv": _csv("EntityNumber", [(LEGAL,), (STOPPED,)]),
        "denomination_insert.csv": _csv(
            DENOMINATION_HEADER, [(LEGAL, "2", "001", "Cluster Vlaanderen Plus"), (NEW, "2", "001", "Nieuw BV")]
        ),
        "address_delete.csv": _csv("EntityNumber", [(STOPPED,), (UNIT_MIXED_KORTRIJK,)]),
        "address_insert.csv": _csv(ADDRESS_HEADER, [_address(NEW, "REGO", "3500", "Hasselt", "Grote Markt", "8")]),
    }


def write_zip(path: Path, files: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content.encode("utf-8") if isinstance(content, str) else content)
    return path


def full_zip(folder: Path, number_: int = 140, changes: dict | None = None) -> Path:
    """The full extract as the FPS names it; ``changes`` replaces files (None: leave a file out)."""
    files = {**full_files(number_), **(changes or {})}
    return write_zip(folder / f"KboOpenData_{number_:04d}_2026_10_Full.zip", {k: v for k, v in files.items() if v is not None})


def update_zip(folder: Path, number_: int = 141, changes: dict | None = None) -> Path:
    files = {**update_files(number_), **(changes or {})}
    return write_zip(folder / f"KboOpenData_{number_:04d}_2026_11_Update.zip", {k: v for k, v in files.items() if v is not None})


def address_rows_with_unknown_code() -> str:
    """address.csv whose second data line (line 3) has a TypeOfAddress code.csv does not know."""
    rows = list(ADDRESSES)
    rows[1] = (UNIT_NATURAL, "XXXX", *rows[1][2:])
    return _csv(ADDRESS_HEADER, rows)


def without_column(header: str, rows: list[tuple], column: str) -> str:
    titles = header.split(",")
    at = titles.index(column)
    return _csv(",".join(t for t in titles if t != column), [r[:at] + r[at + 1 :] for r in rows])
