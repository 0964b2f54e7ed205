"""schemathesis on every operation of /api/openapi.json, against the live backend (issue #9).

Each operation gets FUZZ.max_examples cases, positive (what the document allows) and
negative (what it forbids), sent by the caller the access policy admits with the widest
reach (the service token, else the province's admin or the city's supervisor), so cases
reach the handlers instead of the 401. Path parameters are random, or a real demo record
(a ticket, conversation, plan, account, month).

Checked on every answer: no 5xx, an answer within REQUEST_TIMEOUT, and what the document
says of it (declared status or the default Error body, its media type and schema).
"""
from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import given, seed
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.backend.fuzz.campaign import FUZZ, RECORD, REQUEST_TIMEOUT, SEED, timed
from tests.backend.fuzz.conftest import staff_cookie
from tests.backend.fuzz.operations import OPERATIONS, caller, known_values, strategy
from tests.backend.fuzz.server import LiveServer

CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]
# A fuzzed logout may end every session of its staff member (everywhere=true): each case gets a new one.
LOGOUT = "POST /api/auth/logout"


@pytest.fixture(scope="module")
def known(live: LiveServer) -> dict[str, list[str]]:
    return known_values(live)


@pytest.mark.parametrize("label", OPERATIONS)
def test_operation_never_fails_under_fuzzing(live: LiveServer, known: dict[str, list[str]], label: str) -> None:
    http = requests.Session()
    headers = caller(live, label)

    @FUZZ
    @seed(SEED)
    @given(case=strategy(label, known))
    def fuzz(case: schemathesis.Case) -> None:
        sender = staff_cookie(live, "agent2") if label == LOGOUT else headers
        try:
            response = case.call(base_url=live.base_url, session=http, headers=sender, timeout=REQUEST_TIMEOUT)
        except requests.Timeout:
            RECORD.saw(label, "timeout")
            RECORD.failed(label, f"no answer in {REQUEST_TIMEOUT} s:\n{case.as_curl_command()}")
            raise
        RECORD.saw(label, response.status_code)
        try:
            assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
            case.validate_response(response, checks=CHECKS)
        except AssertionError as exc:  # schemathesis' check failures are AssertionErrors too
            RECORD.failed(label, f"{exc}\n{case.as_curl_command()}")
            raise

    with timed(label):
        fuzz()
