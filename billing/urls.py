from django.urls import path

from billing import views, views_batch, views_setup

app_name = "billing"

urlpatterns = [
    path("", views.ready, name="ready"),
    path("invoices/", views.invoice_list, name="invoice_list"),
    path("invoices/batch/", views_batch.invoice_batch, name="invoice_batch"),
    path("batches/<int:pk>/", views_batch.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/progress/", views_batch.batch_progress, name="batch_progress"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/print/", views.invoice_print, name="invoice_print"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/email/", views.invoice_email, name="invoice_email"),
    path("invoices/<int:pk>/issue/", views.invoice_issue, name="invoice_issue"),
    path("invoices/<int:pk>/void/", views.invoice_void, name="invoice_void"),
    path("invoices/<int:pk>/delete/", views.invoice_delete, name="invoice_delete"),
    path("invoices/<int:pk>/lines/", views.invoice_line_add, name="invoice_line_add"),
    path("invoices/<int:pk>/credit-note/", views.credit_note_create, name="credit_note_create"),
    path("credit-notes/<int:pk>/issue/", views.credit_note_issue, name="credit_note_issue"),
    path("clients/<int:pk>/invoice/", views.invoice_create, name="invoice_create"),
    path("clients/<int:pk>/payment/", views.payment_create, name="payment_create"),
    path("clients/<int:pk>/package/", views.package_sell, name="package_sell"),
    path("clients/<int:pk>/panel/", views.client_billing_panel, name="client_billing_panel"),
    path("finance/", views.finance, name="finance"),
    path("finance.csv", views.finance_csv, name="finance_csv"),
    path("finance/aging.csv", views.aging_csv, name="aging_csv"),
    path("settings/", views_setup.billing_settings, name="settings"),
    path("charges/update/", views.charges_update, name="charges_update"),
    path("clients/<int:pk>/reprice/", views.charges_reprice, name="charges_reprice"),
    path("clients/<int:pk>/packages/move/", views.package_move, name="package_move"),
    path("packages/<int:pk>/close/", views.package_close, name="package_close"),
]
