"""python manage.py kbo_import <zip or folder> — load a KBO Open Data full file, or apply
an update file, into the portal's registry (intake.services.registry)."""

from django.core.management.base import BaseCommand, CommandError

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
            raise CommandError(f"{refused} Nothing was changed.") from None
        extract = result.extract
        what = {
            "loaded": "Loaded full extract",
            "applied": "Applied update extract",
            "unchanged": "Already loaded: extract",
        }[result.action]
        self.stdout.write(
            self.style.SUCCESS(
                f"{what} {extract.extract_number} of {extract.snapshot_date:%d-%m-%Y}: "
                f"{extract.enterprises} enterprises, {extract.addresses} addresses."
            )
        )
