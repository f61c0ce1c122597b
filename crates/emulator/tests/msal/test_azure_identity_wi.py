"""Drives o365-emulator's managed identity and workload identity endpoints with Azure
Identity for Python, Microsoft's own client: ManagedIdentityCredential over the App
Service protocol (IDENTITY_ENDPOINT + IDENTITY_HEADER) and over IMDS (pointed at the
emulator with AZURE_POD_IDENTITY_AUTHORITY_HOST), and WorkloadIdentityCredential with
a token file signed here by the "identity provider"; and MSAL's confidential client with
that token file as its client assertion (what MSAL documents for workload identity).

Run by tests/msal.rs with MI_BASE (plain HTTP emulator), WI_BASE + WI_CA (TLS emulator),
TENANT, CLIENT_ID, ISSUER, SUBJECT, ISSUER_KEY (PEM), TOKEN_FILE, IDENTITY_HEADER.
"""
import base64
import json
import os
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

ENV = os.environ
SCOPE = "https://graph.microsoft.com/.default"


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def app_service():
    os.environ["IDENTITY_ENDPOINT"] = ENV["MI_BASE"] + "/msi/token"
    os.environ["IDENTITY_HEADER"] = ENV["IDENTITY_HEADER"]
    from azure.identity import ManagedIdentityCredential
    token = ManagedIdentityCredential().get_token(SCOPE)
    assert token.expires_on > time.time() + 600, token.expires_on
    print("ok: App Service managed identity, appid", claims(token.token)["appid"])
    del os.environ["IDENTITY_ENDPOINT"], os.environ["IDENTITY_HEADER"]


def imds():
    os.environ["AZURE_POD_IDENTITY_AUTHORITY_HOST"] = ENV["MI_BASE"]
    from azure.identity import ManagedIdentityCredential
    token = ManagedIdentityCredential().get_token(SCOPE)
    assert "Mail.Send" in claims(token.token)["roles"]
    print("ok: IMDS managed identity")
    del os.environ["AZURE_POD_IDENTITY_AUTHORITY_HOST"]


def workload_identity():
    key = serialization.load_pem_private_key(open(ENV["ISSUER_KEY"], "rb").read(), None)
    now = int(time.time())
    head = b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "k1"}).encode())
    body = b64(json.dumps({"iss": ENV["ISSUER"], "sub": ENV["SUBJECT"], "aud": "api://AzureADTokenExchange",
                           "iat": now, "nbf": now, "exp": now + 3600}).encode())
    sig = key.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    with open(ENV["TOKEN_FILE"], "w") as f:
        f.write(f"{head}.{body}.{b64(sig)}")
    from azure.identity import WorkloadIdentityCredential
    cred = WorkloadIdentityCredential(tenant_id=ENV["TENANT"], client_id=ENV["CLIENT_ID"], token_file_path=ENV["TOKEN_FILE"],
                                      authority=ENV["WI_BASE"], disable_instance_discovery=True, connection_verify=ENV["WI_CA"])
    token = cred.get_token(SCOPE)
    assert claims(token.token)["appid"] == ENV["CLIENT_ID"]
    print("ok: workload identity federation")

    import msal
    import requests
    http = requests.Session()
    http.trust_env = False
    http.verify = ENV["WI_CA"]
    app = msal.ConfidentialClientApplication(
        ENV["CLIENT_ID"], authority="{}/{}".format(ENV["WI_BASE"], ENV["TENANT"]),
        client_credential={"client_assertion": lambda: open(ENV["TOKEN_FILE"]).read()},
        validate_authority=False, instance_discovery=False, http_client=http)
    result = app.acquire_token_for_client(scopes=[SCOPE])
    assert "access_token" in result, result
    assert claims(result["access_token"])["appidacr"] == "2", result
    print("ok: workload identity federation with MSAL")


app_service()
imds()
workload_identity()
