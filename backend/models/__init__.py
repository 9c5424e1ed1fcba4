"""MongoEngine documents, each with the indexes its queries need."""
from .places import County, Department, Township, Village
from .users import User
from .tasks import CheckIn, InspectionTask
from .findings import Finding, Location, Photo
from .tickets import Sequence, Ticket, TicketEvent
from .rules import HolidayOverride, RoutingRule, SlaPolicy
from .sync import SyncRemoval
from .notifications import Notification, SweepRun
from .counters import CountyCounter, DayCounter, MonthCounter
from .exports import Export
from .followups import Tally
from .documents import Attachment
from .lifecycle import LifecycleEvent
from .clues import Clue, ClueAccess
from .suggestions import Suggestion
from .accountability import AccountabilityDecision
from .bulletins import Bulletin
from .public_reports import PublicReport
from .open311 import Open311Key
from .organisations import PartyOrganisation
from .rounds import InspectionRound, RoundSettings
from .review import ReviewEntry
from .rectification import Rectification, RectificationProblem, RoundCounter

from .sessions import Session, Setting
from .audit import AuditEntry
from .uploads import Upload, UploadPart

ALL_DOCUMENTS = (County, Township, Village, Department, User, InspectionTask, CheckIn,
                 Finding, Photo, Ticket, Sequence, RoutingRule, SlaPolicy, HolidayOverride,
                 SyncRemoval, Notification, SweepRun, DayCounter, MonthCounter, CountyCounter, Export, Session, Setting,
                 AuditEntry, Tally, Attachment, Clue, ClueAccess, Suggestion, AccountabilityDecision, Bulletin,
                 PublicReport, Open311Key, PartyOrganisation, InspectionRound, RoundSettings, ReviewEntry,
                 Rectification, RectificationProblem, RoundCounter, Upload, UploadPart)

__all__ = [d.__name__ for d in ALL_DOCUMENTS] + ["Location", "TicketEvent", "LifecycleEvent", "ALL_DOCUMENTS"]
