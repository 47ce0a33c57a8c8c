"""The demo district (西山区 shape): a deterministic generator used by ``seed_demo`` and the benchmarks.

Data (names of places, schools, companies) is Chinese by nature: it is sample content, not UI text.
"""

from __future__ import annotations

import datetime
import functools
import random
import time
from bisect import bisect
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from types import SimpleNamespace
from typing import NamedTuple

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from faker import Faker
from stdnum.cn import ric

from tongxin.core.bulkload import insert_objects, insert_rows
from tongxin.core.codes import Education, PoliticalStatus
from tongxin.core.registry import DemoRun
from tongxin.orgs.models import Organization, OrgCategory, OrgKind, OrgStats, path_step
from tongxin.orgs.services import rebuild_rollups
from tongxin.people.models import CadrePosition, CadreTitle, Membership, MembershipStatus, Occupation, Person
from tongxin.people.validators import name_pinyin

# 1× shape of the demo district (共青团昆明市西山区委: 32 团委, 12 团工委, 86 团总支, 576 团支部).
COMMITTEES, WORKING_COMMITTEES, GENERAL_BRANCHES, BRANCHES = 32, 12, 86, 576
LEAGUE_MEMBERS = 13_373
PARTY_MEMBERS = 15
MIN_BRANCH, MAX_BRANCH = 3, 50
DEMO_PASSWORD = "tongxin-demo"

ROOT_NAME = "共青团昆明市西山区委员会"
ROOT_DIVISION = "530112"
AREA_CODES = ["530112", "530112", "530112", "530102", "530103", "530111", "530113", "530114", "530181"]
SUBDISTRICTS = [
    "金碧",
    "永昌",
    "前卫",
    "福海",
    "棕树营",
    "西苑",
    "马街",
    "碧鸡",
    "海口",
    "团结",
    "金马",
    "大观",
]
SCHOOL_WORDS = [
    "第一中学",
    "第二中学",
    "实验中学",
    "职业中学",
    "民族中学",
    "外国语学校",
    "职业技术学院",
    "理工学校",
]
ETHNICITY_WEIGHTS = [("01", 80), ("07", 8), ("14", 4), ("03", 3), ("18", 2), ("16", 1), ("06", 1), ("08", 1)]


@dataclass
class DemoResult:
    organizations: int
    people: int
    root: Organization
    seconds: float = 0.0


def _branch_sizes(rng: random.Random, count: int, total: int) -> list[int]:
    """``count`` sizes in [MIN_BRANCH, MAX_BRANCH] that add up to ``total``."""
    sizes = [MIN_BRANCH] * count
    remaining = total - MIN_BRANCH * count
    if remaining < 0 or total > MAX_BRANCH * count:
        raise ValueError("members cannot be spread over the branches within the size limits")
    while remaining:
        i = rng.randrange(count)
        room = MAX_BRANCH - sizes[i]
        if room:
            add = min(room, remaining, rng.randint(1, 8))
            sizes[i] += add
            remaining -= add
    return sizes


def _id_number(rng: random.Random, birth: datetime.date, male: bool, used: set[str]) -> str:
    while True:
        seq = rng.randrange(0, 100)
        sex_digit = rng.choice("13579" if male else "02468")
        body = f"{rng.choice(AREA_CODES)}{birth:%Y%m%d}{seq:02d}{sex_digit}"
        number = body + ric.calc_check_digit(body + "0")  # the function expects a full 18-character number
        if number not in used:
            used.add(number)
            return number


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# The same name gets the same pinyin: at 10× most of the roster's names repeat (a few hundred surnames and given
# names), and pypinyin's look-up was 8 of the 21 s cProfile gave making the 1× roster.
_pinyin = functools.lru_cache(maxsize=200_000)(name_pinyin)


class _Draw:
    """``rng.choices(population, weights)[0]`` with the cumulative weights summed once: the same value from the
    same state of the generator (``Random.choices`` sums them on every call, then bisects ``random() * total``),
    a third of the time. Faker's weighted ``random_element`` (its zh_CN surnames: 399 weights) is the same call
    on Faker's own generator."""

    __slots__ = ("cum", "hi", "population", "total")

    def __init__(self, population: Sequence, weights: Sequence[float]):
        self.population, self.cum = tuple(population), list(accumulate(weights))
        self.total, self.hi = self.cum[-1] + 0.0, len(self.cum) - 1

    def __call__(self, rng: random.Random):
        return self.population[bisect(self.cum, rng.random() * self.total, 0, self.hi)]


@functools.cache
def _draw_of(pairs: tuple[tuple[str, int], ...]) -> _Draw:
    return _Draw([p[0] for p in pairs], [p[1] for p in pairs])


