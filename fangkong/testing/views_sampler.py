"""The sampler's pages, sized for a phone: choose the site and round, open a tube by its
barcode, add people by ID number or from a unit's list, close the tube; and the door-to-door
single retests due in the sampler's area.

Every form posts and redirects; htmx (see `static/testing/sampler.js`) swaps only the panel,
and a refused form answers 400 with the panel showing the refusal next to the input and what
the sampler typed still in it.
"""

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.accounts.roles import Perm
from fangkong.core.access import get_for_user, require_perm
from fangkong.lib.masking import mask_id_number, mask_phone
from fangkong.people.models import IdType, Person
from fangkong.people.services import local_today
from fangkong.people.validation import clean_identity
from fangkong.places.models import Level, Place
from fangkong.places.selectors import place_labels
from fangkong.testing import selectors, services
from fangkong.testing.forms_sampler import (
    BarcodeForm,
    ChooseForm,
    IdNumberForm,
    PickerForm,
    PickForm,
    VisitorForm,
)
from fangkong.testing.models import (
    Retest,
    RetestStatus,
    RoundStatus,
    Sample,
    Tube,
    TubeKind,
    TubeStatus,
)

SITE, ROUND, TUBE, PICKED, NOTICE = ("sampler_site", "sampler_round", "sampler_tube",
                                     "sampler_picked", "sampler_notice")
PEOPLE_LIMIT = 200  # residents listed for one unit (or building without units)


# --- reads for the page -------------------------------------------------------------------

def _sites(user):
    return selectors.sites_for_user(user).filter(active=True)


def _open_rounds(user):
    return selectors.rounds_for_user(user).filter(status=RoundStatus.OPEN)


def _by_uuid(queryset, value):
    return queryset.filter(uuid=value).first() if value else None


def _chosen(request):
    """The site and round kept in the session, if both are still the sampler's."""
    site = _by_uuid(_sites(request.user), request.session.get(SITE))
    test_round = _by_uuid(_open_rounds(request.user), request.session.get(ROUND))
    return (site, test_round) if site and test_round else (None, None)


def _open_tubes(user, site, test_round):
    return (selectors.tubes_for_user(user)
            .filter(site=site, round=test_round, status=TubeStatus.OPEN, sampler=user)
            .exclude(kind=TubeKind.RETEST).order_by("-opened_at"))


def _current_tube(request, site, test_round):
    tubes = _open_tubes(request.user, site, test_round)
    return _by_uuid(tubes, request.session.get(TUBE)) or tubes.first()


def _members(user, tube):
    samples = (Sample.objects.accessible_to(user).filter(tube=tube)
               .select_related("person").order_by("sampled_at", "id"))
    return [{"sample": s, "id_masked": mask_id_number(s.person.id_number)} for s in samples]


def _community(site):
    place = site.venue.place
    return Place.objects.filter(path__in=[*place.ancestor_paths(), place.path],
                                level=Level.COMMUNITY).first()


def _labelled(places, below):
    labels = place_labels(places, below=below)
    return [(str(p.uuid), labels[p.pk]) for p in places]


def _picker(request, site, test_round):
    """The unit list: buildings of the site's community in the sampler's area, the chosen
    building's units, and the residents of the chosen unit not yet sampled this round."""
    user = request.user
    community = _community(site)
    if community is None:
        return None
    places = Place.objects.accessible_to(user)
    buildings = list(places.filter(path__startswith=community.path, level=Level.BUILDING))
    data = request.GET if "building" in request.GET else request.session.get(PICKED, {})
    building = {str(b.uuid): b for b in buildings}.get(data.get("building"))
    units = list(places.filter(parent=building, level=Level.UNIT)) if building else []
    unit = {str(u.uuid): u for u in units}.get(data.get("unit"))
    request.session[PICKED] = {"building": str(building.uuid) if building else "",
                               "unit": str(unit.uuid) if unit else ""}
    form = PickerForm(initial=request.session[PICKED], buildings=_labelled(buildings, community),
                      units=_labelled(units, building))
    group = unit or (building if building and not units else None)
    people, found = [], []
    if group is not None:
        found = list(selectors.untested(test_round, group).accessible_to(user)
                     [:PEOPLE_LIMIT + 1])
        labels = place_labels([p.household for p in found], below=group)
        people = [{"person": p, "home": labels[p.household_id],
                   "id_masked": mask_id_number(p.id_number)} for p in found[:PEOPLE_LIMIT]]
    return {"form": form, "group": group, "people": people,
            "too_many": group is not None and len(found) > PEOPLE_LIMIT,
            "no_buildings": not buildings}


