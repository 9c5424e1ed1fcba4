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
from .uploads import Upload, UploadPart

ALL_DOCUMENTS = (County, Township, Village, Department, User, InspectionTask, CheckIn,
                 Finding, Photo, Ticket, Sequence, RoutingRule, SlaPolicy, HolidayOverride,
                 SyncRemoval, Notification, SweepRun, DayCounter, MonthCounter, CountyCounter, Export, Upload, UploadPart)

__all__ = [d.__name__ for d in ALL_DOCUMENTS] + ["Location", "TicketEvent", "ALL_DOCUMENTS"]