_PARTY_EDUCATION = _draw_of((("20", 6), ("14", 3), ("30", 1)))
_STUDENT_EDUCATION = _draw_of((("20", 5), ("30", 3), ("40", 2)))
_OCCUPATION = _draw_of((("employed", 80), ("unemployed", 5), ("farmer", 10), ("other", 5)))
_EDUCATION = _draw_of((("20", 5), ("30", 3), ("40", 1), ("60", 1), ("14", 1)))
_ETHNICITY = _draw_of(tuple(ETHNICITY_WEIGHTS))
_AGE = _Draw(range(14, 28), [3, 4, 5, 6, 6, 6, 6, 6, 6, 5, 5, 5, 4, 4])
_JOIN_AGE = _Draw([14, 15, 16, 17, 18, 20, 23], [30, 25, 20, 10, 8, 5, 2])
STUDENT, EMPLOYED = str(Occupation.STUDENT), str(Occupation.EMPLOYED)
JUNIOR_HIGH, HIGH_SCHOOL = str(Education.JUNIOR_HIGH), str(Education.HIGH_SCHOOL)
LEAGUE_MEMBER, PARTY_MEMBER = str(PoliticalStatus.LEAGUE_MEMBER), str(PoliticalStatus.PARTY_MEMBER)
PROBATIONARY = str(PoliticalStatus.PROBATIONARY_PARTY_MEMBER)


class PersonRow(NamedTuple):
    """A person of the demo roster as the generator draws it (the ID number and phone in clear): written by
    :func:`_write_people` as ``Person`` would be, without a model instance per person."""

    name: str
    name_pinyin: str
    name_initials: str
    id_number: str
    birth_date: datetime.date
    sex: str
    ethnicity: str
    political_status: str
    education: str
    phone: str
    occupation: str
    league_join_date: datetime.date
    league_number: str | None
    party_join_date: datetime.date | None
    branch_id: int
    org_path: str


# The columns _write_people writes: every concrete field of Person (insert_rows applies no defaults).
PERSON_COLUMNS = ("id", "name", "name_pinyin", "name_initials", "id_number", "id_hash", "id_tail", "birth_date",
                  "sex", "ethnicity", "political_status", "education", "phone", "phone_hash", "phone_tail",
                  "occupation", "league_join_date", "league_number", "party_join_date", "branch", "org_path",
                  "status", "created_at", "updated_at")  # fmt: skip


