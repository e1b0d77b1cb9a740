"""Choosing a person on a form page (report a case, place under control): by ID number or
name, within the acting user's area. The page keeps the choice in a `person` parameter."""

from dataclasses import dataclass, field

from django import forms
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fangkong.core.access import get_for_user
from fangkong.lib.masking import mask_id_number
from fangkong.people.models import Person
from fangkong.people.selectors import find_by_id_number, search_people
from fangkong.places.selectors import place_labels

MATCH_LIMIT = 20


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("ID number or name"), required=False, max_length=60)


@dataclass
class Picked:
    """What the page shows: the chosen person's card, or the search and its matches."""

    person: Person | None
    search: PersonSearchForm
    query: str = ""
    matches: list = field(default_factory=list)
    redirect_to: object = None

    def context(self, user) -> dict:
        return {"search": self.search, "query": self.query,
                "matches": self.matches[:MATCH_LIMIT],
                "too_many": len(self.matches) > MATCH_LIMIT,
                "chosen": person_card(user, self.person) if self.person else None}


def pick_person(request, url_name: str) -> Picked:
    """The person named by `person` (404 outside the user's area), else the people matching
    `q`; a full ID number redirects to the page with the person chosen, so the number leaves
    the address bar once it did its job. `url_name`: the page's URL name, or its path when
    the page takes arguments."""
    user = request.user
    person = _chosen(request)
    search = PersonSearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    picked = Picked(person=person, search=search, query=query)
    if person is None and query:
        found = find_by_id_number(user, query)
        if found is not None:
            page = url_name if url_name.startswith("/") else reverse(url_name)
            picked.redirect_to = redirect(f"{page}?person={found.uuid}")
        else:
            picked.matches = _matches(user, query)
    return picked


def _chosen(request):
    public_id = (request.POST.get("person") if request.method == "POST"
                 else request.GET.get("person"))
    if not public_id:
        return None
    return get_for_user(request.user, Person.objects.active().select_related("household"),
                        public_id)


def _matches(user, query):
    people = list(search_people(user, query).select_related("household")[:MATCH_LIMIT + 1])
    labels = place_labels([p.household for p in people], below=user.scope)
    return [{"person": p, "id_masked": mask_id_number(p.id_number),
             "address": labels[p.household_id]} for p in people]


def person_card(user, person):
    return {"person": person, "id_masked": mask_id_number(person.id_number),
            "address": place_labels([person.household], below=user.scope)[person.household_id]}
