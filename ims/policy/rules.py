"""The vocabulary of the policy table: kinds of objects, relations between a user and an object, rules.

A rule says, for one action, which relations may take it and in which states of the object.
A relation answers two questions the same way: does it hold between this user and this object
(`holds`), and which rows of a queryset does it hold for (`rows`, a Q filter, or None for no row).
"""

from dataclasses import dataclass, field

from django.db.models import Q

from ims.accounts.models import Role
from ims.policy import subjects

ANY_STATE = None
# "Every row" as a condition that survives an OR (an empty Q() would vanish from it).
EVERY_ROW = Q(pk__isnull=False)


@dataclass(frozen=True)
class Kind:
    """A kind of object an action is about, and where its factory, team, trainer and state are found.

    Lookups are ORM paths from a row of the kind; `state` may be None when the caller tells the
    state (e.g. whether a photo is part of a published revision).
    """

    name: str
    states: tuple = ()
    state: str | None = None
    factory: str | None = None
    team: str | None = None
    trainer: str | None = None

    def read(self, target, lookup):
        """The value at an ORM path on an object: `finding__assessment__factory` -> its factory's pk."""
        *hops, last = lookup.split("__")
        for hop in hops:
            target = getattr(target, hop)
        if last == "pk":
            return target.pk
        model_field = target._meta.get_field(last)
        return getattr(target, model_field.attname)

    def state_of(self, target):
        return self.read(target, self.state) if self.state else None


NOTHING = Kind("nothing: the action is about no object")


class Relation:
    """Who, relative to an object: a role, or a tie to the object's factory, team or session."""

    label = ""
    prerequisite: Role | None = None  # the role a tie to an object needs: without it the relation never holds

    def holds(self, user, kind, target):
        raise NotImplementedError

    def rows(self, user, kind, via, model):
        raise NotImplementedError

    def could_hold(self, user):
        """Whether the relation may hold between this user and some object (for menus and early refusals)."""
        if self.prerequisite is not None:
            return self.prerequisite in subjects.roles_of(user)
        return self.holds(user, NOTHING, None)

    def __str__(self):
        return self.label


class Anyone(Relation):
    label = "anyone, signed in or not"

    def holds(self, user, kind, target):
        return True

    def rows(self, user, kind, via, model):
        return EVERY_ROW


class SignedIn(Relation):
    label = "anyone signed in"

    def holds(self, user, kind, target):
        return user.is_authenticated

    def rows(self, user, kind, via, model):
        return EVERY_ROW if user.is_authenticated else None


@dataclass(frozen=True, eq=False)
class HasRole(Relation):
    """Holders of any of these roles, whatever the object."""

    roles: frozenset

    @property
    def label(self):
        return " or ".join(sorted(str(Role(role).label) for role in self.roles))

    def holds(self, user, kind, target):
        return bool(subjects.roles_of(user) & self.roles)

    def rows(self, user, kind, via, model):
        return EVERY_ROW if self.holds(user, kind, None) else None


class OnTeam(Relation):
    label = "a monitor on the assessment's team"
    prerequisite = Role.MONITOR

    def holds(self, user, kind, target):
        if Role.MONITOR not in subjects.roles_of(user):
            return False
        return type(target)._default_manager.filter(pk=target.pk, **{kind.team: user}).exists()

    def rows(self, user, kind, via, model):
        if Role.MONITOR not in subjects.roles_of(user):
            return None
        # A subquery, so that an assessment with two monitors is still one row.
        return Q(pk__in=model._default_manager.filter(**{f"{via}{kind.team}": user}).values("pk"))


class ManagesFactory(Relation):
    label = "a manager of the object's factory"
    prerequisite = Role.FACTORY_MANAGER

    def holds(self, user, kind, target):
        factory_id = kind.read(target, kind.factory)
        return subjects.managed_factory_ids(user).filter(factory_id=factory_id).exists()

    def rows(self, user, kind, via, model):
        if Role.FACTORY_MANAGER not in subjects.roles_of(user):
            return None
        return Q(**{f"{via}{kind.factory}__in": subjects.managed_factory_ids(user)})


class GrantedBuyer(Relation):
    label = "a buyer that the object's factory grants access now"
    prerequisite = Role.BUYER_VIEWER

    def holds(self, user, kind, target):
        factory_id = kind.read(target, kind.factory)
        return subjects.granted_factory_ids(user).filter(factory_id=factory_id).exists()

    def rows(self, user, kind, via, model):
        if Role.BUYER_VIEWER not in subjects.roles_of(user):
            return None
        return Q(**{f"{via}{kind.factory}__in": subjects.granted_factory_ids(user)})


class RunsSession(Relation):
    label = "the trainer of the session"
    prerequisite = Role.TRAINER

    def holds(self, user, kind, target):
        return Role.TRAINER in subjects.roles_of(user) and kind.read(target, kind.trainer) == user.pk

    def rows(self, user, kind, via, model):
        if Role.TRAINER not in subjects.roles_of(user):
            return None
        return Q(**{f"{via}{kind.trainer}": user})


class GrantHolder(Relation):
    label = "the buyer the grant is made to, while it is in force"
    prerequisite = Role.BUYER_VIEWER

    def holds(self, user, kind, target):
        if not subjects.grant_is_in_force(target):
            return False
        return subjects.buyer_organisations(user).filter(pk=target.buyer_id).exists()

    def rows(self, user, kind, via, model):
        if Role.BUYER_VIEWER not in subjects.roles_of(user):
            return None
        in_force = subjects.grants_in_force().values("pk")
        return Q(**{f"{via}buyer__in": subjects.buyer_organisations(user), f"{via}pk__in": in_force})


@dataclass(frozen=True, eq=False)
class IsThePerson(Relation):
    """The user an object names (e.g. the monitor who reported a sync conflict)."""

    field: str
    label: str

    def holds(self, user, kind, target):
        return user.is_authenticated and kind.read(target, self.field) == user.pk

    def rows(self, user, kind, via, model):
        return Q(**{f"{via}{self.field}": user}) if user.is_authenticated else None

    def could_hold(self, user):
        return user.is_authenticated


class DjangoStaff(Relation):
    """Django's own administration site keeps its gate (is_staff) and its model permissions."""

    label = "an account with access to the administration site"

    def holds(self, user, kind, target):
        return user.is_active and user.is_staff

    def rows(self, user, kind, via, model):
        return EVERY_ROW if self.holds(user, kind, None) else None


@dataclass(frozen=True)
class Allow:
    relation: Relation
    states: frozenset | None = ANY_STATE

    def admits(self, state):
        return self.states is ANY_STATE or state in self.states


@dataclass(frozen=True)
class Rule:
    action: str
    kind: Kind
    allow: tuple
    summary: str
    notes: tuple = field(default=())

    @property
    def about_an_object(self):
        return self.kind is not NOTHING