class _Builder:
    def __init__(self, scale: int, seed: int, today: datetime.date, progress: Callable[[str], None]):
        self.scale, self.today, self.progress = scale, today, progress
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.used_ids: set[str] = set()
        self.league_seq: dict[int, int] = defaultdict(int)
        self.code_seq = 0
        # Faker's zh_CN names, drawn as its first_name_male/female() and last_name() draw them from its generator
        # (seed_instance above): a given name by ``choice``, a surname by ``choices`` over the surnames' weights.
        names = self.fake.provider("faker.providers.person")
        self.fake_rng: random.Random = self.fake.random
        self.given_male, self.given_female = names.first_names_male, names.first_names_female
        self.surname = _Draw(names.last_names.keys(), names.last_names.values())
        self.latest_join = today - datetime.timedelta(days=30)
        self.three_years_ago = _add_years(today, -3)

    @functools.cache  # noqa: B019  (one builder per seed: a few dozen ages)
    def years_before(self, years: int) -> datetime.date:
        return _add_years(self.today, -years)

    def name(self, male: bool) -> str:
        """A name whose given name fits the sex: Faker's zh_CN ``name_male()`` draws the given name from the
        male and female lists together (its one format is ``{{last_name}}{{first_name}}``), so 周建国 came
        out 女. The sex is the ID number's (17th digit odd = male)."""
        given = self.fake_rng.choice(self.given_male if male else self.given_female)
        return self.surname(self.fake_rng) + given

    def code(self) -> str:
        self.code_seq += 1
        return f"{ROOT_DIVISION}{self.code_seq:06d}"

    def orgs(self, specs: list[dict]) -> list[Organization]:
        """Bulk-create organisations (their parents already exist) and set their paths."""
        objs = [
            Organization(
                path=f"~{self.code_seq}-{i}", depth=(s["parent"].depth + 1 if s.get("parent") else 0),
                division_code=ROOT_DIVISION, established=datetime.date(self.rng.randint(1990, 2022), 5, 4),
                code=self.code(), **s,
            )
            for i, s in enumerate(specs)
        ]  # fmt: skip
        Organization.objects.bulk_create(objs, batch_size=1000)
        for o in objs:
            o.path = (o.parent.path if o.parent else "") + path_step(o.pk)
            start = datetime.date(self.today.year - self.rng.randint(0, 1), self.rng.choice([3, 9]), 1)
            o.term_start = start
            o.term_end = start.replace(year=start.year + (3 if o.kind == OrgKind.PARTY_BRANCH else 2))
        Organization.objects.bulk_update(objs, ["path", "term_start", "term_end"], batch_size=1000)
        insert_objects(OrgStats, [OrgStats(organization=o) for o in objs], batch_size=1000)
        return objs

    def person(self, branch: Organization, *, party: bool = False) -> tuple[PersonRow, datetime.date]:
        rng = self.rng
        male = rng.random() < 0.48
        age = rng.randint(26, 55) if party else _AGE(rng)
        birth = self.years_before(age) - datetime.timedelta(days=rng.randint(30, 330))
        number = _id_number(rng, birth, male, self.used_ids)
        name = self.name(male)
        pinyin, initials = _pinyin(name)
        occupation: str
        education: str
        if party:
            occupation, education = EMPLOYED, _PARTY_EDUCATION(rng)
        elif age <= 18:
            occupation = STUDENT
            education = JUNIOR_HIGH if age <= 15 else HIGH_SCHOOL
        elif age <= 22 and rng.random() < 0.7:
            occupation, education = STUDENT, _STUDENT_EDUCATION(rng)
        else:
            occupation = _OCCUPATION(rng)
            education = _EDUCATION(rng)
        # Joined the League at 14 at the earliest (the rule since 2017), and not after today.
        earliest = _add_years(birth, 14) + datetime.timedelta(days=1)
        latest = min(self.latest_join, _add_years(birth, 27))
        # Most join at school, at 14 to 16; a few later (at university or work).
        join_age = _JOIN_AGE(rng)
        join = _add_years(birth, join_age) + datetime.timedelta(days=rng.randint(1, 300))
        join = max(earliest, min(join, latest))
        league_number = None
        if join.year >= 2017:
            self.league_seq[join.year] += 1
            league_number = f"{join.year}{ROOT_DIVISION}{self.league_seq[join.year]:06d}"
        party_join = None
        status = LEAGUE_MEMBER
        if party:
            status = PARTY_MEMBER if rng.random() < 0.9 else PROBATIONARY
            party_join = _add_years(birth, rng.randint(20, min(age, 25)))
        phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        sex = "1" if male else "2"
        person = PersonRow(name, pinyin, initials, number, birth, sex, _ETHNICITY(rng), status, education, phone,
                           occupation, join, league_number, party_join, branch.pk, branch.path)  # fmt: skip
        since = max(join, self.three_years_ago)  # not today.replace(): 29 February has no match
        return person, since


def _write_people(people: list[PersonRow]) -> list[int]:
    """Write the roster (COPY on PostgreSQL, ``core.bulkload.insert_rows``) as ``bulk_create`` of the
    ``Person`` instances would: the ID number and phone through their fields' own encryption
    (``get_db_prep_save``: the same Fernet token scheme), their hashes and tails by ``Person.set_lookup_fields``,
    the timestamps of the write. Returns the ids, in the order of ``people``."""
    ids = draw_ids(Person, len(people))
    db = connection
    id_number, phone = Person._meta.get_field("id_number"), Person._meta.get_field("phone")
    active = str(MembershipStatus.ACTIVE)
    now = timezone.now()
    lookup = SimpleNamespace()

    def rows():
        for pk, p in zip(ids, people, strict=True):
            lookup.id_number, lookup.phone = p.id_number, p.phone
            Person.set_lookup_fields(lookup)  # type: ignore[arg-type]  # the rule save() applies
            yield (pk, p.name, p.name_pinyin, p.name_initials, id_number.get_db_prep_save(p.id_number, db),
                   lookup.id_hash, lookup.id_tail, p.birth_date, p.sex, p.ethnicity, p.political_status,
                   p.education, phone.get_db_prep_save(p.phone, db), lookup.phone_hash, lookup.phone_tail,
                   p.occupation, p.league_join_date, p.league_number, p.party_join_date, p.branch_id, p.org_path,
                   active, now, now)  # fmt: skip

    insert_rows(Person, PERSON_COLUMNS, rows())
    return ids


