"""A call the sandbox does not offer gets a well-formed AWS error that says so.

moto 5.2.5 raises NotImplementedError for an operation it has no code for (IAM's
ListServiceSpecificCredentials, GenerateServiceLastAccessedDetails,
ListOrganizationsFeatures, ...); its server then answers HTTP 500 with an HTML page, which
an SDK cannot parse ("Unable to parse response ... invalid XML") and retries as a server
fault. Here the same call gets an error in the service's own protocol (moto's serializer
for that service: XML for IAM, JSON for JSON services), HTTP 501 with the code
`NotImplemented`, which SDKs do not retry, and one sentence naming the operation.
"""

from __future__ import annotations

import logging

import moto
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, BaseResponse

from awslab.sandbox import patches

STATUS = 501
log = logging.getLogger("awslab.sandbox.not_offered")


class NotOffered(ServiceException):
    code = "NotImplemented"


def sentence(service: str, operation: str) -> str:
    return (f"The sandbox does not offer {service}:{operation}: moto {moto.__version__}, which "
            "simulates the account, does not implement it. On AWS it works; here, leave it out.")


@patches.wraps(BaseResponse, "call_action")
def call_action(original, self):
    try:
        return original(self)
    except NotImplementedError:
        try:
            operation = self._get_action() or "this operation"
        except Exception:
            operation = "this operation"
        service = getattr(self, "boto3_service_name", None) or self.service_name or "this service"
        log.info("not offered: %s:%s", service, operation)
        _, headers, body = self.serialized(ActionResult(NotOffered(sentence(service, operation))))
        return STATUS, headers, body
