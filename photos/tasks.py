"""Periodic photo work (thin: the rule lives in photos/sweep.py)."""

from __future__ import annotations

from celery import shared_task

from photos import sweep


@shared_task(name="photos.sweep_orphan_files")
def sweep_orphan_files() -> int:
    return sweep.orphan_files_delete()
