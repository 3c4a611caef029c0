"""python manage.py kbo_import <zip or folder> — load a KBO Open Data full file, or apply
an update file, into the portal's registry (intake.services.registry)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from intake.kernel.errors import RegistryImportRefused
from intake.services.registry import registry_import


class Command(BaseCommand):
    help = "Load a KBO Open Data full file or apply an update file (a ZIP, or the folder it was unpacked in)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="KboOpenData_<nr>_<year>_<month>_Full.zip or _Update.zip, or its folder")

    def handle(self, *args, path, **options):
        try:
            result = registry_import(path=path)
        except RegistryImportRefused as refused:
            raise CommandError(_("%(problem)s Nothing was changed.") % {"problem": refused}) from None
        extract = result.extract
        template = {
            "loaded": _("Loaded full extract %(number)d of %(date)s: %(enterprises)d enterprises, %(addresses)d addresses."),
            "applied": _("Applied update extract %(number)d of %(date)s: %(enterprises)d enterprises, %(addresses)d addresses."),
            "unchanged": _("Already loaded: extract %(number)d of %(date)s; nothing was changed."),
        }[result.action]
        values = {
            "number": extract.extract_number,
            "date": f"{extract.snapshot_date:%d-%m-%Y}",
            "enterprises": extract.enterprises,
            "addresses": extract.addresses,
        }
        self.stdout.write(self.style.SUCCESS(template % values))
