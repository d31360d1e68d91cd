"""The supply chain in a few calls, through the Python client generated from
openapi/openapi.json (openapi-python-client). Run by .ci/sdk-check against a
live server: python3 scenario.py BASE_URL

Two organisations sign up; the buyer invites the supplier, who accepts; the
buyer publishes a requirement; the supplier lists its requests, fills the CSV
template, imports it and submits; the buyer reads the roll-up.
"""

import datetime
import io
import sys
import uuid

from tierlink_api_client import AuthenticatedClient, Client
from tierlink_api_client.api.answers import (
    get_answer_template,
    import_answer,
    submit_answer,
)
from tierlink_api_client.api.auth import login, sign_up
from tierlink_api_client.api.network import accept_invitation, create_invitation
from tierlink_api_client.api.requests import list_incoming_requests
from tierlink_api_client.api.requirements import (
    create_requirement,
    get_requirement_summary,
    publish_requirement,
)
from tierlink_api_client.models import (
    AcceptInvitation,
    Audience,
    CreateInvitation,
    CreateOrganisation,
    InvitationCreated,
    LoginRequest,
    Period,
    Requirement,
    RequirementInput,
    RequirementItem,
    RequirementSummary,
    RequestStatus,
    Revision,
    RevisionStatus,
    SignupAdmin,
    SignupRequest,
    SubmitAnswer,
    SupplierRequestPage,
    TokenResponse,
)
from tierlink_api_client.types import File

BASE = sys.argv[1]
RUN = uuid.uuid4().hex[:10]
PASSWORD = "correct horse battery staple"


def expect(response, status, kind=None):
    """The parsed body of a response that must have `status`."""
    if response.status_code != status:
        sys.exit(
            f"expected {status}, got {response.status_code}: {response.content[:500]!r}"
        )
    if kind is not None and not isinstance(response.parsed, kind):
        sys.exit(f"expected a {kind.__name__}, got {type(response.parsed).__name__}")
    return response.parsed


def organisation(name, email):
    """Signs an organisation up and returns a client logged in as its admin."""
    public = Client(base_url=BASE)
    expect(
        sign_up.sync_detailed(
            client=public,
            idempotency_key=f"signup-{email}",
            body=SignupRequest(
                organisation=CreateOrganisation(name=name, country="KR"),
                admin=SignupAdmin(email=email, display_name=name, password=PASSWORD),
            ),
        ),
        201,
    )
    tokens = expect(
        login.sync_detailed(client=public, body=LoginRequest(email=email, password=PASSWORD)),
        200,
        TokenResponse,
    )
    return AuthenticatedClient(base_url=BASE, token=tokens.access_token)


buyer = organisation(f"Buyer {RUN}", f"buyer-{RUN}@example.com")
supplier = organisation(f"Supplier {RUN}", f"supplier-{RUN}@example.com")

invitation = expect(
    create_invitation.sync_detailed(
        client=buyer, body=CreateInvitation(email=f"supplier-{RUN}@example.com")
    ),
    201,
    InvitationCreated,
)
expect(
    accept_invitation.sync_detailed(
        client=supplier, body=AcceptInvitation(code=invitation.code)
    ),
    201,
)

today = datetime.date.today()
requirement = expect(
    create_requirement.sync_detailed(
        client=buyer,
        idempotency_key=f"requirement-{RUN}",
        body=RequirementInput(
            title="Python SDK scenario",
            period=Period(
                start=datetime.date(today.year, 1, 1), end=datetime.date(today.year, 12, 31)
            ),
            due_date=today + datetime.timedelta(days=30),
            items=[RequirementItem(metric="ghg.scope1")],
            audience=Audience(all_active_suppliers=True),
        ),
    ),
    201,
    Requirement,
)
published = expect(
    publish_requirement.sync_detailed(requirement.id, client=buyer), 200, Requirement
)
assert published.status.value == "published", published.status

page = expect(
    list_incoming_requests.sync_detailed(client=supplier, status=RequestStatus.OPEN),
    200,
    SupplierRequestPage,
)
assert len(page.items) == 1, page.items
request = page.items[0]

template = expect(get_answer_template.sync_detailed(request.id, client=supplier), 200, File)
header, *rows = template.payload.read().decode("utf-8").splitlines()
assert header.startswith("item_code,"), header
assert rows and rows[0].startswith("ghg.scope1,"), rows
filled = f"{header}\nghg.scope1,,,true,,,12.5,tCO2e,measured,GHG Protocol,\n"
expect(
    import_answer.sync_detailed(
        request.id, client=supplier, body=File(payload=io.BytesIO(filled.encode()))
    ),
    200,
)
revision = expect(
    submit_answer.sync_detailed(
        request.id, client=supplier, body=SubmitAnswer(share_upstream=False)
    ),
    201,
    Revision,
)
assert revision.status == RevisionStatus.SUBMITTED, revision.status

summary = expect(
    get_requirement_summary.sync_detailed(requirement.id, client=buyer),
    200,
    RequirementSummary,
)
assert summary.requests.total == 1, summary.requests
assert summary.metrics[0].submitted.total == "12.5", summary.metrics
print("python client: scenario passed")
