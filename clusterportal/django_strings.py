"""Django's own interface strings that the portal translates itself (its catalogue in
locale/ comes first, LOCALE_PATHS), because Django's Dutch catalogue lacks them or says
them otherwise. Marked here so that `make messages-update` keeps them."""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = (
    # The blank choice of every select built from model choices (legal form, filters, admin).
    gettext_noop("- Select an option -"),
)
