from celery import shared_task


@shared_task(name="accounts.clear_expired_sessions")
def clear_expired_sessions() -> int:
    from accounts import services

    return services.sessions_clear_expired()
