"""Finding the rows' places in the tree, and planning the ones to create.

District, subdistrict and community must exist inside the acting user's area; compound,
building, unit and household are created when missing. Each community's subtree is read
once, new places get their paths in memory (parent path + segment of the next ordinal
among siblings, the rule of `places.services.next_child_path`), and are written level by
level with bulk inserts.
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.people.importing.bulk import insert_objects
from fangkong.places.models import PATH_STEP, Level, Place, path_segment

AREA_LEVELS = (Level.DISTRICT, Level.SUBDISTRICT, Level.COMMUNITY)
HOME_LEVELS = (Level.COMPOUND, Level.BUILDING, Level.UNIT, Level.HOUSEHOLD)
ID_CHUNK = 500
CODE_MAX = Place._meta.get_field("code").max_length


@dataclass(eq=False, slots=True)
class Node:
    """A place known to the import: stored (`id` set) or planned (`id` None until written)."""

    level: str
    name: str
    path: str
    parent: "Node | None" = None
    id: int | None = None
    code: str = ""
    children: dict = field(default_factory=dict)  # (level, name) → Node
    codes: set = field(default_factory=set)
    next_ordinal: int = 1

    def adopt(self, child: "Node") -> None:
        self.children.setdefault((child.level, child.name), child)
        self.codes.add(child.code)
        self.next_ordinal = max(self.next_ordinal, int(child.path[-PATH_STEP:]) + 1)


class AreaResolver:
    """District › subdistrict › community by name, among the user's area and its ancestors."""

    def __init__(self, scope: Place):
        self.scope = scope
        self.cache: dict[tuple, tuple] = {}
        rows = (Place.objects.filter(level__in=AREA_LEVELS)
                .filter(Q(path__startswith=scope.path) | Q(path__in=scope.ancestor_paths()))
                .values_list("id", "parent_id", "level", "name", "path", "rural"))
        self.by_parent = {}
        self.districts = {}
        for pk, parent_id, level, name, path, rural in rows:
            place = (pk, path, rural)
            if level == Level.DISTRICT:
                self.districts.setdefault(name, place)
            self.by_parent.setdefault((parent_id, level, name), place)

    def resolve(self, area: tuple[str, str, str]):
        """(community as (id, path, rural), None) or (None, (field, message))."""
        if area not in self.cache:
            self.cache[area] = self._resolve(*area)
        return self.cache[area]

    def _resolve(self, district_name, subdistrict_name, community_name):
        district = self.districts.get(district_name)
        if district is None:
            return None, ("district", _("There is no district named %(name)s in your area.")
                          % {"name": district_name})
        subdistrict = self.by_parent.get((district[0], Level.SUBDISTRICT, subdistrict_name))
        if subdistrict is None:
            return None, ("subdistrict", _("There is no subdistrict named %(name)s in "
                                           "%(parent)s.") % {"name": subdistrict_name,
                                                             "parent": district_name})
        community = self.by_parent.get((subdistrict[0], Level.COMMUNITY, community_name))
        if community is None or not community[1].startswith(self.scope.path):
            return None, ("community", _("There is no community named %(name)s in %(parent)s "
                                         "within your area.") % {"name": community_name,
                                                                 "parent": subdistrict_name})
        return community, None


class HomePlanner:
    """Finds or plans compound › building › unit › household under resolved communities."""

    def __init__(self):
        self.communities: dict[int, Node] = {}
        self.planned: list[Node] = []

    def load(self, communities, *, lock: bool) -> None:
        """Read the subtrees of the given communities ((id, path, rural) triples) at once.

        With `lock`, the community rows are locked first, as `place_create` locks a parent,
        so two imports cannot hand out the same path."""
        wanted = [c for c in communities if c[0] not in self.communities]
        if lock and wanted:
            list(Place.objects.select_for_update().filter(pk__in=[c[0] for c in wanted])
                 .values_list("pk", flat=True))
        for pk, path, _rural in wanted:
            self.communities[pk] = Node(Level.COMMUNITY, "", path, id=pk)
        if not wanted:
            return
        condition = Q()
        for _pk, path, _rural in wanted:
            condition |= Q(path__startswith=path)
        rows = (Place.objects.filter(condition, level__in=HOME_LEVELS).order_by("path")
                .values_list("id", "parent_id", "level", "name", "path", "code"))
        by_id = {node.id: node for node in self.communities.values()}
        for pk, parent_id, level, name, path, code in rows:
            node = Node(level, name, path, id=pk, code=code)
            by_id[pk] = node
            parent = by_id.get(parent_id)
            if parent is not None:
                node.parent = parent
                parent.adopt(node)

    def household(self, community_id: int, home: tuple[str, str, str, str]) -> Node:
        node = self.communities[community_id]
        for level, name in zip(HOME_LEVELS, home, strict=True):
            if name:
                node = node.children.get((level, name)) or self._plan(node, level, name)
        return node

    def _plan(self, parent: Node, level: str, name: str) -> Node:
        ordinal = parent.next_ordinal
        code = name[:CODE_MAX]
        if code in parent.codes:  # codes are unique among siblings; names need not be
            code = path_segment(ordinal)
        child = Node(level, name, parent.path + path_segment(ordinal), parent=parent, code=code)
        parent.adopt(child)
        self.planned.append(child)
        return child

    def write(self, acting_user) -> int:
        """Insert the planned places, parents before children; return how many."""
        by_depth, now = {}, timezone.now()
        for node in self.planned:
            by_depth.setdefault(len(node.path), []).append(node)
        for depth in sorted(by_depth):
            nodes = by_depth[depth]
            insert_objects(Place, [
                Place(parent_id=node.parent.id, level=node.level, code=node.code,
                      name=node.name, path=node.path, created_by=acting_user,
                      updated_by=acting_user, created_at=now, updated_at=now)
                for node in nodes])
            self._take_ids(nodes)
        return len(self.planned)

    @staticmethod
    def _take_ids(nodes: list[Node]) -> None:
        """Read the new ids back by path (unique), which COPY and executemany do not return."""
        for start in range(0, len(nodes), ID_CHUNK):
            chunk = nodes[start:start + ID_CHUNK]
            ids = dict(Place.objects.filter(path__in=[n.path for n in chunk])
                       .values_list("path", "id"))
            for node in chunk:
                node.id = ids[node.path]
