"""Drives o365-emulator with Microsoft's own MSAL for Python: a token with a client
secret, with a certificate (PS256 + x5t#S256, and RS256 + x5t via a SHA-1 thumbprint),
one certificate assertion reused for a second token request (MSAL keeps its signed
assertion for minutes; Entra accepts it until its exp), a managed identity (App Service
protocol), Entra's error for a wrong secret, and a Graph sendMail with the token. Every
token is checked as Microsoft documents Entra's: RS256 under a kid of the tenant's JWKS
(signature verified), `tid` the tenant's GUID, `iss` https://sts.windows.net/{tid}/. A
token for another cloud's Graph is issued but this Graph answers 401.

Run by tests/msal.rs, which starts a TLS emulator and passes, in the environment:
EMULATOR_BASE, EMULATOR_CA, TENANT, CLIENT_ID, CLIENT_SECRET, CERT_PEM, KEY_PEM, MAILBOX,
IDENTITY_HEADER.
"""
import base64
import json
import os
import sys
import uuid

import msal
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ENV = os.environ
SCOPES = ["https://graph.microsoft.com/.default"]


def session():
    # Trust only the emulator's CA: with trust_env, REQUESTS_CA_BUNDLE would win.
    s = requests.Session()
    s.trust_env = False
    s.verify = ENV["EMULATOR_CA"]
    return s


class RecordingSession(requests.Session):
    """The emulator-trusting session, remembering the client assertions MSAL sends."""

    def __init__(self):
        super().__init__()
        self.trust_env = False
        self.verify = ENV["EMULATOR_CA"]
        self.assertions = []

    def post(self, url, data=None, **kwargs):
        if isinstance(data, dict) and "client_assertion" in data:
            self.assertions.append(data["client_assertion"])
        return super().post(url, data=data, **kwargs)


def app(credential, http_client=None):
    return msal.ConfidentialClientApplication(
        ENV["CLIENT_ID"],
        client_credential=credential,
        authority="{}/{}".format(ENV["EMULATOR_BASE"], ENV["TENANT"]),
        validate_authority=False,
        instance_discovery=False,
        http_client=http_client or session(),
    )


