"""Drives o365-emulator with Microsoft's own MSAL for Python: a token with a client
secret, with a certificate (PS256 + x5t#S256, and RS256 + x5t via a SHA-1 thumbprint),
Entra's error for a wrong secret, and a Graph sendMail with the token.

Run by tests/msal.rs, which starts a TLS emulator and passes, in the environment:
EMULATOR_BASE, EMULATOR_CA, TENANT, CLIENT_ID, CLIENT_SECRET, CERT_PEM, KEY_PEM, MAILBOX.
"""
import base64
import json
import os
import sys

import msal
import requests

ENV = os.environ
SCOPES = ["https://graph.microsoft.com/.default"]


def session():
    # Trust only the emulator's CA: with trust_env, REQUESTS_CA_BUNDLE would win.
    s = requests.Session()
    s.trust_env = False
    s.verify = ENV["EMULATOR_CA"]
    return s


def app(credential):
    return msal.ConfidentialClientApplication(
        ENV["CLIENT_ID"],
        client_credential=credential,
        authority="{}/{}".format(ENV["EMULATOR_BASE"], ENV["TENANT"]),
        validate_authority=False,
        instance_discovery=False,
        http_client=session(),
    )


def claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def check_token(result, acr, what):
    assert "access_token" in result, "{}: {}".format(what, result)
    assert result["token_type"] == "Bearer", result
    c = claims(result["access_token"])
    assert "Mail.Send" in c.get("roles", []), c
    assert c["appid"] == ENV["CLIENT_ID"], c
    assert c["appidacr"] == acr, c
    print("ok: {} (expires_in={})".format(what, result["expires_in"]))
    return result["access_token"]


def main():
    token = check_token(app(ENV["CLIENT_SECRET"]).acquire_token_for_client(scopes=SCOPES), "1", "client secret")

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

    mime = "From: {m}\r\nTo: someone@example.com\r\nSubject: from MSAL\r\n\r\nhello\r\n".format(m=ENV["MAILBOX"])
    resp = session().post(
        "{}/v1.0/users/{}/sendMail".format(ENV["EMULATOR_BASE"], ENV["MAILBOX"]),
        headers={"Authorization": "Bearer " + token, "Content-Type": "text/plain"},
        data=base64.b64encode(mime.encode()),
    )
    assert resp.status_code == 202, (resp.status_code, resp.text)
    print("ok: sendMail with the MSAL token -> 202")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print("FAILED: {}".format(e), file=sys.stderr)
        sys.exit(1)
