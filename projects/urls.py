from django.urls import path

from projects import views
from projects.sessions import views as session_views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("new/", views.project_create, name="project_create"),
    path("from-template/", views.project_from_template, name="project_from_template"),
    path("calendar/", views.calendar_edit, name="calendar_edit"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("<int:pk>/tasks/", views.project_tasks, name="project_tasks"),
    path("<int:pk>/tasks/new/", views.task_create, name="task_create"),
    path("<int:pk>/tasks/<int:task_pk>/edit/", views.task_edit, name="task_edit"),
    path("<int:pk>/tasks/<int:task_pk>/delete/", views.task_delete, name="task_delete"),
    path("<int:pk>/tasks/<int:task_pk>/links/new/", views.dependency_create, name="dependency_create"),
    path("<int:pk>/links/<int:dep_pk>/delete/", views.dependency_delete, name="dependency_delete"),
    path("<int:pk>/gantt/", views.gantt, name="gantt"),
    path("<int:pk>/gantt/data/", views.gantt_data, name="gantt_data"),
    path("<int:pk>/gantt/tasks/<int:task_pk>/", views.gantt_task_update, name="gantt_task_update"),
    path("<int:pk>/gantt/links/", views.gantt_link_create, name="gantt_link_create"),
    path("<int:pk>/gantt/links/<int:dep_pk>/delete/", views.gantt_link_delete, name="gantt_link_delete"),
    path("<int:pk>/board/", views.kanban, name="kanban"),
    path("<int:pk>/board/<int:task_pk>/move/", views.kanban_move, name="kanban_move"),
    path("<int:pk>/baselines/", views.baseline_list, name="baseline_list"),
    path("<int:pk>/baselines/<int:baseline_pk>/", views.baseline_detail, name="baseline_detail"),
    path("<int:pk>/time/", views.time_entries, name="time_entries"),
    path("<int:pk>/close-out/", views.project_closeout, name="project_closeout"),
    path("<int:pk>/save-as-template/", views.template_save, name="template_save"),
    # Work sessions, unbooked work and capacity (docs/specs/one-schedule.md §2-§4).
    path("<int:pk>/tasks/<int:task_pk>/sessions/new/", session_views.session_book, name="session_book"),
    path("<int:pk>/tasks/<int:task_pk>/slots/", session_views.session_slots, name="session_slots"),
    path("sessions/<int:appt_pk>/", session_views.session_detail, name="session_detail"),
    path("sessions/<int:appt_pk>/panel/", session_views.session_panel, name="session_panel"),
    path("sessions/<int:appt_pk>/complete/", session_views.session_complete, name="session_complete"),
    path("sessions/<int:appt_pk>/checklist/", session_views.checklist_toggle, name="session_checklist"),
    path("<int:pk>/tasks/<int:task_pk>/checklist/", session_views.task_checklist, name="task_checklist"),
    path("unbooked/", session_views.unbooked_work, name="unbooked_work"),
    path("capacity/", session_views.capacity, name="capacity"),
    path("capacity/<int:pk>/", session_views.capacity_cell, name="capacity_cell"),
]
