from django.apps import AppConfig


class IdentityConfig(AppConfig):
    """An app so that allauth's provider registry finds ``identity.provider`` (it loads a
    ``provider`` module from every installed app) and its URLs; it connects the receiver
    that applies a provider's claims at every login."""

    name = "clusterportal.identity"
    label = "identity"
    verbose_name = "identity providers"

    def ready(self):
        from allauth.account.signals import user_logged_in  # noqa: PLC0415 -- allauth's signals import its models: only once the registry is ready

        from clusterportal.identity.login import apply_claims_at_login  # noqa: PLC0415 -- imports intake's services and models: as above

        user_logged_in.connect(apply_claims_at_login, dispatch_uid="clusterportal.identity.login")
