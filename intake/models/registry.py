"""The portal's copy of the public part of the company register (KBO Open Data, FPS
Economy): enterprises, their establishment units, names and addresses, and which extract
is loaded. Written only by intake.services.registry (a whole extract at a time); read by
intake.rules.registry.

The column names and formats follow the "Cookbook KBO Open data" (version R018.00, §2):
numbers are stored as 10 digits without the dots the files carry, dates as dates. No
foreign keys between the tables: the files are loaded table by table (and with COPY on
PostgreSQL), and the register itself links them only by number."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegistryExtract(models.Model):
    """One extract (full file or update file) that was loaded; the one with the highest
    number is the registry the portal checks against (meta.csv, cookbook §2.1)."""

    class ExtractType(models.TextChoices):
        FULL = "full", _("full file")
        UPDATE = "update", _("update file")

    extract_number = models.PositiveIntegerField(_("extract number"), unique=True)
    extract_type = models.CharField(_("extract type"), max_length=10, choices=ExtractType.choices)
    snapshot_date = models.DateField(_("snapshot date"))
    extract_timestamp = models.CharField(_("extract timestamp"), max_length=40, blank=True)
    version = models.CharField(_("format version"), max_length=20, blank=True)
    source = models.CharField(_("loaded from"), max_length=500, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)
    enterprises = models.PositiveIntegerField(_("enterprises after loading"), default=0)
    addresses = models.PositiveIntegerField(_("addresses after loading"), default=0)

    class Meta:
        verbose_name = _("KBO extract")
        verbose_name_plural = _("KBO extracts")
        ordering = ["-extract_number"]

    def __str__(self):
        return f"KBO {self.extract_number} ({self.snapshot_date:%d-%m-%Y})"


class RegistryCode(models.Model):
    """code.csv (cookbook §2.2): the descriptions of every code the other files use."""

    category = models.CharField(_("category"), max_length=40)
    code = models.CharField(_("code"), max_length=20)
    language = models.CharField(_("language"), max_length=2)
    description = models.TextField(_("description"))

    class Meta:
        verbose_name = _("KBO code")
        verbose_name_plural = _("KBO codes")
        indexes = [models.Index(fields=["category", "code"], name="registry_code_lookup")]

    def __str__(self):
        return f"{self.category} {self.code} ({self.language})"


class RegistryEnterprise(models.Model):
    """enterprise.csv (cookbook §2.3)."""

    enterprise_number = models.CharField(_("enterprise number"), max_length=10, primary_key=True)
    status = models.CharField(_("status"), max_length=2)
    juridical_situation = models.CharField(_("juridical situation"), max_length=3)
    type_of_enterprise = models.CharField(_("type of enterprise"), max_length=1)
    juridical_form = models.CharField(_("juridical form"), max_length=3, blank=True)
    juridical_form_cac = models.CharField(_("juridical form (CAC)"), max_length=3, blank=True)
    start_date = models.DateField(_("start date"))

    class Meta:
        verbose_name = _("KBO enterprise")
        verbose_name_plural = _("KBO enterprises")

    def __str__(self):
        return self.enterprise_number


class RegistryEstablishment(models.Model):
    """establishment.csv (cookbook §2.4): an establishment unit (vestigingseenheid)."""

    establishment_number = models.CharField(_("establishment number"), max_length=10, primary_key=True)
    start_date = models.DateField(_("start date"))
    enterprise_number = models.CharField(_("enterprise number"), max_length=10, db_index=True)

    class Meta:
        verbose_name = _("KBO establishment unit")
        verbose_name_plural = _("KBO establishment units")

    def __str__(self):
        return self.establishment_number


class RegistryDenomination(models.Model):
    """denomination.csv (cookbook §2.5): a name of an enterprise or establishment unit."""

    entity_number = models.CharField(_("entity number"), max_length=10, db_index=True)
    language = models.CharField(_("language"), max_length=1)
    type_of_denomination = models.CharField(_("type of name"), max_length=3)
    denomination = models.CharField(_("name"), max_length=320)

    class Meta:
        verbose_name = _("KBO name")
        verbose_name_plural = _("KBO names")

    def __str__(self):
        return self.denomination


class RegistryAddress(models.Model):
    """address.csv (cookbook §2.6): the seat (REGO), an establishment unit's address
    (BAET) or a branch's (ABBR)."""

    entity_number = models.CharField(_("entity number"), max_length=10, db_index=True)
    type_of_address = models.CharField(_("type of address"), max_length=4)
    country_nl = models.CharField(_("country (Dutch)"), max_length=100, blank=True)
    country_fr = models.CharField(_("country (French)"), max_length=100, blank=True)
    zipcode = models.CharField(_("postal code"), max_length=20, blank=True)
    municipality_nl = models.CharField(_("municipality (Dutch)"), max_length=200, blank=True)
    municipality_fr = models.CharField(_("municipality (French)"), max_length=200, blank=True)
    street_nl = models.CharField(_("street (Dutch)"), max_length=200, blank=True)
    street_fr = models.CharField(_("street (French)"), max_length=200, blank=True)
    house_number = models.CharField(_("house number"), max_length=22, blank=True)
    box = models.CharField(_("box"), max_length=20, blank=True)
    extra_address_info = models.CharField(_("extra address information"), max_length=80, blank=True)
    date_striking_off = models.DateField(_("struck off on"), null=True, blank=True)

    class Meta:
        verbose_name = _("KBO address")
        verbose_name_plural = _("KBO addresses")

    def __str__(self):
        return f"{self.street_nl or self.street_fr} {self.house_number}, {self.zipcode}"
