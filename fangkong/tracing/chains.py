"""Transmission chains (传播链): a contact who became a case is a link from the case they
were exposed to; a cluster (聚集性疫情) is a connected component of those links.

A case's generation is 1 for a case no link leads to, else one more than the highest
generation among those it was exposed to (links only run from an earlier report to a later
one, so there is no cycle). The chain view lays the graph out here, in layers by generation,
so the browser draws 2,000 cases without running a force simulation.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from fangkong.cases.models import Case
from fangkong.tracing.models import Contact, ContactStatus


@dataclass
class Cluster:
    key: str                     # the number of its first case
    cases: list[Case]
    links: list[tuple[int, int]]  # (infector case id, infectee case id)
    generation: dict[int, int] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.cases)

    @property
    def generations(self) -> int:
        return max(self.generation.values(), default=1)

    @property
    def first(self) -> Case:
        return self.cases[0]

    @property
    def last(self) -> Case:
        return self.cases[-1]


def _links(cases: dict[int, Case]) -> list[tuple[int, int]]:
    rows = (Contact.objects.filter(became_case_id__in=cases, case_id__in=cases)
            .exclude(status=ContactStatus.DISMISSED)
            .order_by().values_list("case_id", "became_case_id").distinct())
    return [(a, b) for a, b in rows if a != b]


def _components(ids, links) -> list[set[int]]:
    parent = {i: i for i in ids}

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in links:
        parent[root(a)] = root(b)
    groups = defaultdict(set)
    for i in ids:
        groups[root(i)].add(i)
    return list(groups.values())


def _generations(cases: list[Case], links) -> dict[int, int]:
    sources = defaultdict(list)
    for a, b in links:
        sources[b].append(a)
    generation = {}
    for case in cases:  # in report order: every source is placed before its infectee
        generation[case.pk] = 1 + max((generation.get(a, 0) for a in sources[case.pk]),
                                      default=0)
    return generation


def clusters_for(user, *, min_size: int = 2) -> list[Cluster]:
    """The clusters among the cases the user may see, largest first."""
    cases = {c.pk: c for c in Case.objects.accessible_to(user).select_related("person")
             .order_by("reported_at", "id")}
    links = _links(cases)
    out = []
    for ids in _components(cases, links):
        if len(ids) < min_size:
            continue
        members = sorted((cases[i] for i in ids), key=lambda c: (c.reported_at, c.pk))
        inner = [(a, b) for a, b in links if a in ids]
        out.append(Cluster(key=members[0].number, cases=members, links=inner,
                           generation=_generations(members, inner)))
    return sorted(out, key=lambda c: (-c.size, c.first.reported_at))


def cluster_of(user, key: str) -> Cluster | None:
    return next((c for c in clusters_for(user, min_size=1) if c.key == key), None)


def graph(cluster: Cluster) -> dict:
    """Nodes placed in columns by generation and rows by report order, and the links, as
    the chain view's ECharts series reads them."""
    rows = defaultdict(int)
    nodes = []
    uuid_of = {case.pk: str(case.uuid) for case in cluster.cases}
    for case in cluster.cases:
        g = cluster.generation[case.pk]
        nodes.append({"id": uuid_of[case.pk], "name": case.number, "x": g * 200,
                      "y": rows[g] * 40, "value": g,
                      "category": 0 if case.classification == "confirmed" else 1,
                      "day": timezone.localdate(case.reported_at).isoformat()})
        rows[g] += 1
    return {"nodes": nodes, "links": [{"source": uuid_of[a], "target": uuid_of[b]}
                                      for a, b in cluster.links]}
