"""django-oauth-toolkit's OAuth2Validator with the people file's claims and the hostile
ID tokens the portal's sign-in must refuse."""

import base64
import hashlib
import hmac
import json
import secrets
import time

from jwcrypto import jwk, jwt
from oauth2_provider.oauth2_validators import OAuth2Validator

from tests.oidc_provider import people

# How far in the past the "expired" mode puts the token's exp (and iat a minute before
# that): well beyond any clock-skew leeway a client allows.
EXPIRED_AGO = 600
EXPIRED_LIFETIME = 60
OTHER_AUDIENCE = "some-other-client"
OTHER_ISSUER = "https://issuer.example.invalid/o"


class PeopleValidator(OAuth2Validator):
    # DOT hands out a claim only if the scope its map names was granted, and claims it
    # does not map (enterprise_roles, groups, amr, acr) never: None turns the filter
    # off, so every claim of the person reaches the ID token and the userinfo response.
    oidc_claim_scope = None

    def get_additional_claims(self, request):
        # Takes the request (rather than none), so DOT calls it per token with the
        # signed-in user, and the file is read at that moment.
        return people.claims(request.user.username)

    def get_userinfo_claims(self, request):
        # The same claims as the ID token (DOT's default already does this through
        # get_oidc_claims; spelt out because the portal relies on it).
        return self.get_oidc_claims(request.access_token, None, request)

    def finalize_id_token(self, id_token, token, token_handler, request):
        # DOT builds, signs and stores the ID token (with the client's nonce, aud, iss,
        # exp); a hostile mode then rewrites the signed token as a broken or malicious
        # provider would.
        serialized = super().finalize_id_token(id_token, token, token_handler, request)
        mode = people.id_token_mode(request.user.username)
        if mode == "normal":
            return serialized
        key = request.client.jwk_key
        parsed = jwt.JWT(jwt=serialized, key=key)
        header = json.loads(parsed.header)
        claims = json.loads(parsed.claims)
        if mode == "expired":
            now = int(time.time())
            claims["exp"] = now - EXPIRED_AGO
            claims["iat"] = claims["exp"] - EXPIRED_LIFETIME
            claims["auth_time"] = min(claims.get("auth_time", claims["iat"]), claims["iat"])
        elif mode == "wrong_signature":
            # Another key, but the header keeps the published key's kid: a client that
            # picks the key by kid and verifies finds a bad signature.
            key = jwk.JWK.generate(kty="RSA", size=2048)
        elif mode == "wrong_nonce":
            claims["nonce"] = secrets.token_urlsafe(16)
        elif mode == "no_nonce":
            claims.pop("nonce", None)
        elif mode == "wrong_audience":
            claims["aud"] = OTHER_AUDIENCE
        elif mode == "wrong_issuer":
            claims["iss"] = OTHER_ISSUER
        elif mode == "alg_none":
            # Unsigned, as the "none" algorithm has it: a client that takes the header's
            # word for the algorithm would accept anything.
            return ".".join((_b64({**header, "alg": "none"}), _b64(claims), ""))
        elif mode == "hs256_with_public_key":
            # The classic confusion: an HMAC whose secret is the provider's public key (which
            # anyone has from the JWKS), for a client that verifies with "the key" whatever
            # algorithm the header names.
            public_pem = key.export_to_pem(private_key=False)
            signing_input = ".".join((_b64({**header, "alg": "HS256"}), _b64(claims)))
            signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
            return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"
        rewritten = jwt.JWT(header=json.dumps(header), claims=json.dumps(claims))
        rewritten.make_signed_token(key)
        return rewritten.serialize()


def _b64(part: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(part, separators=(",", ":")).encode()).rstrip(b"=").decode()