def _focus(form, name):
    form.fields[name].widget.attrs["autofocus"] = True
    return form


def _visitor_focus(form):
    wrong = [name for name in form.errors if name in form.fields]
    return wrong[0] if wrong else "name"


def _home_context(request, site, test_round, *, tube=None, open_form=None, add_form=None,
                  visitor_form=None, pick_error=None, close_error=None):
    if tube is not None:
        tube.refresh_from_db()
    current = tube or _current_tube(request, site, test_round)
    is_open = current is not None and current.status == TubeStatus.OPEN
    open_form = open_form or BarcodeForm()
    add_form = add_form or IdNumberForm()
    if visitor_form is not None:
        _focus(visitor_form, _visitor_focus(visitor_form))
    elif is_open and not open_form.is_bound:
        _focus(add_form, "id_number")
    else:
        _focus(open_form, "barcode")
    others = _open_tubes(request.user, site, test_round)
    return {
        "site": site, "round": test_round, "tube": current, "tube_open": is_open,
        "members": _members(request.user, current) if current else [],
        "open_form": open_form, "add_form": add_form, "visitor_form": visitor_form,
        "others": others.exclude(pk=current.pk) if current else others,
        "picker": _picker(request, site, test_round), "pick_error": pick_error or [],
        "close_error": close_error or [],
    }


def _page(request, *, status=200, choose_form=None, **parts):
    user = request.user
    sites, rounds = list(_sites(user)), list(_open_rounds(user))
    site, test_round = _chosen(request)
    initial = {"site": str(site.uuid), "round": str(test_round.uuid)} if site else {}
    context = {"choose_form": choose_form or ChooseForm(sites=sites, rounds=rounds,
                                                        initial=initial),
               "site": site, "notice": request.session.pop(NOTICE, ""),
               "choosing": choose_form is not None or site is None}
    if site is not None:
        context.update(_home_context(request, site, test_round, **parts))
    return render(request, "testing/sampler/home.html", context, status=status)


def _done(request, notice):
    request.session[NOTICE] = notice
    return redirect("testing:sampler")


def _refused(form, field, error: ValidationError):
    """A service's refusal next to the input the sampler used, whatever field it names."""
    for message in error.messages:
        form.add_error(field, message)


def _tube(request, public_id):
    return get_for_user(request.user, Tube.objects.select_related("round", "site__venue"),
                        public_id, perm=Perm.SAMPLE)


def _added_notice(sample):
    tube = Tube.objects.get(pk=sample.tube_id)
    params = {"name": sample.person.name, "barcode": tube.barcode, "n": tube.size,
              "capacity": tube.capacity}
    if tube.status == TubeStatus.CLOSED:
        return _("%(name)s added. Tube %(barcode)s is full (%(n)s/%(capacity)s) and closed: "
                 "open the next tube.") % params
    return _("%(name)s added to tube %(barcode)s (%(n)s/%(capacity)s).") % params


# --- the sampling page --------------------------------------------------------------------

@login_required
@require_perm(Perm.SAMPLE)
def home(request):
    return _page(request)


