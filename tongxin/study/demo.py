"""The study part of the demo district: the seed_demo step registered in ``StudyConfig.ready()`` (after the
demo accounts and organisational life).

A season of 青年大学习 owned by the district (league members of the whole district), a bank of questions in
two categories and ten weekly periods: nine closed, the tenth open now. Participation is realistic and uneven:
most branches take part nearly in full, some lag, a few seldom join, and each member has his own habit, so the
drill-down tells that story worst first. The demo member has done some past periods and not the open one (the
browser test and a visitor take it).

Everything is written through the services: the campaign, bank and periods by the district admin (the members
of every subtree counted by ``create_period``), the participations by ``record_participations`` (the bulk form
of a submission: the audience and the window checked, one per person, the roll-up rows added per branch).

Study notes (微心得): a handful shared after the periods in the demo secretary's branch, the demo member's and a
few others over the last three months, through ``post_note`` as the members wrote them then; the branch's
secretary (or the committee above) features some, one is hidden with its reason, and members comment. Nobody is
asked for a note: most members have none.

Data (titles, questions, notes) is Chinese by nature: it is sample content, not UI text.
"""

from __future__ import annotations

import datetime
import random
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.demo import demo_actors
from tongxin.core.bulkload import insert_rows
from tongxin.core.registry import DemoRun
from tongxin.orgs.models import Organization, OrgKind
from tongxin.people.models import MembershipStatus, Person
from tongxin.study import services
from tongxin.study.models import QuestionKind, Source, StudyCampaign

PERIODS = 10
# (share of branches, chance a member of such a branch takes part in a period)
HABITS = ((0.65, 0.95), (0.25, 0.78), (0.10, 0.40))
TITLES = [
    "青春心向党，建功新时代", "学习贯彻团的代表大会精神", "弘扬五四精神，争做时代新人", "走好新时代青年的长征路",
    "乡村振兴，青年在行动", "科技自立自强与青年担当", "绿水青山就是金山银山", "法治中国，青年有责",
    "中华优秀传统文化的时代价值", "奋进新征程，青春勇担当",
]  # fmt: skip
QUESTIONS = [
    (QuestionKind.SINGLE, "中国共产主义青年团成立于哪一年？", ["1919年", "1921年", "1922年", "1949年"], [2],
     "1922年5月，中国社会主义青年团第一次全国代表大会召开，标志着团的正式成立。", "团史"),
    (QuestionKind.SINGLE, "共青团员的入团年龄为？", ["12至28周岁", "14至28周岁", "14至35周岁", "16至28周岁"], [1],
     "团章规定：年龄在十四周岁以上，二十八周岁以下的中国青年可以申请入团。", "团章"),
    (QuestionKind.TRUE_FALSE, "团员年满28周岁，没有在团内担任职务，应办理离团手续。", [], [0],
     "团章规定，团员年满二十八周岁，没有在团内担任职务，不再保留团籍。", "团章"),
    (QuestionKind.MULTIPLE, "“三会两制一课”中的“三会”包括哪些？",
     ["支部团员大会", "团支部委员会", "团小组会", "团代会"], [0, 1, 2],
     "“三会”指支部团员大会、团支部委员会和团小组会。", "团章"),
    (QuestionKind.SINGLE, "五四运动发生在哪一年？", ["1911年", "1915年", "1919年", "1921年"], [2],
     "1919年5月4日，五四运动爆发。", "团史"),
    (QuestionKind.TRUE_FALSE, "团的基层组织包括团的基层委员会、总支部委员会和支部委员会。", [], [0],
     "团章第五章对团的基层组织作了规定。", "团章"),
    (QuestionKind.MULTIPLE, "新时代青年应当具备哪些品质？", ["有理想", "敢担当", "能吃苦", "肯奋斗"], [0, 1, 2, 3],
     "新时代的中国青年要做有理想、敢担当、能吃苦、肯奋斗的新时代好青年。", "时事"),
    (QuestionKind.SINGLE, "团旗旗面为？", ["红色", "黄色", "蓝色", "白色"], [0],
     "团旗旗面为红色，左上角为黄色圆圈内嵌黄色五角星。", "团章"),
]  # fmt: skip


