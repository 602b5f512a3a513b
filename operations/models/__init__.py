"""operations' models: visits (appointments, series, busy blocks, reminders) and supply inventory."""

from operations.models.change_requests import VisitChangeRequest
from operations.models.imports import ImportedEvent
from operations.models.inventory import (
    Allocation,
    ClientPurchase,
    CostLayer,
    InventorySnapshot,
    Item,
    Location,
    LowStockNotice,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    StockMove,
    Supplier,
)
from operations.models.kpi import OpsDaily, StockValueDaily
from operations.models.visits import (
    Appointment,
    AppointmentType,
    CalendarFeed,
    OrganizerBlock,
    RecurringSeries,
    Reminder,
    TimeOff,
    TsTzRange,
    new_feed_token,
)

__all__ = [
    "Allocation", "Appointment", "AppointmentType", "CalendarFeed", "ClientPurchase", "CostLayer", "ImportedEvent",
    "InventorySnapshot", "Item", "Location", "LowStockNotice", "OrganizerBlock", "PurchaseOrder",
    "PurchaseOrderLine", "RecurringSeries", "Reminder", "StockLevel", "StockMove", "Supplier", "TimeOff",
    "TsTzRange", "new_feed_token", "VisitChangeRequest", "OpsDaily", "StockValueDaily",
]  # fmt: skip
