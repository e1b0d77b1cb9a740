"""The one rule of who may see a record: staff see what lies under their place in the tree,
a resident sees only their own records, anyone else nothing.

A queryset of a model that belongs somewhere subclasses `ScopedQuerySet` and names the path
of its place (`place_path`) and, if residents may see their own rows, the field naming the
person (`person_field`).
"""

from django.db import models

from fangkong.accounts.roles import Role


class ScopedQuerySet(models.QuerySet):
    place_path = "place__path"
    person_field: str | None = None

    def accessible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.role == Role.RESIDENT:
            if self.person_field and user.person_id:
                return self.filter(**{self.person_field: user.person_id})
            return self.none()
        path = getattr(user, "scope_path", None)
        if not path:
            return self.none()
        return self.filter(**{f"{self.place_path}__startswith": path})
