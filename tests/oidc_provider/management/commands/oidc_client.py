"""Creates or updates an OpenID Connect client (a DOT Application) as the portal is
configured with: confidential, authorization code, RS256-signed ID tokens, no consent
screen. Called by the fixture's Provider.register_client."""

from django.core.management.base import BaseCommand
from oauth2_provider.models import get_application_model


class Command(BaseCommand):
    help = "Create or update a confidential authorization-code RS256 client."

    def add_arguments(self, parser):
        parser.add_argument("client_id")
        parser.add_argument("secret")
        parser.add_argument("--redirect-uri", action="append", default=[], dest="redirect_uris")
        parser.add_argument("--post-logout-redirect-uri", action="append", default=[], dest="post_logout_redirect_uris")

    def handle(self, *args, client_id, secret, redirect_uris, post_logout_redirect_uris, **options):
        Application = get_application_model()
        application = Application.objects.filter(client_id=client_id).first() or Application(client_id=client_id)
        application.name = client_id
        application.client_type = Application.CLIENT_CONFIDENTIAL
        application.authorization_grant_type = Application.GRANT_AUTHORIZATION_CODE
        application.algorithm = Application.RS256_ALGORITHM
        application.skip_authorization = True
        # The plain secret: DOT hashes it on save (hash_client_secret), as it does for
        # every client; the portal sends the plain secret at the token endpoint.
        application.hash_client_secret = True
        application.client_secret = secret
        application.redirect_uris = " ".join(redirect_uris)
        application.post_logout_redirect_uris = " ".join(post_logout_redirect_uris)
        # The model's own validation (redirect URI schemes, RS256 needs a key).
        application.full_clean()
        application.save()
        self.stdout.write(f"client {client_id}: {len(redirect_uris)} redirect URI(s)")
