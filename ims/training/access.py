"""Who may see and do what in training: the one place views, services and exports ask.

- The catalogue (programmes, modules, session dates, venues, fees) is public, as the programme
  advertises it; programme administrators edit its programmes and modules in the admin (as staff).
- Enrolments, participants, attendance and improvement plans are private: programme staff who deal
  with factories read all of them; a factory's own managers read their factory's; nobody else any.
- Trainers and programme administrators plan sessions and enrol factories; attendance and completion
  of a session are recorded by its trainer or a programme administrator.
- A factory's improvement plan is edited by its own managers and by those who manage training.
- The impact comparison names factories and their compliance, so only programme staff read it.
"""

from ims.accounts.models import Role
from ims.factories.models import FACTORY_FACING_ROLES, Factory
from ims.training.models import Enrolment

TRAINING_MANAGERS = (Role.TRAINER, Role.PROGRAMME_ADMIN)


def reads_all_training(user):
    return user.is_authenticated and (user.is_superuser or user.has_role(*FACTORY_FACING_ROLES))


def edits_catalogue(user):
    return user.is_authenticated and (user.is_superuser or user.has_role(Role.PROGRAMME_ADMIN))


def manages_training(user):
    return user.is_authenticated and (user.is_superuser or user.has_role(*TRAINING_MANAGERS))


def runs_session(user, session):
    """Records attendance and marks completion: the session's own trainer or an administrator."""
    if not user.is_authenticated:
        return False
    return (
        user.is_superuser
        or user.has_role(Role.PROGRAMME_ADMIN)
        or (user.has_role(Role.TRAINER) and session.trainer_id == user.pk)
    )


def edits_plan(user, enrolment):
    if manages_training(user):
        return True
    return user.is_authenticated and user.has_role(Role.FACTORY_MANAGER) and user.is_factory_member(enrolment.factory)


def reads_impact(user):
    return reads_all_training(user)


def visible_enrolments(user):
    """Enrolments (with their participants, attendance and plans) the user may read."""
    enrolments = Enrolment.objects.all()
    if reads_all_training(user):
        return enrolments
    if not user.is_authenticated or not user.has_role(Role.FACTORY_MANAGER):
        return enrolments.none()
    return enrolments.filter(factory_id__in=user.member_factory_ids())


def visible_factories(user):
    """Factories whose training record the user may open."""
    if reads_all_training(user):
        return Factory.objects.all()
    if not user.is_authenticated or not user.has_role(Role.FACTORY_MANAGER):
        return Factory.objects.none()
    return Factory.objects.filter(pk__in=user.member_factory_ids())
