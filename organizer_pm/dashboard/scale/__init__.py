"""The scale data set (`manage.py load_scale`): a deterministic business of several years, written in bulk.

Each module builds one part, in dependency order: `people` (users, clients, contacts, sites, visit types),
`visits` (series, visits, busy blocks), `stock` (items, the ledger and its levels), `projects` (tasks, links,
schedules through the real engine), `money` (visit times, redo links, charges, invoices, payments). `Plan` holds
the sizes; `World` carries the rows one part hands to the next.
"""
