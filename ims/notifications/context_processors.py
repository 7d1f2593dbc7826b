from ims.notifications.models import Notice


def unread_notices(request):
    """How many notifications the signed-in user has not opened, for the header (asked only when shown)."""
    user = request.user

    def count():
        return Notice.objects.filter(recipient=user, read_at__isnull=True).count() if user.is_authenticated else 0

    return {"unread_notices": count}
