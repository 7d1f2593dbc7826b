from ims.people.start import waiting_count


def waiting(request):
    """How much waits for the signed-in user (their start page's counts), for the menu; asked only when shown."""
    user = request.user
    return {"waiting_count": lambda: waiting_count(user) if user.is_authenticated else 0}
