"""Request bodies of the ticket API, validated with pydantic (v1, Rasa's pin)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, validator

from backend import identifiers
from backend.models.conversations import CHANNELS
from backend.models.tickets import (
    COMPLAINT_CLASSES,
    COMPLAINT_GRADES,
    SERVICE_REQUEST_KINDS,
    TICKET_TYPES,
)
from backend.models.units import SITE_CLASSES
from backend.openapi_hints import declares, stripped_at_least
from glossary.steps import TICKET_STEPS

EVENT_KINDS = tuple(TICKET_STEPS)


def one_of(name: str, allowed: tuple[str, ...]):  # noqa: ANN202 - pydantic validator factory
    @declares(enum=list(allowed))
    def check(value: str | None) -> str | None:
        if value is not None and value not in allowed:
            raise ValueError(f"{name} 必须是 {', '.join(allowed)} 之一")
        return value

    return validator(name, allow_reuse=True)(check)


class Customer(BaseModel):
    name: str | None = Field(None, max_length=50)
    phone: str | None = None
    account_no: str | None = None

    _phone = validator("phone", allow_reuse=True)(identifiers.optional(identifiers.phone))
    _account = validator("account_no", allow_reuse=True)(identifiers.optional(identifiers.account_no))


class TicketCreate(BaseModel):
    type: str
    channel: str = "web"
    description: str = Field(..., min_length=2, max_length=4000)
    customer: Customer = Field(default_factory=Customer)
    address: str | None = Field(None, max_length=200)
    area: str | None = Field(None, max_length=100, description="area (community/village) name, or place words; "
                             "resolved like /api/places/resolve, the address narrowing a shared name")
    area_id: int | None = Field(None, ge=1, description="the area, as /api/places/resolve found it; "
                                "takes precedence over area")
    site_class: str | None = Field(None, description="urban | rural | remote; default the area's, else "
                                   "places.default_site_class for a repair")
    unit: str | None = Field(None, description="handling unit id; derived from the area when absent")
    conversation_id: str | None = None
    parent_id: str | None = Field(None, description="ticket number of the related ticket")
    kind: str | None = Field(None, description="service_request kind")
    complaint_class: str | None = None
    grade: str | None = None
    anonymous: bool = False
    confidential: bool = False
    safety_hazard: bool = False

    _type = one_of("type", TICKET_TYPES)
    _channel = one_of("channel", CHANNELS)
    _site = one_of("site_class", SITE_CLASSES)
    _kind = one_of("kind", SERVICE_REQUEST_KINDS)
    _class = one_of("complaint_class", COMPLAINT_CLASSES)
    _grade = one_of("grade", COMPLAINT_GRADES)

    @validator("description")
    @declares(pattern=stripped_at_least(2))
    def _text(cls, value: str) -> str:  # noqa: N805
        value = value.strip()
        if len(value) < 2:
            raise ValueError("请描述具体情况")
        return value

    class Config:
        extra = "forbid"


class TicketEventCreate(BaseModel):
    kind: str
    note: str | None = Field(None, max_length=2000)
    rating: Literal["satisfied", "basically_satisfied", "dissatisfied", "no_answer"] | None = None
    unit: str | None = Field(None, description="dispatch: the unit that takes the ticket")
    grade: str | None = None
    reason: str | None = Field(None, max_length=200)

    _kind = one_of("kind", EVENT_KINDS)
    _grade = one_of("grade", COMPLAINT_GRADES)

    class Config:
        extra = "forbid"