def build_demo(scale: int = 1, seed: int = 2026, today: datetime.date | None = None,
               progress: Callable[[str], None] = lambda _m: None) -> DemoResult:  # fmt: skip
    """Create the demo district at ``scale`` (must run on an empty tree)."""
    if Organization.objects.exists():
        raise RuntimeError("the organisation tree is not empty")
    b = _Builder(scale, seed, today or timezone.localdate(), progress)
    rng = b.rng
    with transaction.atomic():
        (root,) = b.orgs([{"kind": OrgKind.LOCAL_COMMITTEE, "level": "county", "name": ROOT_NAME,
                           "short_name": "西山团区委", "category": OrgCategory.GOVERNMENT}])  # fmt: skip
        committees = b.orgs([_committee_spec(b, root, i) for i in range(COMMITTEES * scale)])
        working = b.orgs([
            {"parent": root, "kind": OrgKind.WORKING_COMMITTEE, "category": OrgCategory.COMMUNITY,
             "name": f"共青团昆明市西山区{SUBDISTRICTS[i % len(SUBDISTRICTS)]}街道工作委员会"
                     + (f"（{i // len(SUBDISTRICTS) + 1}）" if i >= len(SUBDISTRICTS) else ""),
             "short_name": f"{SUBDISTRICTS[i % len(SUBDISTRICTS)]}街道团工委"}
            for i in range(WORKING_COMMITTEES * scale)
        ])  # fmt: skip
        upper = committees + working
        generals = b.orgs([
            {"parent": (up := upper[i % len(upper)]), "kind": OrgKind.GENERAL_BRANCH, "category": up.category,
             "name": (label := f"{up.short_name}第{i // len(upper) + 1}团总支"), "short_name": label}
            for i in range(GENERAL_BRANCHES * scale)
        ])  # fmt: skip
        holders = generals * 5 + upper  # most branches sit in general branches, the rest directly
        branch_specs = []
        numbers: dict[int, int] = defaultdict(int)
        for _i in range(BRANCHES * scale):
            parent = holders[rng.randrange(len(holders))]
            numbers[parent.pk] += 1
            label = f"{parent.short_name}第{numbers[parent.pk]}团支部"
            branch_specs.append({"parent": parent, "kind": OrgKind.BRANCH, "category": parent.category,
                                 "name": label, "short_name": label})  # fmt: skip
        branches = b.orgs(branch_specs)
        (party_branch,) = b.orgs([
            {"parent": root, "kind": OrgKind.PARTY_BRANCH, "category": OrgCategory.GOVERNMENT,
             "name": "中共共青团昆明市西山区委员会机关支部委员会", "short_name": "团区委机关党支部", "paired_org": root}
        ])  # fmt: skip
        Organization.objects.filter(pk=root.pk).update(paired_org=party_branch)
        progress(f"organisations: {Organization.objects.count()}")

        sizes = _branch_sizes(rng, len(branches), LEAGUE_MEMBERS * scale)
        people: list[PersonRow] = []
        sinces: list[datetime.date] = []
        for branch, size in zip(branches, sizes, strict=True):
            for _ in range(size):
                member, since = b.person(branch)
                people.append(member)
                sinces.append(since)
        for _ in range(PARTY_MEMBERS):
            member, since = b.person(party_branch, party=True)
            people.append(member)
            sinces.append(since)
        # COPY on PostgreSQL (the ids drawn from the sequence first), not bulk_create's one parameter per value.
        ids = _write_people(people)
        progress(f"people: {len(people)}")
        insert_rows(
            Membership,
            ("person", "organization", "org_path", "start", "end", "start_reason", "end_reason"),
            ((pk, m.branch_id, m.org_path, s, None, "registered", "")
             for pk, m, s in zip(ids, people, sinces, strict=True)),
        )  # fmt: skip
        _cadres(b, root, upper, generals, branches, party_branch, people, ids)
        direct: dict[int, int] = defaultdict(int)
        for person in people:
            direct[person.branch_id] += 1
        rebuild_rollups(lambda: dict(direct))
    return DemoResult(organizations=Organization.objects.count(), people=len(people), root=root)


