"""Project work sessions, planned/booked/logged hours, unbooked work and capacity (docs/specs/one-schedule.md §2-§4).

A session is an operations visit of category "project_session" booked through the ordinary booking service;
`WorkSession` ties it to a leaf task. Layers as in the rest of the app: `services` write, `selectors` and
`capacity` read, `spread` is pure arithmetic, `views` and `forms` are thin.
"""
