"""The default rule sets (DOMAIN.md, "Points"): one for party members, one for league members, valid from
2000-01. Installed as rows by the data migration (and again by tests and the demo after a flush); from then
on the rows are the rules and each committee edits them (a new version, or an own set for its subtree)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

FROM = datetime.date(2000, 1, 1)

# key, name, points, source, claimant, evidence required, cap per month, cap per year
ITEMS: dict[str, list[tuple[str, str, str, str, str, bool, str | None, str | None]]] = {
    "party": [
        ("meeting", "参加组织生活", "1", "orglife.attended", "system", False, "4", None),
        ("absence", "无故缺席组织生活", "-2", "orglife.absent_unexcused", "system", False, None, None),
        ("study", "完成学习任务", "1", "study.period_done", "system", False, "4", None),
        ("volunteer", "志愿服务（每小时）", "0.5", "activities.volunteer_hours", "system", False, "5", None),
        ("activity", "参加主题活动", "1", "activities.participation", "system", False, "4", None),
        ("wish", "认领并完成微心愿", "2", "activities.wish_fulfilled", "system", False, "4", None),
        ("honour", "获得荣誉表彰", "5", "venues.honour", "system", False, None, "20"),
        ("pioneer", "岗位建功、发挥先锋模范作用", "2", "claim", "member", True, "4", None),
        ("masses", "联系服务群众", "1", "claim", "member", True, "3", None),
        ("duty", "履行党员岗位职责", "2", "claim", "secretary", False, "2", None),
    ],
    "league": [
        ("meeting", "参加团组织生活", "1", "orglife.attended", "system", False, "4", None),
        ("absence", "无故缺席团组织生活", "-2", "orglife.absent_unexcused", "system", False, None, None),
        ("study", "完成青年大学习", "1", "study.period_done", "system", False, "4", None),
        ("volunteer", "志愿服务（每小时）", "0.5", "activities.volunteer_hours", "system", False, "5", None),
        ("activity", "参加团组织活动", "1", "activities.participation", "system", False, "4", None),
        ("wish", "认领并完成微心愿", "2", "activities.wish_fulfilled", "system", False, "4", None),
        ("honour", "获得荣誉表彰", "5", "venues.honour", "system", False, None, "20"),
        ("pioneer", "岗位建功、发挥先锋作用", "2", "claim", "member", True, "4", None),
        ("masses", "联系服务青年", "1", "claim", "member", True, "3", None),
        ("duty", "履行团员岗位职责", "2", "claim", "secretary", False, "2", None),
    ],
}
SETS = {"party": "党员积分默认规则", "league": "团员积分默认规则"}


def install(rule_set_model: Any, rule_model: Any, version_model: Any) -> None:
    """Create the default sets where missing (the models: the migration's historical ones, or the real)."""
    for audience, items in ITEMS.items():
        rule_set, created = rule_set_model.objects.get_or_create(
            org_path="", audience=audience,
            defaults={"name": SETS[audience], "base_score": Decimal(60), "floor": Decimal(0), "reset": "year",
                      "publish_days": 7, "rankings": False},
        )  # fmt: skip
        if not created:
            continue
        for key, name, points, source, claimant, evidence, cap_month, cap_year in items:
            rule = rule_model.objects.create(rule_set=rule_set, key=key)
            version_model.objects.create(
                rule=rule, valid_from=FROM, name=name, points=Decimal(points), source=source, claimant=claimant,
                evidence_required=evidence, cap_month=Decimal(cap_month) if cap_month else None,
                cap_year=Decimal(cap_year) if cap_year else None,
            )  # fmt: skip


def install_now() -> None:
    """The defaults with the app's own models (tests and the demo, after a flush)."""
    from tongxin.points import models  # noqa: PLC0415 (the migration imports this module before the app is ready)

    install(models.RuleSet, models.Rule, models.RuleVersion)
