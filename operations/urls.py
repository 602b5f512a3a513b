"""Every operations URL, under /schedule/ with the `operations:` namespace (paths and names are bookmarks and
ICS links: they do not change). Visits first, then supplies under inventory/."""

from django.urls import path

from operations.views import calendar, client_panels, ics_import, inventory, purchasing, series, visit_supplies, visits

app_name = "operations"

urlpatterns = [
    # visits
    path("types/", visits.appointment_type_list, name="appointment_type_list"),
    path("types/new/", visits.appointment_type_edit, name="appointment_type_create"),
    path("types/<int:pk>/edit/", visits.appointment_type_edit, name="appointment_type_edit"),
    path("visits/new/", visits.appointment_create, name="appointment_create"),
    path("visits/new/sites/", series.booking_sites, name="booking_sites"),
    path("visits/new/preview/", series.booking_preview, name="booking_preview"),
    path("visits/import/", ics_import.ics_import, name="ics_import"),
    path("visits/<int:pk>/", visits.appointment_detail, name="appointment_detail"),
    path("visits/<int:pk>/edit/", visits.appointment_edit, name="appointment_edit"),
    path("visits/<int:pk>/cancel/", visits.appointment_cancel, name="appointment_cancel"),
    path("visits/<int:pk>/restore/", visits.appointment_uncancel, name="appointment_uncancel"),
    path("visits/<int:pk>/action/", visits.appointment_day_action, name="appointment_day_action"),
    path("visits/<int:pk>/checklist/", visits.appointment_checklist, name="appointment_checklist"),
    # the organizers' time
    path("free-slots/", calendar.free_slots, name="free_slots"),
    path("calendar/", calendar.calendar, name="calendar"),
    path("calendar/events/", calendar.calendar_events, name="calendar_events"),
    path("calendar/visits/<int:pk>/move/", calendar.calendar_move, name="calendar_move"),
    path("my-day/", calendar.my_day, name="my_day"),
    path("time-off/", calendar.time_off, name="time_off"),
    path("time-off/<int:pk>/decide/", calendar.time_off_decide, name="time_off_decide"),
    path("feed/", calendar.feed_settings, name="feed_settings"),
    path("feed/regenerate/", calendar.feed_regenerate, name="feed_regenerate"),
    path("feed/<str:token>.ics", calendar.ics_feed, name="ics_feed"),
    # supplies: stock
    path("inventory/", inventory.inventory_list, name="inventory_list"),
    path("inventory/items/new/", inventory.item_create, name="item_create"),
    path("inventory/items/import/", inventory.item_import, name="item_import"),
    path("inventory/items/<int:pk>/", inventory.item_detail, name="item_detail"),
    path("inventory/items/<int:pk>/edit/", inventory.item_edit, name="item_edit"),
    path("inventory/suppliers/", inventory.supplier_list, name="supplier_list"),
    path("inventory/suppliers/new/", inventory.supplier_edit, name="supplier_create"),
    path("inventory/suppliers/<int:pk>/edit/", inventory.supplier_edit, name="supplier_edit"),
    path("inventory/locations/", inventory.location_list, name="location_list"),
    path("inventory/locations/new/", inventory.location_edit, name="location_create"),
    path("inventory/locations/<int:pk>/", inventory.location_detail, name="location_detail"),
    path("inventory/locations/<int:pk>/edit/", inventory.location_edit, name="location_edit"),
    path("inventory/my-van/", inventory.my_van, name="my_van"),
    path("inventory/moves/", inventory.move_list, name="move_list"),
    path("inventory/moves/<int:pk>/reverse/", inventory.move_reverse, name="move_reverse"),
    path("inventory/transfer/", inventory.stock_transfer, name="stock_transfer"),
    path("inventory/count/", inventory.stock_count, name="stock_count"),
    path("inventory/valuation/", inventory.valuation, name="valuation"),
    # supplies: purchasing
    path("inventory/orders/", purchasing.po_list, name="po_list"),
    path("inventory/orders/new/", purchasing.po_create, name="po_create"),
    path("inventory/orders/<int:pk>/", purchasing.po_detail, name="po_detail"),
    path("inventory/orders/<int:pk>/ordered/", purchasing.po_mark_ordered, name="po_mark_ordered"),
    path("inventory/orders/<int:pk>/cancel/", purchasing.po_cancel, name="po_cancel"),
    path("inventory/orders/<int:pk>/receive/", purchasing.po_receive, name="po_receive"),
    path("inventory/reorder/", purchasing.reorder, name="reorder"),
    path("inventory/reorder/draft/", purchasing.po_draft, name="po_draft"),
    # supplies: on visits
    path("inventory/visits/<int:pk>/supplies/", visit_supplies.visit_supplies_panel, name="visit_supplies_panel"),
    path("inventory/visits/<int:pk>/use/", visit_supplies.visit_consume, name="visit_consume"),
    path("inventory/visits/<int:pk>/reserve/", visit_supplies.visit_allocate, name="visit_allocate"),
    path("inventory/shortfalls/<int:pk>/resolve/", visit_supplies.shortfall_resolve, name="shortfall_resolve"),
    path("inventory/visits/<int:pk>/purchases/new/", visit_supplies.purchase_create, name="purchase_create"),
    path("inventory/purchases/<int:pk>/receipt/", visit_supplies.purchase_receipt, name="purchase_receipt"),
    path("inventory/clients/<int:pk>/supplies/", visit_supplies.client_supplies_panel, name="client_supplies_panel"),
    path("clients/<int:pk>/visits/", client_panels.client_visits_panel, name="client_visits_panel"),
]