NOTES = [
    "学习了这一期关于五四精神的内容，印象最深的是“青年兴则国家兴”。作为社区网格员，我想把这份热情用在每天入户走访上。",
    "这期讲乡村振兴，视频里返乡创业的青年让我很受触动。\n我们村的电商直播还刚起步，下个月想和团支部一起办一次培训。",
    "答题时有两道团章的题答错了，回头又把团章第五章读了一遍，基层组织的设置原来这么细。",
    "“绿水青山就是金山银山”这句话以前只是听过，这次结合西山区滇池保护的例子，理解更具体了。",
    "科技自立自强这一期讲得很实在。我在车间做质检，能做的就是把每一个数据测准、记准。",
    "学习法治中国专题后，和同事讨论了劳动合同里的几个条款，大家都说以后签字前要先看清楚。",
    "中华优秀传统文化这一期，讲到家风家训，想起爷爷常说的“勤俭持家”，准备和家里小朋友一起抄写家训。",
    "这期内容不长，但讲到“奋斗”两个字时很有感触。刚参加工作半年，希望自己少抱怨、多做事。",
    "和支部几位团员一起看的视频，看完聊了半小时，发现每个人关注的点都不一样，这种交流挺好的。",
    "学习贯彻团代会精神，记住了“为党育人”这四个字。当团小组长后，更要带头把组织生活过好。",
    "视频里老党员讲长征路上的故事，听完很安静地坐了一会儿。今天的条件来之不易。",
    "这一期讲青年志愿服务，想起上个月参加的河道清洁活动，准备把照片整理出来和大家分享。",
]  # fmt: skip
COMMENTS = ["说得好，很有同感！", "下次培训算我一个。", "写得很实在，学习了。",
            "我们班组也讨论过这个问题，可以交流一下。"]  # fmt: skip
HIDE_REASON = "与本期学习内容关系不大，已暂时隐藏，欢迎修改后重新分享。"


@dataclass
class StudyResult:
    periods: int
    participations: int
    seconds: float
    notes: int = 0


@transaction.atomic
def seed(run: DemoRun) -> StudyResult:
    started = time.monotonic()
    actors = demo_actors()
    rng = random.Random(run.seed + 340)
    people_result = run.results.get("people")
    root = people_result.root if people_result else Organization.objects.filter(parent__isnull=True).order_by("pk")[0]
    admin = actors.district
    campaign = services.create_campaign(admin, organization=root, title="青年大学习 2026 秋季", tiers_enabled=True)
    bank = [
        services.add_question(admin, campaign, kind=kind, text=text, options=options, answer=answer,
                              explanation=explanation, category=category)
        for kind, text, options, answer, explanation, category in QUESTIONS
    ]  # fmt: skip
    # Weekly, Monday 08:00 to Sunday 22:00; the tenth opened at the start of this week.
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    tz = timezone.get_current_timezone()
    periods = []
    for number in range(1, PERIODS + 1):
        start_day = monday - datetime.timedelta(weeks=PERIODS - number)
        opens = datetime.datetime.combine(start_day, datetime.time(8), tzinfo=tz)
        closes = datetime.datetime.combine(start_day + datetime.timedelta(days=6), datetime.time(22), tzinfo=tz)
        if number == PERIODS and closes <= timezone.now():
            closes = timezone.now() + datetime.timedelta(days=2)
        if number == PERIODS and opens > timezone.now():
            opens = timezone.now() - datetime.timedelta(hours=1)
        chosen = sorted(rng.sample(bank, 5), key=lambda q: q.pk)
        periods.append(services.create_period(
            admin, campaign, number=number, title=TITLES[number - 1], opens_at=opens,
            closes_at=closes, questions=chosen, max_attempts=3,
        ))  # fmt: skip
    # The audience as tuples (services.Member), not model instances: a million rows at 10×.
    people = [
        services.Member(*row)
        for row in services.audience_people(campaign).order_by("pk").values_list(*services.MEMBER_FIELDS)
    ]
    branch_chance: dict[int | None, float] = {}
    for person in people:
        if person.branch_id not in branch_chance:
            branch_chance[person.branch_id] = rng.choices([h[1] for h in HABITS], weights=[h[0] for h in HABITS])[0]
    habits = [min(1.0, branch_chance[p.branch_id] * rng.uniform(0.85, 1.1)) for p in people]
    member_pk = actors.member.person_id
    total = 0
    now = timezone.now()
    scores = (60, 80, 80, 100, 100)
    for period in periods:
        is_open = period.closes_at > now
        span = (min(period.closes_at, now) - period.opens_at).total_seconds()
        # The draws of each member in turn, as ever: random() for whether he took part, then random() for the time
        # (uniform(0, b) is b * random()) and choice() for the score; the same stream for the same --seed.
        late, opens_at, draw, choice = span * 0.95, period.opens_at, rng.random, rng.choice
        factor = 0.35 if is_open else 1.0  # the open week has only begun
        entries: list[tuple[services.Member, int | None, datetime.datetime]] = []
        for person, habit in zip(people, habits, strict=True):
            chance = habit * factor
            if person.pk == member_pk:
                chance = 0.0 if is_open else 0.8
            if draw() < chance:
                at = opens_at + datetime.timedelta(seconds=draw() * late)
                entries.append((person, choice(scores), at))
        total += services.record_participations(
            admin, period, entries, source=Source.QUIZ, insert=insert_rows, offer_points=False
        )
    notes = _seed_notes(actors, rng)
    return StudyResult(len(periods), total, time.monotonic() - started, notes)


