from celery import shared_task


@shared_task(name="groups.sessions_generate_all", ignore_result=True)
def sessions_generate_all() -> int:
    from .services import group_sessions_generate_all

    return group_sessions_generate_all()
