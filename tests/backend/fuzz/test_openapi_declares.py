"""/api/openapi.json declares what the server enforces (issue #9): every name a field must be
one of, every identifier's format, every integer's bound, and the required combinations.

Two checks. The first reads the document: the fields the issue found under-declared carry
the very tuples and patterns the server validates with (imported, never copied). The
second asks the server: cases the document allows (schemathesis, positive mode) must never
be refused as invalid in a field, since a 422 naming a field means the document let
through a value the server does not take.
"""
from __future__ import annotations

import re

import pytest
import requests
import schemathesis
from hypothesis import given, settings

from backend.api.validation import QUERY_INT_LIMIT
from backend.identifiers import account_no, phone
from backend.models.conversations import CHANNELS, CONVERSATION_STATES
from backend.models.tickets import (
    COMPLAINT_CLASSES,
    COMPLAINT_GRADES,
    SERVICE_REQUEST_KINDS,
    TICKET_STATUSES,
    TICKET_TYPES,
)
from backend.models.units import SITE_CLASSES
from backend.openapi_hints import declared, stripped_at_least
from backend.tickets.schemas import EVENT_KINDS
from glossary.names import PLAN_STATUSES, PLAN_TARGET_OPS, SURVEY_RATINGS
from tests.backend.fuzz.campaign import FUZZ, REQUEST_TIMEOUT
from tests.backend.fuzz.operations import DOCUMENT, OPERATIONS, caller, known_values, strategy
from tests.backend.fuzz.server import LiveServer

SCHEMAS = DOCUMENT["components"]["schemas"]
ENUMS = [
    ("TicketCreate", "type", TICKET_TYPES), ("TicketCreate", "channel", CHANNELS),
    ("TicketCreate", "site_class", SITE_CLASSES), ("TicketCreate", "kind", SERVICE_REQUEST_KINDS),
    ("TicketCreate", "complaint_class", COMPLAINT_CLASSES), ("TicketCreate", "grade", COMPLAINT_GRADES),
    ("TicketEventCreate", "kind", EVENT_KINDS), ("TicketEventCreate", "grade", COMPLAINT_GRADES),
    ("Handoff", "channel", CHANNELS), ("PlanBody", "target_op", tuple(PLAN_TARGET_OPS)),
    ("SurveyAnswer", "rating", SURVEY_RATINGS),
]
QUERY_ENUMS = [
    ("GET /api/tickets", "type", TICKET_TYPES), ("GET /api/tickets", "status", TICKET_STATUSES),
    ("GET /api/console/tickets", "type", TICKET_TYPES), ("GET /api/console/tickets", "status", TICKET_STATUSES),
    ("GET /api/conversations", "state", CONVERSATION_STATES), ("GET /api/conversations", "channel", CHANNELS),
    ("GET /api/plans", "status", tuple(PLAN_STATUSES)),
]
# Constraints JSON Schema cannot state, checked by the server alone: (operation, field) -> why.
UNDECLARABLE = {("POST /api/public/complaints", "occurred_at"): "not in the future: depends on the time of the request"}
# Operations that take input: a body, or query parameters.
WITH_INPUT = [label for label in OPERATIONS
              if {"requestBody", "parameters"} & set(DOCUMENT["paths"][label.split(" ", 1)[1]][label.split(" ")[0].lower()])]


def query_parameter(label: str, name: str) -> dict:
    method, path = label.split(" ", 1)
    params = DOCUMENT["paths"][path][method.lower()]["parameters"]
    return next(p["schema"] for p in params if p["name"] == name and p["in"] == "query")


@pytest.mark.parametrize("model, field, allowed", ENUMS, ids=[f"{m}.{f}" for m, f, _ in ENUMS])
def test_a_body_field_names_the_values_the_server_takes(model, field, allowed):
    assert SCHEMAS[model]["properties"][field]["enum"] == list(allowed)


@pytest.mark.parametrize("label, name, allowed", QUERY_ENUMS, ids=[f"{o} {n}" for o, n, _ in QUERY_ENUMS])
def test_a_query_parameter_names_the_values_the_server_takes(label, name, allowed):
    assert query_parameter(label, name)["enum"] == list(allowed)


def test_identifiers_are_declared_with_the_formats_the_server_checks():
    for model in ("Customer", "PublicCustomer"):
        assert SCHEMAS[model]["properties"]["phone"]["pattern"] == declared(phone)["pattern"]
        assert SCHEMAS[model]["properties"]["account_no"]["pattern"] == declared(account_no)["pattern"]
    assert SCHEMAS["VerifyIn"]["properties"]["account_no"]["pattern"] == declared(account_no)["pattern"]
    assert re.match(declared(account_no)["pattern"], "3301234567")
    assert not re.match(declared(account_no)["pattern"], "33012")


def test_every_integer_is_bounded_as_the_server_bounds_it():
    assert SCHEMAS["IvrTurnBody"]["properties"]["seq"]["maximum"] == QUERY_INT_LIMIT
    assert query_parameter("GET /api/tickets", "page")["maximum"] == QUERY_INT_LIMIT
    assert query_parameter("GET /api/tickets", "per_page")["maximum"] == 200  # the field's own, tighter bound


@pytest.mark.parametrize(("model", "field", "at_least"), [
    ("NoteBody", "note", 2), ("WithdrawBody", "reason", 4), ("PlanBody", "problem", 4), ("PlanBody", "measures", 4),
    ("RevealRequest", "reason", 4), ("PrivacyRequest", "reference", 4), ("TicketCreate", "description", 2),
    ("AgentLine", "text", 1)])
def test_a_text_stripped_before_its_length_is_checked_says_so(model, field, at_least):
    # The campaign found `{"note": "` "}` refused as too short though the document allowed it.
    assert SCHEMAS[model]["properties"][field]["pattern"] == stripped_at_least(at_least)


def test_the_peak_and_valley_usage_come_together_or_not_at_all():
    rule = DOCUMENT["paths"]["/api/tariffs/{key}/price"]["get"]["x-query-schema"]
    assert {"required": ["kwh_peak", "kwh_valley"]} in rule["anyOf"]


@pytest.fixture(scope="module")
def known(live: LiveServer) -> dict[str, list[str]]:
    return known_values(live)


@pytest.mark.parametrize("label", WITH_INPUT)
def test_what_the_document_allows_is_never_refused_as_an_invalid_field(live, known, label):
    http = requests.Session()
    headers = caller(live, label)
    refused: list[str] = []

    @settings(FUZZ, max_examples=max(25, FUZZ.max_examples // 4))
    @given(case=strategy(label, known, modes=(schemathesis.GenerationMode.POSITIVE,)))
    def allowed(case: schemathesis.Case) -> None:
        response = case.call(base_url=live.base_url, session=http, headers=headers, timeout=REQUEST_TIMEOUT)
        if response.status_code != 422:
            return
        fields = [d.get("field") for d in (response.json()["error"].get("details") or []) if isinstance(d, dict)]
        named = [f for f in fields if f and f != "__root__" and (label, f) not in UNDECLARABLE]
        if named:
            refused.append(f"{named}: {response.text[:300]}\n{case.as_curl_command()}")

    allowed()
    assert not refused, "\n\n".join(refused[:3])
