"""Drives o365-emulator with Microsoft's Graph SDK for Python (msgraph-sdk) and Azure
Identity: the emulator as authority (ClientSecretCredential) and as Graph endpoint,
a JSON sendMail (the SDK writes Pascal-case action parameters), one with a file
attachment, a draft with an upload session whose URL (on another host name, as Graph's
are on outlook.office.com) takes raw PUTs without a token, the draft's attachments
listed, and Graph's errors as the SDK's ODataError: no recipients (400
ErrorInvalidRecipients), a fileAttachment without contentBytes (400
ErrorRequiredPropertyMissing, msgraph-sdk-python#667), a token for another cloud's Graph
(401 InvalidAuthenticationToken).

Run by tests/msal.rs with EMULATOR_BASE, EMULATOR_CA, TENANT, CLIENT_ID, CLIENT_SECRET,
MAILBOX in the environment.
"""
import asyncio
import os
import sys

import httpx
from azure.identity.aio import ClientSecretCredential
from kiota_authentication_azure.azure_identity_authentication_provider import AzureIdentityAuthenticationProvider
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.models.attachment_item import AttachmentItem
from msgraph.generated.models.attachment_type import AttachmentType
from msgraph.generated.models.body_type import BodyType
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.file_attachment import FileAttachment
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.message import Message
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.recipient import Recipient
from msgraph.generated.users.item.messages.item.attachments.create_upload_session.create_upload_session_post_request_body import (
    CreateUploadSessionPostRequestBody,
)
from msgraph.generated.users.item.send_mail.send_mail_post_request_body import SendMailPostRequestBody
from msgraph_core import GraphClientFactory

ENV = os.environ


MB = 1024 * 1024


def graph_user(cred, scope):
    base, ca = ENV["EMULATOR_BASE"], ENV["EMULATOR_CA"]
    host = base.split("://")[1].rsplit(":", 1)[0]
    auth = AzureIdentityAuthenticationProvider(cred, scopes=[scope], allowed_hosts=[host])
    http = GraphClientFactory.create_with_default_middleware(client=httpx.AsyncClient(verify=ca))
    adapter = GraphRequestAdapter(auth, client=http)
    adapter.base_url = base + "/v1.0"
    return GraphServiceClient(request_adapter=adapter).users.by_user_id(ENV["MAILBOX"])


async def upload_raw(user, to):
    """A draft, an upload session, and the bytes PUT by hand in two chunks."""
    draft = await user.messages.post(Message(subject="draft from the Graph SDK", to_recipients=to))
    assert draft.id and draft.is_draft, draft
    data = bytes(i % 251 for i in range(5 * MB))
    session = await user.messages.by_message_id(draft.id).attachments.create_upload_session.post(
        CreateUploadSessionPostRequestBody(attachment_item=AttachmentItem(
            attachment_type=AttachmentType.File, name="big.bin", size=len(data))))
    assert session.upload_url and session.next_expected_ranges == ["0-"], session
    graph_host = httpx.URL(ENV["EMULATOR_BASE"]).host
    assert httpx.URL(session.upload_url).host != graph_host, (session.upload_url, graph_host)
    async with httpx.AsyncClient(verify=ENV["EMULATOR_CA"]) as raw:
        for start, end, status in [(0, 4 * MB, 200), (4 * MB, len(data), 201)]:
            resp = await raw.put(session.upload_url, content=data[start:end], headers={
                "Content-Range": "bytes {}-{}/{}".format(start, end - 1, len(data)),
                "Content-Type": "application/octet-stream"})
            assert resp.status_code == status, (resp.status_code, resp.text)
            assert "authorization" not in resp.request.headers
            if status == 200:
                assert resp.json()["nextExpectedRanges"] == [str(end)], resp.text
    listed = await user.messages.by_message_id(draft.id).attachments.get()
    assert [(a.name, a.size) for a in listed.value] == [("big.bin", len(data))], listed
    await user.messages.by_message_id(draft.id).send.post()
    print("ok: upload session on {} with raw PUTs, listed, sent".format(httpx.URL(session.upload_url).host))


async def main():
    base, ca = ENV["EMULATOR_BASE"], ENV["EMULATOR_CA"]
    cred = ClientSecretCredential(ENV["TENANT"], ENV["CLIENT_ID"], ENV["CLIENT_SECRET"],
                                  authority=base, disable_instance_discovery=True, connection_verify=ca)
    user = graph_user(cred, "https://graph.microsoft.com/.default")
    try:
        to = [Recipient(email_address=EmailAddress(address="someone@example.com"))]
        await user.send_mail.post(SendMailPostRequestBody(
            message=Message(subject="from the Graph SDK", body=ItemBody(content_type=BodyType.Text, content="hi"), to_recipients=to),
            save_to_sent_items=False))
        print("ok: sendMail through the Graph SDK")

        attachment = FileAttachment(odata_type="#microsoft.graph.fileAttachment", name="note.txt",
                                    content_type="text/plain", content_bytes=b"attached by the SDK")
        await user.send_mail.post(SendMailPostRequestBody(message=Message(
            subject="attachment from the Graph SDK", body=ItemBody(content_type=BodyType.Text, content="see"),
            to_recipients=to, attachments=[attachment])))
        print("ok: sendMail with a file attachment")

        await upload_raw(user, to)

        try:
            bare = FileAttachment(odata_type="#microsoft.graph.fileAttachment", name="empty.txt")
            await user.send_mail.post(SendMailPostRequestBody(message=Message(subject="no bytes", to_recipients=to, attachments=[bare])))
            raise AssertionError("a fileAttachment without contentBytes was accepted")
        except ODataError as e:
            assert e.response_status_code == 400 and e.error.code == "ErrorRequiredPropertyMissing", e
            print("ok: fileAttachment without contentBytes -> {}".format(e.error.code))

        try:
            await graph_user(cred, "https://graph.microsoft.us/.default").send_mail.post(
                SendMailPostRequestBody(message=Message(subject="wrong cloud", to_recipients=to)))
            raise AssertionError("a token for graph.microsoft.us was accepted")
        except ODataError as e:
            assert e.response_status_code == 401 and e.error.code == "InvalidAuthenticationToken", e
            print("ok: another cloud's token -> 401 {}".format(e.error.code))

        try:
            await user.send_mail.post(SendMailPostRequestBody(message=Message(subject="no recipients")))
            raise AssertionError("a message without recipients was accepted")
        except ODataError as e:
            assert e.response_status_code == 400 and e.error.code == "ErrorInvalidRecipients", e
            print("ok: Graph error as ODataError {}".format(e.error.code))
    finally:
        await cred.close()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except AssertionError as e:
        print("FAILED: {}".format(e), file=sys.stderr)
        sys.exit(1)