@login_required
@require_perm(Perm.SAMPLE)
@require_POST
def choose(request):
    user = request.user
    form = ChooseForm(request.POST, sites=_sites(user), rounds=_open_rounds(user))
    if form.is_valid():
        site = _sites(user).get(uuid=form.cleaned_data["site"])
        test_round = _open_rounds(user).get(uuid=form.cleaned_data["round"])
        if services.round_place_of(test_round, site.venue.place) is None:
            form.add_error("round", _("This round does not cover this site."))
        else:
            for key, value in ((SITE, str(site.uuid)), (ROUND, str(test_round.uuid))):
                request.session[key] = value
            request.session.pop(TUBE, None)
            request.session.pop(PICKED, None)
            return _done(request, _("You sample at %(site)s for %(round)s.")
                         % {"site": site.venue.name, "round": test_round.name})
    return _page(request, status=400, choose_form=form)


def _require_choice(request):
    site, test_round = _chosen(request)
    if site is None:
        return None, None, _done(request, _("Choose your site and round first."))
    return site, test_round, None


@login_required
@require_perm(Perm.SAMPLE)
@require_POST
def tube_open(request):
    site, test_round, back = _require_choice(request)
    if back:
        return back
    form = BarcodeForm(request.POST)
    if form.is_valid():
        try:
            tube = services.tube_open(acting_user=request.user, test_round=test_round, site=site,
                                      barcode=form.cleaned_data["barcode"])
        except ValidationError as error:
            _refused(form, "barcode", error)
        except PermissionError:
            raise PermissionDenied from None
        else:
            request.session[TUBE] = str(tube.uuid)
            return _done(request, _("Tube %(barcode)s opened: %(n)s swabs.")
                         % {"barcode": tube.barcode, "n": tube.capacity})
    return _page(request, status=400, open_form=form)


def _add(request, tube, person, form, field):
    """Add the person; on a refusal, the page with the message next to `field` of `form`."""
    try:
        sample = services.sample_add(acting_user=request.user, tube=tube, person=person)
    except ValidationError as error:
        _refused(form, field, error)
        return None
    except PermissionError:
        raise PermissionDenied from None
    request.session[TUBE] = str(tube.uuid)
    return _done(request, _added_notice(sample))


def _unknown(form):
    """Why an ID number found no one: a typo in the number, or a person to register."""
    number = selectors.normalise_id_number(form.cleaned_data["id_number"])
    try:
        clean_identity(id_type=IdType.MAINLAND, id_number=number, birth_date=None, sex=None,
                       today=local_today())
    except ValidationError as error:
        _refused(form, "id_number", error)
        return None
    form.add_error("id_number", _("No one is registered with this ID number: register the "
                                  "person as a visitor below."))
    return VisitorForm(initial={"id_number": number})


@login_required
@require_perm(Perm.SAMPLE)
@require_POST
def sample_add(request, public_id):
    tube = _tube(request, public_id)
    form = IdNumberForm(request.POST)
    visitor_form = None
    if form.is_valid():
        person = selectors.person_by_id_number(form.cleaned_data["id_number"])
        if person is None:
            visitor_form = _unknown(form)
        else:
            done = _add(request, tube, person, form, "id_number")
            if done:
                return done
    return _page(request, status=400, tube=tube, add_form=form, visitor_form=visitor_form)


def _register(request, tube, form):
    if tube.site is None:
        form.add_error(None, _("A retest tube is taken from the retest list."))
        return None
    try:
        return services.visitor_register(acting_user=request.user, site=tube.site,
                                         **form.cleaned_data)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    except PermissionError:
        raise PermissionDenied from None
    return None


