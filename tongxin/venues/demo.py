"""The demo district's positions (阵地): the seed_demo step registered in ``VenuesConfig.ready()`` (order 360,
after the demo accounts and organisational life).

What the model committee built: the 党群服务中心 and a 红色教育基地 shared with the party, eleven 青年之家 in
shops, bookstores, a guesthouse and a museum, a 新兴青年逐梦空间 and two 团代表工作室. A year of bookings (the
last nine months and the next three): the monthly youth salon at the bookstore's youth home, which skips the
Spring Festival closure; a weekly reading club; the committees' and branches' theme days, lessons and
volunteer training. Every record goes through the services (``create_venue``, ``add_closure``, ``book``,
``book_series``), by the demo account whose scope the booking organisation lies in, so the bookings obey
every rule (no overlap, opening hours, capacity, closures). Deterministic for a given seed; about a second.

Across the district (the bulk, ``seed_street_homes``): each street working committee (团工委) runs a youth home of
its own, and the branches and general branches under it book it a few times in the year. Those grow with the
district (``--scale``); the youth homes are made through ``create_venue``, the bookings in bulk after ``book``'s
checks (see the function).

Data (names, addresses, purposes) is Chinese by nature: it is sample content, not UI text.
"""

from __future__ import annotations

import datetime
import random
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.demo import DemoActors, demo_actors
from tongxin.core.audit import change_entry, snapshot
from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.core.registry import DemoRun, link_choices
from tongxin.orgs.models import Organization, OrgKind, OrgStatus
from tongxin.people.models import MembershipStatus, Person
from tongxin.venues import services
from tongxin.venues.models import Booking, BookingStatus, Venue

DISTRICT = "530112"
# (name, kind, partner, address, street code suffix, opens, closes, open days, capacity, facilities)
VENUES = [
    ("西山区党群服务中心", "service_centre", "", "西山区前卫西路158号",
     "001", 9, 18, "12345", 120, "多功能厅、投影、音响"),
    ("西山区红色教育基地", "red_base", "西山区革命历史纪念馆", "西山区碧鸡街道龙门村",
     "010", 9, 17, "234567", 80, "展厅、讲解员"),
    ("书香青年之家", "youth_home", "新华书店前卫店", "西山区前卫街道书林街12号",
     "002", 9, 21, "1234567", 40, "阅读区、投影仪、桌椅"),
    ("咖啡青年之家", "youth_home", "滇池路拾光咖啡", "西山区滇池路588号",
     "003", 10, 22, "1234567", 25, "吧台、桌椅、音响"),
    ("驿站青年之家", "youth_home", "海埂青年旅舍", "西山区海埂路66号",
     "004", 9, 22, "1234567", 30, "会客厅、厨房"),
    ("博物馆青年之家", "youth_home", "云南民族博物馆", "西山区滇池路1503号",
     "005", 9, 17, "234567", 50, "报告厅、展厅"),
    ("社区青年之家（马街）", "youth_home", "马街社区服务站", "西山区马街街道振兴路8号",
     "006", 9, 18, "123456", 35, "活动室"),
    ("社区青年之家（金碧）", "youth_home", "金碧社区服务站", "西山区金碧街道南强街20号",
     "007", 9, 18, "123456", 30, "活动室、乒乓球台"),
    ("文创青年之家", "youth_home", "西山文创园", "西山区福海街道文创园3栋",
     "008", 10, 21, "1234567", 45, "路演厅、工位"),
    ("电竞青年之家", "youth_home", "西山电竞馆", "西山区永昌街道广福路300号",
     "009", 12, 22, "1234567", 20, "电脑、直播设备"),
    ("图书馆青年之家", "youth_home", "西山区图书馆", "西山区西苑街道图书馆2楼",
     "011", 9, 20, "234567", 60, "阅览室、研讨间"),
    ("高校青年之家", "youth_home", "昆明学院西山校区", "西山区海口街道学府路2号",
     "012", 8, 21, "1234567", 80, "报告厅、录播室"),
    ("园区青年之家", "youth_home", "西山科技园", "西山区碧鸡街道科创路1号",
     "010", 9, 18, "12345", 50, "会议室、茶水间"),
    ("新兴青年逐梦空间", "dream_space", "西山区新兴领域党群服务中心", "西山区前卫西路200号",
     "001", 10, 21, "1234567", 60, "直播间、路演区、共享办公"),
    ("团代表工作室（前卫）", "deputy_studio", "", "西山区前卫街道办事处1楼",
     "001", 9, 17, "12345", 15, "接待室"),
    ("团代表工作室（碧鸡）", "deputy_studio", "", "西山区碧鸡街道办事处2楼",
     "010", 9, 17, "12345", 15, "接待室"),
]  # fmt: skip
SALON_VENUE = "书香青年之家"
READING_VENUE = "图书馆青年之家"
PURPOSES = ["主题团日活动", "团课", "志愿服务培训", "青年大学习交流会", "团支部委员会", "青年读书分享会",
            "就业创业沙龙", "普法宣传讲座", "心理健康讲座", "非遗手工体验"]  # fmt: skip