def _committee_spec(b: _Builder, root: Organization, i: int) -> dict:
    rng = b.rng
    kind = i % 4
    if kind == 0:
        n = i // 4
        school = f"昆明市西山区{SCHOOL_WORDS[n % len(SCHOOL_WORDS)]}"
        suffix = f"（{n // len(SCHOOL_WORDS) + 1}）" if n >= len(SCHOOL_WORDS) else ""
        return {"parent": root, "kind": OrgKind.COMMITTEE, "category": OrgCategory.SCHOOL,
                "name": f"共青团{school}{suffix}委员会", "short_name": f"{school}{suffix}团委"}  # fmt: skip
    if kind == 1:
        company = b.fake.company().replace("有限公司", "").replace("科技", "")[:10]
        return {"parent": root, "kind": OrgKind.COMMITTEE, "category": OrgCategory.ENTERPRISE,
                "name": f"共青团{company}有限公司委员会", "short_name": f"{company}团委"}  # fmt: skip
    if kind == 2:
        town = SUBDISTRICTS[rng.randrange(len(SUBDISTRICTS))]
        return {"parent": root, "kind": OrgKind.COMMITTEE, "category": OrgCategory.COMMUNITY,
                "name": f"共青团西山区{town}社区委员会（{i}）", "short_name": f"{town}社区团委{i}"}  # fmt: skip
    office = [
        "区教育体育局",
        "区卫生健康局",
        "区人民医院",
        "区市场监督管理局",
        "区交通运输局",
        "区文化和旅游局",
    ][i % 6]
    return {"parent": root, "kind": OrgKind.COMMITTEE, "category": OrgCategory.GOVERNMENT,
            "name": f"共青团西山{office}委员会（{i}）", "short_name": f"{office}团委{i}"}  # fmt: skip


def _cadres(b: _Builder, root, upper, generals, branches, party_branch, people: list[PersonRow],
            ids: list[int]) -> None:  # fmt: skip
    """A secretary for every organisation (and a deputy for committees), drawn from its members."""
    by_branch: dict[int, list[int]] = defaultdict(list)
    for pk, p in zip(ids, people, strict=True):
        by_branch[p.branch_id].append(pk)
    first_branch: dict[int, int] = {}
    for br in branches:
        for ancestor_path_len in range(8, len(br.path), 8):
            first_branch.setdefault(int(br.path[ancestor_path_len - 8 : ancestor_path_len]), br.pk)
    start = b.today.replace(year=b.today.year - 1, month=9, day=1)
    rows = []
    for br in branches:
        members = by_branch[br.pk]
        rows.append(CadrePosition(person_id=members[0], organization=br, org_path=br.path, title=CadreTitle.SECRETARY,
                                  start=start))  # fmt: skip
        if len(members) >= 7:
            rows.append(CadrePosition(person_id=members[1], organization=br, org_path=br.path,
                                      title=CadreTitle.ORGANISATION, start=start))  # fmt: skip
    for org in [root, *upper, *generals]:
        branch_id = first_branch.get(org.pk)
        if branch_id is None:
            continue
        members = by_branch[branch_id]
        rows.append(CadrePosition(person_id=members[-1], organization=org, org_path=org.path,
                                  title=CadreTitle.SECRETARY, start=start))  # fmt: skip
        if org.kind in (OrgKind.COMMITTEE, OrgKind.LOCAL_COMMITTEE) and len(members) > 2:
            rows.append(CadrePosition(person_id=members[-2], organization=org, org_path=org.path,
                                      title=CadreTitle.DEPUTY_SECRETARY, start=start))  # fmt: skip
    party = by_branch[party_branch.pk]
    rows.append(CadrePosition(person_id=party[0], organization=party_branch, org_path=party_branch.path,
                              title=CadreTitle.SECRETARY, start=start))  # fmt: skip
    insert_objects(CadrePosition, rows, batch_size=2000)


# --- for the feature apps' demo steps ---------------------------------------------------------------------


def draw_ids(model: type[models.Model], count: int) -> list[int]:
    """Ids for ``count`` new rows of ``model``, in order, for a step that writes them as tuples
    (``core.bulkload.insert_rows``) and refers to them: drawn from the table's sequence on PostgreSQL (as
    ``insert_objects(..., ids=True)`` draws them), the next ones after the highest elsewhere (SQLite takes an
    explicit id and moves its counter past it)."""
    if not count:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [model._meta.db_table, count])  # fmt: skip
            return sorted(v for (v,) in cursor.fetchall())
    highest = model._default_manager.order_by("-id").values_list("id", flat=True).first() or 0
    return list(range(highest + 1, highest + 1 + count))


# --- the seed_demo step (registered in PeopleConfig.ready(); core.registry.DemoStep) ---------------------------


def already_seeded() -> str:
    if Organization.objects.exists():
        return _("The database already holds organisations; seed_demo only fills an empty one.")
    return ""


def seed(run: DemoRun) -> DemoResult:
    started = time.monotonic()
    result = build_demo(scale=run.scale, seed=run.seed, progress=run.progress)
    result.seconds = time.monotonic() - started
    return result


def summary(result: DemoResult) -> str:
    return _("Demo district seeded: %(orgs)d organisations, %(people)d people in %(s).1f s.") % {
        "orgs": result.organizations,
        "people": result.people,
        "s": result.seconds,
    }
