"""Sign-in through OpenID Connect providers (issue 15): the government's identity service
for applicants, with the enterprise a person acts for taken from the login, and the
agency's single sign-on for its staff, with their roles and second factor taken from it.

django-allauth runs the protocol (authorization code flow with PKCE, ``state``, the ID
token's signature, issuer, audience and expiry); this package configures it from the
environment (config), adds what allauth 65 leaves out for OpenID Connect (a ``nonce`` sent
and checked, the signature checked also for tokens from the token endpoint, logout at the
provider: provider, views), reads the claims (claims) and applies them at each login
(login). What a login asserts about organisations is decided in intake's services."""