PAST_MONTHS, AHEAD_MONTHS = 9, 3
STREET_BOOKINGS = 2  # bookings of its street's youth home by each organisation under a working committee
STREET_HOURS = (9, 14, 19)  # the slots of a street youth home's day (two hours each; it opens 9:00–21:00)


@dataclass
class VenuesResult:
    venues: int
    bookings: int
    skipped: int
    seconds: float


def already_seeded() -> str:
    return _("The database already holds venues.") if Venue.objects.exists() else ""


def _spring_festival(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The closure around the Spring Festival inside the seeded year (late January or early February)."""
    first = today - datetime.timedelta(days=30 * PAST_MONTHS)
    year = first.year if datetime.date(first.year, 2, 10) >= first else first.year + 1
    return datetime.date(year, 2, 8), datetime.date(year, 2, 14)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def seed(run: DemoRun) -> VenuesResult:
    started = time.monotonic()
    actors = demo_actors()
    rng = random.Random(run.seed + 360)
    today = timezone.localdate()
    root = Organization.objects.filter(parent=None, status=OrgStatus.ACTIVE).order_by("path").first()
    if root is None:
        return VenuesResult(0, 0, 0, 0.0)
    committee = Organization.objects.get(path=actors.committee_path)
    with transaction.atomic():
        venues = {}
        for i, (name, kind, partner, address, street, opens, closes, days, capacity, facilities) in enumerate(VENUES):
            host = committee if kind == "youth_home" and i % 4 == 0 else root
            venues[name] = services.create_venue(
                actors.for_path(host.path), host=host, name=name, kind=kind, partner=partner, address=address,
                division_code=f"{DISTRICT}{street}", opens_at=datetime.time(opens), closes_at=datetime.time(closes),
                open_days=days, capacity=capacity, facilities=facilities,
            )  # fmt: skip
        salon = venues[SALON_VENUE]
        closed_from, closed_until = _spring_festival(today)
        services.add_closure(actors.district, salon, starts_on=closed_from, ends_on=closed_until, reason="春节闭馆")
        first = today - datetime.timedelta(days=30 * PAST_MONTHS)
        # The monthly youth salon (every month on the 10th, 19:00–21:00), by the district committee: skips the
        # Spring Festival closure, booked in one series.
        salon_day = first.replace(day=10) if first.day <= 10 else (first.replace(day=28) + datetime.timedelta(days=4))
        salon_day = salon_day.replace(day=10)  # the 10th of February falls on the closure: the series skips it
        services.book_series(actors.district, venue=salon, organization=root, starts_at=_at(salon_day, 19),
                             ends_at=_at(salon_day, 21), frequency="monthly",
                             until=today + datetime.timedelta(days=30 * AHEAD_MONTHS), purpose="西山青年沙龙",
                             expected_attendance=35, skip_problems=True)  # fmt: skip
        # A weekly reading club of the demo committee at the library's youth home (Saturdays 14:00–16:00).
        saturday = first + datetime.timedelta(days=(5 - first.weekday()) % 7)
        services.book_series(actors.committee, venue=venues[READING_VENUE], organization=committee,
                             starts_at=_at(saturday, 14), ends_at=_at(saturday, 16), frequency="weekly",
                             until=today + datetime.timedelta(days=30 * AHEAD_MONTHS), purpose="青年读书会",
                             expected_attendance=25, skip_problems=True)  # fmt: skip
        # Single bookings by organisations across the district: theme days, lessons, trainings.
        branches = list(Organization.objects.filter(kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE).order_by("path")[:60])
        bookers = [actors.branch, committee, *branches]
        usable = [v for v in venues.values() if v.kind != "deputy_studio"]
        span = (today + datetime.timedelta(days=30 * AHEAD_MONTHS) - first).days
        for _n in range(160):
            org = rng.choice(bookers)
            venue = rng.choice(usable)
            day = first + datetime.timedelta(days=rng.randrange(span))
            if str(day.isoweekday()) not in venue.open_days:
                continue
            start = rng.randint(venue.opens_at.hour, venue.closes_at.hour - 2)
            try:
                services.book(actors.for_path(org.path), venue=venue, organization=org, starts_at=_at(day, start),
                              ends_at=_at(day, start + 2), purpose=rng.choice(PURPOSES),
                              expected_attendance=rng.randint(8, min(venue.capacity, 40)))  # fmt: skip
            except DomainError:  # taken, or closed that day: someone else got it, as in life
                continue
        # Reception days at the deputies' studios (a Tuesday, then monthly on that date; a date falling on a
        # weekend, when the studios close, is skipped), by the district committee.
        for studio in (v for v in venues.values() if v.kind == "deputy_studio"):
            tuesday = first + datetime.timedelta(days=(1 - first.weekday()) % 7)
            services.book_series(actors.district, venue=studio, organization=root, starts_at=_at(tuesday, 9),
                                 ends_at=_at(tuesday, 12), frequency="monthly",
                                 until=today + datetime.timedelta(days=30 * AHEAD_MONTHS), purpose="团代表接待日",
                                 expected_attendance=10, skip_problems=True)  # fmt: skip
        linked = seed_activity_bookings(actors, venues, today)
        honours = seed_honours(rng, actors, root, committee, today)
        homes = seed_street_homes(run, actors, today)
    bookings = Booking.objects.filter(status=BookingStatus.CONFIRMED).count()
    skipped = Booking.objects.filter(status=BookingStatus.SKIPPED).count()
    run.progress(f"venues: {len(venues)}, bookings: {bookings} ({skipped} dates skipped, {linked} for activities), "
                 f"honours: {honours}")  # fmt: skip
    return VenuesResult(len(venues) + homes, bookings, skipped, time.monotonic() - started)


def seed_street_homes(run: DemoRun, actors: DemoActors, today: datetime.date) -> int:
    """A youth home of each active working committee (through ``create_venue``, by the account whose scope holds
    the committee), booked ``STREET_BOOKINGS`` times in the year (the last nine months and the next three) by
    each active branch and general branch under that committee: written in bulk after ``book``'s checks (the
    booker's scope and an active organisation, ``_check_times``: the planning window, the length, the venue open
    that weekday and in its hours, the capacity; a purpose). No booking overlaps another nor falls on a closure:
    each takes a slot of its home's grid (days × ``STREET_HOURS``) no other has taken, and the new homes have no
    closures, which is ``_problem``'s check. Each booking leaves ``book``'s ChangeLog rows (at the booking
    organisation and the venue's host). The bookings' tallies are left to the "tallies" demo step (order 990,
    after this one), which rebuilds every tally from the records, the venues' source among them. Returns the
    homes made."""
    rng = random.Random(run.seed + 361)
    first = today - datetime.timedelta(days=30 * PAST_MONTHS)
    days = [first + datetime.timedelta(days=n) for n in range(30 * (PAST_MONTHS + AHEAD_MONTHS))]
    grid = [(day, hour) for day in days for hour in STREET_HOURS]
    streets = list(Organization.objects.filter(kind=OrgKind.WORKING_COMMITTEE, status=OrgStatus.ACTIVE)
                   .order_by("path"))  # fmt: skip
    below = list(Organization.objects.filter(kind__in=[OrgKind.BRANCH, OrgKind.GENERAL_BRANCH], status=OrgStatus.ACTIVE)
                 .order_by("path"))  # fmt: skip
    bookings: list[Booking] = []
    for n, street in enumerate(streets):
        actor = actors.for_path(street.path)
        home = services.create_venue(
            actor, host=street, name=f"{street.short_name}青年之家"[:100], kind="youth_home",
            partner=f"{street.short_name}社区服务站"[:100],
            address=f"西山区{street.short_name}服务站{n % 50 + 1}号"[:200],
            division_code=f"{DISTRICT}{n % 900 + 100:03d}", opens_at=datetime.time(9), closes_at=datetime.time(21),
            open_days="1234567", capacity=40, facilities="活动室、投影",
        )  # fmt: skip
        orgs = [o for o in below if o.path.startswith(street.path)]
        slots = rng.sample(grid, min(len(grid), STREET_BOOKINGS * len(orgs)))
        for index, (day, hour) in enumerate(slots):
            org = orgs[index % len(orgs)]
            booker = actors.for_path(org.path)
            services._booker(booker, org)
            starts_at, ends_at = _at(day, hour), _at(day, hour + 2)
            attendance = rng.randint(8, home.capacity)
            services._check_times(home, starts_at, ends_at, attendance)
            bookings.append(Booking(
                venue=home, venue_path=home.org_path, organization=org, org_path=org.path, starts_at=starts_at,
                ends_at=ends_at, purpose=services._purpose(rng.choice(PURPOSES)), expected_attendance=attendance,
                status=BookingStatus.CONFIRMED, created_by=booker,
            ))  # fmt: skip
    Booking.objects.bulk_create(bookings, batch_size=1000)
    ChangeLog.objects.bulk_create(
        [e for b in bookings for path in dict.fromkeys((b.org_path, b.venue_path))
         if (e := change_entry(b.created_by, b, ChangeLog.Action.CREATE, after=snapshot(b), org_path=path))],
        batch_size=1000,
    )  # fmt: skip
    run.progress(f"street youth homes: {len(streets)}, their bookings: {len(bookings)}")
    return len(streets)


def seed_activity_bookings(actors: DemoActors, venues: dict[str, Venue], today: datetime.date) -> int:
    """The demo committee's coming activities held at its youth homes: each booked at the activity's time in the
    first youth home free then, naming the activity (read through core's "activity" link kind: the activities
    app's demo step ran before, order 350). Returns how many were booked."""
    committee = Organization.objects.get(path=actors.committee_path)
    homes = [v for v in venues.values() if v.kind == "youth_home"]
    booked = 0
    for activity in link_choices("activity", actors.committee)[:12]:
        if activity.starts_at is None or timezone.localdate(activity.starts_at) < today:
            continue
        for venue in homes:
            try:
                services.book(actors.committee, venue=venue, organization=committee, starts_at=activity.starts_at,
                              ends_at=activity.ends_at, purpose=activity.title[:200], expected_attendance=15,
                              activity=activity.pk)  # fmt: skip
            except DomainError:  # closed, taken, or outside its hours then: the next home
                continue
            booked += 1
            break
    return booked


# The brands of the model committee's organisations (kind, how many, levels to draw from) and the committee's
# own honours; a 青年文明号 under review and one revoked show the review.
BRANDS = [("youth_civilisation", 22, ("district", "municipal", "provincial")), ("rights_post", 3, ("district",)),
          ("shock_team", 12, ("district", "municipal"))]  # fmt: skip
BODIES = {"district": "共青团昆明市西山区委员会", "municipal": "共青团昆明市委员会", "provincial": "共青团云南省委员会",
          "national": "共青团中央"}  # fmt: skip


def seed_honours(
    rng: random.Random, actors: DemoActors, root: Organization, committee: Organization, today: datetime.date
) -> int:
    """Brands across the district's organisations, the district committee's own honours (五四红旗团委…), and a few
    members' honours (offered to the points hook), through ``award_honour``; one brand under review, one revoked."""
    orgs = list(Organization.objects.filter(status=OrgStatus.ACTIVE, kind__in=[OrgKind.BRANCH, OrgKind.COMMITTEE])
                .order_by("path")[:200])  # fmt: skip
    count = 0
    brands = []
    for kind, n, levels in BRANDS:
        for org in rng.sample(orgs, min(n, len(orgs))):
            level = rng.choice(levels)
            brands.append(services.award_honour(
                actors.for_path(org.path), organization=org, kind=kind, level=level,
                year=rng.randint(today.year - 6, today.year), awarding_body=BODIES[level],
                valid_until=datetime.date(today.year + 2, 12, 31) if kind == "youth_civilisation" else None,
            ))  # fmt: skip
            count += 1
    for year in range(today.year - 10, today.year + 1, 2):  # the committee's own: 五四红旗团委 and more
        for level in ("municipal", "provincial"):
            services.award_honour(actors.district, organization=root, kind="red_flag_committee", level=level,
                                  year=year, awarding_body=BODIES[level])  # fmt: skip
            count += 1
    members = list(Person.objects.filter(org_path__startswith=actors.branch.path, status=MembershipStatus.ACTIVE)
                   .order_by("id")[:6])  # fmt: skip
    for person in members:
        if person.pk in actors.people:
            continue
        services.award_honour(actors.secretary, person=person, kind="outstanding_member", level="district",
                              year=today.year - 1, awarding_body=BODIES["district"])  # fmt: skip
        count += 1
    civilisation = [b for b in brands if b.kind == "youth_civilisation"]
    if len(civilisation) >= 2:
        services.review_honour(actors.district, civilisation[0])
        services.revoke_honour(actors.district, civilisation[1], reason="复核未通过：服务质量下降")
    return count


def summary(result: VenuesResult) -> str:
    return _("Positions seeded: %(venues)d venues, %(bookings)d bookings in %(s).1f s.") % {
        "venues": result.venues,
        "bookings": result.bookings,
        "s": result.seconds,
    }
