"""Factories for every projects model a test builds. Schedules are the server's: after building tasks and
links directly, call `planning.project_schedule_recalculate` (the services do it on every edit)."""

from datetime import date

import factory

from projects.models import Baseline, BaselineTask, Dependency, Holiday, Project, Task, TimeEntry, WorkCalendar
from projects.services import calendar_default
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory


class WorkCalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkCalendar

    name = factory.Sequence(lambda n: f"Calendar {n}")
    workdays = factory.LazyFunction(lambda: list(WorkCalendar.DEFAULT_WORKDAYS))


class HolidayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Holiday

    calendar = factory.SubFactory(WorkCalendarFactory)
    date = date(2026, 6, 19)
    name = "Holiday"


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"Project {n}")
    start_on = factory.Faker("date_between", start_date="-30d", end_date="+30d")
    status = Project.Status.ACTIVE
    calendar = factory.LazyFunction(calendar_default)


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Task {n}")
    duration_wd = 1


class DependencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dependency

    pred = factory.SubFactory(TaskFactory)
    succ = factory.SubFactory(TaskFactory, project=factory.SelfAttribute("..pred.project"))
    project = factory.SelfAttribute("pred.project")
    kind = Dependency.Kind.FS


class BaselineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Baseline

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Baseline {n}")


class BaselineTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BaselineTask

    baseline = factory.SubFactory(BaselineFactory)
    task = factory.SubFactory(TaskFactory, project=factory.SelfAttribute("..baseline.project"))
    duration_wd = 1


class TimeEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeEntry

    task = factory.SubFactory(TaskFactory)
    organizer = factory.SubFactory(UserFactory)
    worked_on = date(2026, 6, 1)
    minutes = 60
