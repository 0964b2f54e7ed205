"""hypothesis on the hotline IVR's calls and the complaint form's posts (issue #9).

schemathesis sends single IVR turns; a call is a sequence, so here whole calls are drawn:
turns on one call id in any order (repeats, gaps, old sequence numbers, turns after the
hangup), with the IVR's events, random words, keys, confidences and caller numbers. The
complaint form also takes the page's own form post (application/x-www-form-urlencoded),
which the document's JSON body does not describe: its fields with random values, other
fields, repeated fields, and bytes that are not a form.

Checked: never a 5xx, always within REQUEST_TIMEOUT, and the statuses each door documents.
An IVR answer with actions is a list of actions.
"""
from __future__ import annotations

from urllib.parse import urlencode

import requests
from hypothesis import given, seed
from hypothesis import strategies as st

from backend.channels.ivr import PATH as IVR_PATH
from backend.web.complaint_form import API_PATH, FORM_TYPE
from backend.web.complaint_page import FIELDS
from tests.backend.fuzz.campaign import FUZZ, REQUEST_TIMEOUT, SEED, expect, timed
from tests.backend.fuzz.server import LiveServer

CALL, FORM = "IVR call (turn sequences)", "Complaint form post (form-encoded)"
EVENTS = ("start", "text", "dtmf", "no_input", "hangup")
words = st.text(st.characters(exclude_categories=("Cs",)), max_size=60) | st.sampled_from(
    ["我家停电了", "转人工", "再见", "户号3301234567", "13812345678", "投诉", "查电费", ""])
turn = st.fixed_dictionaries({"event": st.sampled_from(EVENTS)}, optional={
    "text": words, "digits": st.from_regex(r"[0-9*#]{0,12}", fullmatch=True),
    "asr_confidence": st.floats(0, 1), "caller": st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True) | words,
})
calls = st.lists(st.tuples(turn, st.integers(-2, 3)), min_size=1, max_size=8)


def test_ivr_calls_of_any_shape_get_actions(live: LiveServer) -> None:
    http = requests.Session()

    @FUZZ
    @seed(SEED)
    @given(call_id=st.uuids().map(str) | st.sampled_from(["call-1", "call-2"]), turns=calls)
    def call(call_id: str, turns: list[tuple[dict, int]]) -> None:
        seq = 0
        for body, step in turns:  # step: the next turn's sequence number moves on, repeats or goes back
            seq = max(0, seq + step)
            sent = {"call_id": call_id, "seq": seq, **body}
            response = http.post(live.base_url + IVR_PATH, json=sent, headers=live.service, timeout=REQUEST_TIMEOUT)
            expect(CALL, response.status_code, {200, 409, 422}, repr(sent))
            if response.status_code == 200:
                assert isinstance(response.json()["actions"], list), response.text

    with timed(CALL):
        call()


field_value = st.text(st.characters(exclude_categories=("Cs",)), max_size=300) | st.sampled_from(
    ["on", "1", "13812345678", "3301234567", "2026-03-10T08:00", "9999-12-31T23:59", "", "抄表员态度很差，还乱收费"])
# The page's fields, each present or not, beside fields no page has (a form post keeps the first of a repeat).
form_values = st.builds(lambda page, other: {**other, **page},
                        st.fixed_dictionaries({}, optional={f.name: field_value for f in FIELDS}),
                        st.dictionaries(st.sampled_from(["token", "customer.phone"]) | st.text(max_size=10),
                                        field_value, max_size=4))


def test_complaint_form_posts_get_a_page(live: LiveServer) -> None:
    http = requests.Session()

    @FUZZ
    @seed(SEED)
    @given(body=form_values.map(lambda v: urlencode(v).encode()) | st.binary(max_size=3000))
    def post(body: bytes) -> None:
        response = http.post(live.base_url + API_PATH, data=body, headers={"Content-Type": FORM_TYPE},
                             timeout=REQUEST_TIMEOUT)
        expect(FORM, response.status_code, {201, 400, 409, 413, 422}, repr(body[:1000]))
        assert response.headers["Content-Type"].startswith("text/html"), response.headers

    with timed(FORM):
        post()
