"""All tables, imported here so Alembic and the app see one metadata."""
from .accounts import Account, Bill, IdentityFailure
from .assessment import PublishedAssessment
from .audit import AuditEntry
from .base import Base, UTCDateTime, utcnow
from .conversations import Conversation, Message
from .improvement import ImprovementPlan, ImprovementProgress
from .ivr import IvrTurn
from .outages import Outage, OutageScope
from .staff import StaffSession, StaffUser
from .surveys import Survey
from .tickets import Ticket, TicketDeadline, TicketEvent
from .turns import CustomerTurn
from .units import Area, PlaceAlias, Unit
from .wechat import WechatAccessToken, WechatContact

__all__ = [
    "Account", "Area", "AuditEntry", "IdentityFailure", "Base", "Bill", "Conversation", "CustomerTurn",
    "ImprovementPlan", "ImprovementProgress", "IvrTurn", "Message",
    "Outage", "OutageScope", "PlaceAlias", "PublishedAssessment",
    "StaffSession", "StaffUser", "Survey", "Ticket", "TicketDeadline", "TicketEvent", "UTCDateTime",
    "Unit", "WechatAccessToken", "WechatContact", "utcnow",
]
