"""Drives o365-emulator with Microsoft's Graph SDK for Python (msgraph-sdk) and Azure
Identity: the emulator as authority (ClientSecretCredential) and as Graph endpoint,
a JSON sendMail (the SDK writes Pascal-case action parameters), a draft with an upload
session, and a Graph error surfacing as the SDK's ODataError.

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


async def main():
    base, ca, mailbox = ENV["EMULATOR_BASE"], ENV["EMULATOR_CA"], ENV["MAILBOX"]
    cred = ClientSecretCredential(ENV["TENANT"], ENV["CLIENT_ID"], ENV["CLIENT_SECRET"],
                                  authority=base, disable_instance_discovery=True, connection_verify=ca)
    host = base.split("://")[1].rsplit(":", 1)[0]
    auth = AzureIdentityAuthenticationProvider(cred, scopes=["https://graph.microsoft.com/.default"], allowed_hosts=[host])
    http = GraphClientFactory.create_with_default_middleware(client=httpx.AsyncClient(verify=ca))
    adapter = GraphRequestAdapter(auth, client=http)
    adapter.base_url = base + "/v1.0"
    user = GraphServiceClient(request_adapter=adapter).users.by_user_id(mailbox)
    try:
        to = [Recipient(email_address=EmailAddress(address="someone@example.com"))]
        await user.send_mail.post(SendMailPostRequestBody(
            message=Message(subject="from the Graph SDK", body=ItemBody(content_type=BodyType.Text, content="hi"), to_recipients=to),
            save_to_sent_items=False))
        print("ok: sendMail through the Graph SDK")

        draft = await user.messages.post(Message(subject="draft from the Graph SDK", to_recipients=to))
        assert draft.id and draft.is_draft, draft
        session = await user.messages.by_message_id(draft.id).attachments.create_upload_session.post(
            CreateUploadSessionPostRequestBody(attachment_item=AttachmentItem(
                attachment_type=AttachmentType.File, name="big.bin", size=3 * 1024 * 1024)))
        assert session.upload_url and session.next_expected_ranges == ["0-"], session
        print("ok: draft and upload session through the Graph SDK")

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
