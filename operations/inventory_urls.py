"""Inventory URLs, included by operations/urls.py under `inventory/` (names keep the `operations:` namespace)."""

from django.urls import path

from operations import inventory_views as views

urlpatterns = [
    path("", views.inventory_list, name="inventory_list"),
    path("items/new/", views.item_create, name="item_create"),
    path("items/import/", views.item_import, name="item_import"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("suppliers/", views.supplier_list, name="supplier_list"),
    path("suppliers/new/", views.supplier_edit, name="supplier_create"),
    path("suppliers/<int:pk>/edit/", views.supplier_edit, name="supplier_edit"),
    path("locations/", views.location_list, name="location_list"),
    path("locations/new/", views.location_edit, name="location_create"),
    path("locations/<int:pk>/", views.location_detail, name="location_detail"),
    path("locations/<int:pk>/edit/", views.location_edit, name="location_edit"),
    path("my-van/", views.my_van, name="my_van"),
    path("moves/", views.move_list, name="move_list"),
    path("moves/<int:pk>/reverse/", views.move_reverse, name="move_reverse"),
    path("transfer/", views.stock_transfer, name="stock_transfer"),
    path("count/", views.stock_count, name="stock_count"),
    path("valuation/", views.valuation, name="valuation"),
    path("orders/", views.po_list, name="po_list"),
    path("orders/new/", views.po_create, name="po_create"),
    path("orders/<int:pk>/", views.po_detail, name="po_detail"),
    path("orders/<int:pk>/ordered/", views.po_mark_ordered, name="po_mark_ordered"),
    path("orders/<int:pk>/cancel/", views.po_cancel, name="po_cancel"),
    path("orders/<int:pk>/receive/", views.po_receive, name="po_receive"),
    path("reorder/", views.reorder, name="reorder"),
    path("reorder/draft/", views.po_draft, name="po_draft"),
    path("visits/<int:pk>/supplies/", views.visit_supplies_panel, name="visit_supplies_panel"),
    path("visits/<int:pk>/use/", views.visit_consume, name="visit_consume"),
    path("visits/<int:pk>/reserve/", views.visit_allocate, name="visit_allocate"),
    path("visits/<int:pk>/purchases/new/", views.purchase_create, name="purchase_create"),
    path("purchases/<int:pk>/receipt/", views.purchase_receipt, name="purchase_receipt"),
    path("clients/<int:pk>/supplies/", views.client_supplies_panel, name="client_supplies_panel"),
]