def _seed_notes(actors, rng: random.Random) -> int:
    """A handful of notes in the demo branches and three others, over the last three months, some featured, one
    hidden, a few commented on; written through the services, as the members and secretaries would have."""
    member_branch = actors.member.person.branch if actors.member.person_id else None
    branch_ids = [b.pk for b in (actors.branch, member_branch) if b is not None]
    # The first 200 other branches with an active member. Not one join of the branches and the roster: inside the
    # seed's transaction the roster has no statistics yet and PostgreSQL probed the whole status index once per
    # branch (104 s at 10×, growing with branches × people); instead one pass over the roster's branches.
    with_members = set(
        Person.objects.filter(status=MembershipStatus.ACTIVE, branch__isnull=False)
        .values_list("branch_id", flat=True)
        .distinct()
        .order_by()
    )
    branches = Organization.objects.filter(kind=OrgKind.BRANCH).exclude(pk__in=branch_ids).order_by("pk")
    others = [pk for pk in branches.values_list("pk", flat=True) if pk in with_members][:200]
    branch_ids += rng.sample(others, min(3, len(others)))
    today = timezone.localdate()
    months = [today.replace(day=1)]
    for _n in range(2):
        months.append((months[-1] - datetime.timedelta(days=1)).replace(day=1))
    tz = timezone.get_current_timezone()
    texts = list(NOTES)
    rng.shuffle(texts)
    made = 0
    for index, branch in enumerate(Organization.objects.filter(pk__in=list(dict.fromkeys(branch_ids))).order_by("pk")):
        members = list(
            Person.objects.filter(branch=branch, status=MembershipStatus.ACTIVE)
            .exclude(pk__in=actors.people - {actors.member.person_id})
            .order_by("pk")[:40]
        )
        if len(members) < 2:
            continue
        moderator = actors.for_path(branch.path)
        notes = []
        for n in range(3 if index == 2 else rng.randint(2, 4)):  # the third branch hides one of its three
            author = members[(n * 7 + index) % len(members)]
            if actors.member.person_id and branch.pk == branch_ids[1] and n == 0:
                author = actors.member.person  # the demo member shared one himself
            month = months[n % len(months)]
            last_day = today if month == months[0] else (month + datetime.timedelta(days=31)).replace(day=1)
            day = month + datetime.timedelta(days=rng.randrange(max((last_day - month).days, 1)))
            at = datetime.datetime.combine(day, datetime.time(rng.randint(19, 22), rng.randint(0, 59)), tzinfo=tz)
            at = min(at, timezone.now() - datetime.timedelta(minutes=5))
            notes.append(services.post_note(None, text=texts[made % len(texts)], author=author, at=at))
            made += 1
        featured = notes[0]
        if featured.author_id != moderator.person_id:
            services.feature_note(moderator, featured)
        for comment_no, note in enumerate(notes[:2]):
            reader = next((m for m in members if m.pk != note.author_id), None)
            if reader is not None:
                when = note.created_at + datetime.timedelta(hours=rng.randint(1, 20))
                services.comment_on_note(None, note, text=COMMENTS[(made + comment_no) % len(COMMENTS)],
                                         author=reader, at=min(when, timezone.now()))  # fmt: skip
        if index == 2 and len(notes) > 2 and notes[-1].author_id != moderator.person_id:
            services.hide_note(moderator, notes[-1], reason=HIDE_REASON)
    return made


def summary(result: StudyResult) -> str:
    return _("Study data created: %(periods)d periods, %(participations)d participations, in %(s).1f s.") % {
        "periods": result.periods,
        "participations": result.participations,
        "s": result.seconds,
    }


def already_seeded() -> str:
    return "study campaigns exist" if StudyCampaign.objects.exists() else ""