@login_required
@require_perm(Perm.SAMPLE)
@require_POST
def visitor_add(request, public_id):
    """Register an unknown person at the tube's site and add them to the tube: the second
    tap after a refused ID number."""
    tube = _tube(request, public_id)
    form = VisitorForm(request.POST)
    if form.is_valid():
        person = _register(request, tube, form)
        if person is not None:
            add_form = IdNumberForm({"id_number": person.id_number})
            add_form.is_valid()
            done = _add(request, tube, person, add_form, "id_number")
            return done or _page(request, status=400, tube=tube, add_form=add_form)
    return _page(request, status=400, tube=tube, visitor_form=form)


@login_required
@require_perm(Perm.SAMPLE)
@require_POST
def sample_pick(request, public_id):
    tube = _tube(request, public_id)
    form = PickForm(request.POST)
    if not form.is_valid():
        return _page(request, status=400, tube=tube, pick_error=[_("Choose a person.")])
    person = get_for_user(request.user, Person.objects.active(), form.cleaned_data["person"])
    done = _add(request, tube, person, form, None)
    return done or _page(request, status=400, tube=tube,
                         pick_error=[f"{person.name}: {e}" for e in form.non_field_errors()])


@login_required
@require_perm(Perm.SAMPLE)
@require_POST
def tube_close(request, public_id):
    tube = _tube(request, public_id)
    try:
        tube = services.tube_close(acting_user=request.user, tube=tube)
    except ValidationError as error:
        return _page(request, status=400, tube=tube, close_error=error.messages)
    except PermissionError:
        raise PermissionDenied from None
    request.session.pop(TUBE, None)
    return _done(request, _("Tube %(barcode)s closed with %(n)s swabs.")
                 % {"barcode": tube.barcode, "n": tube.size})


@login_required
@require_perm(Perm.SAMPLE)
@require_POST
def tube_continue(request, public_id):
    """Go back to another open tube of this site (a household that came back)."""
    tube = _tube(request, public_id)
    if tube.status == TubeStatus.OPEN:
        request.session[TUBE] = str(tube.uuid)
    return redirect("testing:sampler")


# --- door-to-door retests -----------------------------------------------------------------

def _retest_groups(user, forms=None):
    """The due retests of the sampler's area by unit (or village), each with its form."""
    forms = forms or {}
    due = list(selectors.retests_for_user(user).filter(status=RetestStatus.DUE)
               .select_related("person__household__parent")
               .order_by("person__household__path", "person__name"))
    units = {r.person.household.parent_id: r.person.household.parent for r in due}
    labels = place_labels(units.values(), below=user.scope)
    groups = []
    for parent_id, rows in groupby(due, key=lambda r: r.person.household.parent_id):
        groups.append({"label": labels[parent_id], "rows": [{
            "retest": r, "phone": mask_phone(r.person.phone),
            "form": forms.get(r.pk) or BarcodeForm(auto_id=f"id_%s_{r.uuid}")} for r in rows]})
    return groups


def _retests_page(request, *, status=200, forms=None):
    return render(request, "testing/sampler/retests.html", {
        "groups": _retest_groups(request.user, forms),
        "notice": request.session.pop(NOTICE, "")}, status=status)


@login_required
@require_perm(Perm.SAMPLE)
def retests(request):
    return _retests_page(request)


@login_required
@require_perm(Perm.SAMPLE)
@require_POST
def retest_sample(request, public_id):
    retest = get_for_user(request.user, Retest.objects.select_related("person"), public_id,
                          perm=Perm.SAMPLE)
    form = BarcodeForm(request.POST, auto_id=f"id_%s_{retest.uuid}")
    if form.is_valid():
        try:
            tube = services.retest_sample(acting_user=request.user, retest=retest,
                                          barcode=form.cleaned_data["barcode"])
        except ValidationError as error:
            _refused(form, "barcode", error)
        except PermissionError:
            raise PermissionDenied from None
        else:
            request.session[NOTICE] = _("Retest tube %(barcode)s taken for %(name)s.") % {
                "barcode": tube.barcode, "name": retest.person.name}
            return redirect("testing:retests")
    return _retests_page(request, status=400, forms={retest.pk: form})