def b64decode(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def claims(token):
    return json.loads(b64decode(token.split(".")[1]))


def verify_signature(token):
    """Verifies the token as a resource server would: RS256 with the JWKS key of its kid."""
    head, body, sig = token.split(".")
    header = json.loads(b64decode(head))
    assert header["alg"] == "RS256", header
    jwks = session().get("{}/{}/discovery/v2.0/keys".format(ENV["EMULATOR_BASE"], ENV["TENANT"])).json()
    key = next((k for k in jwks["keys"] if k["kid"] == header["kid"]), None)
    assert key is not None, "kid {} not in the JWKS {}".format(header["kid"], jwks)
    numbers = rsa.RSAPublicNumbers(int.from_bytes(b64decode(key["e"]), "big"), int.from_bytes(b64decode(key["n"]), "big"))
    numbers.public_key().verify(b64decode(sig), "{}.{}".format(head, body).encode(), padding.PKCS1v15(), hashes.SHA256())


def check_claims(token):
    verify_signature(token)
    c = claims(token)
    assert str(uuid.UUID(c["tid"])) == c["tid"], c
    assert c["iss"] == "https://sts.windows.net/{}/".format(c["tid"]), c
    return c


def check_token(result, acr, what):
    assert "access_token" in result, "{}: {}".format(what, result)
    assert result["token_type"] == "Bearer", result
    c = check_claims(result["access_token"])
    assert "Mail.Send" in c.get("roles", []), c
    assert c["appid"] == ENV["CLIENT_ID"], c
    assert c["appidacr"] == acr, c
    assert c["aud"] == "https://graph.microsoft.com", c
    print("ok: {} (expires_in={})".format(what, result["expires_in"]))
    return result["access_token"]


def send_mime(token, subject):
    mime = "From: {m}\r\nTo: someone@example.com\r\nSubject: {s}\r\n\r\nhello\r\n".format(m=ENV["MAILBOX"], s=subject)
    return session().post(
        "{}/v1.0/users/{}/sendMail".format(ENV["EMULATOR_BASE"], ENV["MAILBOX"]),
        headers={"Authorization": "Bearer " + token, "Content-Type": "text/plain"},
        data=base64.b64encode(mime.encode()),
    )


def certificate_reused(key, cert):
    # Two token requests (two resources' names for Graph, so the token cache does not
    # answer the second) from one app: MSAL signs one assertion and sends it twice.
    recorder = RecordingSession()
    cca = app({"private_key": key, "public_certificate": cert}, recorder)
    check_token(cca.acquire_token_for_client(scopes=SCOPES), "2", "certificate, first request")
    second = cca.acquire_token_for_client(scopes=["00000003-0000-0000-c000-000000000000/.default"])
    assert "access_token" in second, second
    assert len(recorder.assertions) == 2, recorder.assertions
    assert recorder.assertions[0] == recorder.assertions[1], "MSAL signed a new assertion; nothing was reused"
    print("ok: the same certificate assertion twice within its lifetime")


def managed_identity():
    os.environ["IDENTITY_ENDPOINT"] = ENV["EMULATOR_BASE"] + "/msi/token"
    os.environ["IDENTITY_HEADER"] = ENV["IDENTITY_HEADER"]
    try:
        mi = msal.ManagedIdentityClient(msal.SystemAssignedManagedIdentity(), http_client=session())
        result = mi.acquire_token_for_client(resource="https://graph.microsoft.com")
    finally:
        del os.environ["IDENTITY_ENDPOINT"], os.environ["IDENTITY_HEADER"]
    assert "access_token" in result, result
    c = check_claims(result["access_token"])
    assert "Mail.Send" in c.get("roles", []), c
    assert send_mime(result["access_token"], "from a managed identity").status_code == 202
    print("ok: managed identity (App Service) token sends")


def another_cloud(secret_app):
    # Entra issues the token; this Graph (standing in for graph.microsoft.com) refuses it.
    result = secret_app.acquire_token_for_client(scopes=["https://graph.microsoft.us/.default"])
    assert claims(result["access_token"])["aud"] == "https://graph.microsoft.us", result
    resp = send_mime(result["access_token"], "wrong cloud")
    assert resp.status_code == 401, (resp.status_code, resp.text)
    assert resp.json()["error"]["code"] == "InvalidAuthenticationToken", resp.text
    print("ok: a US Gov Graph token -> 401 InvalidAuthenticationToken")


def main():
    secret_app = app(ENV["CLIENT_SECRET"])
    token = check_token(secret_app.acquire_token_for_client(scopes=SCOPES), "1", "client secret")

    wrong = app("wrong-secret").acquire_token_for_client(scopes=SCOPES)
    assert wrong.get("error") == "invalid_client", wrong
    assert 7000215 in wrong.get("error_codes", []), wrong
    print("ok: wrong secret -> invalid_client AADSTS7000215")

    with open(ENV["CERT_PEM"]) as f:
        cert = f.read()
    with open(ENV["KEY_PEM"]) as f:
        key = f.read()
    check_token(app({"private_key": key, "public_certificate": cert}).acquire_token_for_client(scopes=SCOPES),
                "2", "certificate, PS256 + x5t#S256")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    sha1 = x509.load_pem_x509_certificate(cert.encode()).fingerprint(hashes.SHA1()).hex()
    check_token(app({"private_key": key, "thumbprint": sha1}).acquire_token_for_client(scopes=SCOPES),
                "2", "certificate, RS256 + x5t")

    certificate_reused(key, cert)

    resp = send_mime(token, "from MSAL")
    assert resp.status_code == 202, (resp.status_code, resp.text)
    print("ok: sendMail with the MSAL token -> 202")
    managed_identity()
    another_cloud(secret_app)


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print("FAILED: {}".format(e), file=sys.stderr)
        sys.exit(1)
