"""The organisation tree's spreadsheet format: the columns a committee's structure file is read with.

Headers and code names are the Chinese words committees use in their files; like the GB/T code names in
:mod:`tongxin.core.codes` they are part of the file format, not interface text.

The kind column names more than the kind: 联合团支部 is a branch with the ``joint`` flag, and 团省委,
团市委, 团区委… are local committees of a given level. Its codes are therefore ``kind`` or
``kind:qualifier`` (see :func:`split_kind` and :func:`kind_code`).
"""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext_lazy as _

from tongxin.core.codes import CodeTable
from tongxin.core.imports import Column
from tongxin.orgs.models import CommitteeLevel, OrgCategory, OrgKind

JOINT = "joint"

KIND_NAMES: dict[str, str] = {
    OrgKind.LOCAL_COMMITTEE: "地方团委",
    f"{OrgKind.LOCAL_COMMITTEE}:{CommitteeLevel.NATIONAL}": "团中央",
    f"{OrgKind.LOCAL_COMMITTEE}:{CommitteeLevel.PROVINCIAL}": "团省委",
    f"{OrgKind.LOCAL_COMMITTEE}:{CommitteeLevel.MUNICIPAL}": "团市委",
    f"{OrgKind.LOCAL_COMMITTEE}:{CommitteeLevel.COUNTY}": "团区委",
    OrgKind.COMMITTEE: "团委",
    OrgKind.WORKING_COMMITTEE: "团工委",
    OrgKind.GENERAL_BRANCH: "团总支",
    OrgKind.BRANCH: "团支部",
    f"{OrgKind.BRANCH}:{JOINT}": "联合团支部",
    OrgKind.PARTY_COMMITTEE: "党委",
    OrgKind.PARTY_GENERAL_BRANCH: "党总支",
    OrgKind.PARTY_BRANCH: "党支部",
    f"{OrgKind.PARTY_BRANCH}:{JOINT}": "联合党支部",
}
_COUNTY = f"{OrgKind.LOCAL_COMMITTEE}:{CommitteeLevel.COUNTY}"
_MUNICIPAL = f"{OrgKind.LOCAL_COMMITTEE}:{CommitteeLevel.MUNICIPAL}"
_PROVINCIAL = f"{OrgKind.LOCAL_COMMITTEE}:{CommitteeLevel.PROVINCIAL}"
KIND_ALIASES: dict[str, str] = {
    "地方团委员会": OrgKind.LOCAL_COMMITTEE, "地方委员会": OrgKind.LOCAL_COMMITTEE,
    "共青团中央": f"{OrgKind.LOCAL_COMMITTEE}:{CommitteeLevel.NATIONAL}",
    "团区（自治区）委": _PROVINCIAL, "团自治区委": _PROVINCIAL, "省级团委": _PROVINCIAL,
    "团州委": _MUNICIPAL, "团地委": _MUNICIPAL, "团盟委": _MUNICIPAL, "市级团委": _MUNICIPAL,
    "团县委": _COUNTY, "团旗委": _COUNTY, "团县（市、区）委": _COUNTY, "团县（区）委": _COUNTY,
    "县级团委": _COUNTY, "区级团委": _COUNTY,
    "基层团委": OrgKind.COMMITTEE, "团委员会": OrgKind.COMMITTEE, "基层团委员会": OrgKind.COMMITTEE,
    "团工作委员会": OrgKind.WORKING_COMMITTEE, "工作委员会": OrgKind.WORKING_COMMITTEE,
    "团总支部": OrgKind.GENERAL_BRANCH, "团总支部委员会": OrgKind.GENERAL_BRANCH,
    "团支部委员会": OrgKind.BRANCH, "基层团支部": OrgKind.BRANCH,
    "联合支部": f"{OrgKind.BRANCH}:{JOINT}", "联合团支部委员会": f"{OrgKind.BRANCH}:{JOINT}",
    "党委员会": OrgKind.PARTY_COMMITTEE, "基层党委": OrgKind.PARTY_COMMITTEE,
    "党的基层委员会": OrgKind.PARTY_COMMITTEE,
    "党总支部": OrgKind.PARTY_GENERAL_BRANCH, "党总支部委员会": OrgKind.PARTY_GENERAL_BRANCH,
    "党的总支部委员会": OrgKind.PARTY_GENERAL_BRANCH,
    "党支部委员会": OrgKind.PARTY_BRANCH, "党的支部委员会": OrgKind.PARTY_BRANCH,
}  # fmt: skip


def _plain(names: dict[str, str]) -> dict[str, str]:
    """Codes as plain strings (not enum members), names as written."""
    return {str(code): name for code, name in names.items()}


def _with_halfwidth(aliases: dict[str, str]) -> dict[str, str]:
    """The aliases (codes as plain strings) plus their NFKC forms: full-width brackets typed as ASCII match."""
    plain = {name: str(code) for name, code in aliases.items()}
    return {**{unicodedata.normalize("NFKC", name): code for name, code in plain.items()}, **plain}


KIND_TABLE = CodeTable(_plain(KIND_NAMES), _with_halfwidth(KIND_ALIASES))


def split_kind(code: str) -> tuple[str, bool, str]:
    """A kind column's code as (kind, is_joint, level): ``branch:joint`` -> (branch, True, "")."""
    kind, _sep, qualifier = code.partition(":")
    if qualifier == JOINT:
        return kind, True, ""
    return kind, False, qualifier


def kind_code(kind: str, is_joint: bool = False, level: str = "") -> str:
    """The kind column's code for an organisation (what an export writes), the inverse of :func:`split_kind`."""
    for qualifier in (JOINT if is_joint else "", level):
        if qualifier and f"{kind}:{qualifier}" in KIND_NAMES:
            return f"{kind}:{qualifier}"
    return kind


LEVEL_NAMES: dict[str, str] = {
    CommitteeLevel.NATIONAL: "全国",
    CommitteeLevel.PROVINCIAL: "省级",
    CommitteeLevel.MUNICIPAL: "市级",
    CommitteeLevel.COUNTY: "县级",
}
LEVEL_ALIASES: dict[str, str] = {
    "中央": CommitteeLevel.NATIONAL, "国家级": CommitteeLevel.NATIONAL,
    "省": CommitteeLevel.PROVINCIAL, "省级（自治区、直辖市）": CommitteeLevel.PROVINCIAL,
    "市": CommitteeLevel.MUNICIPAL, "地市级": CommitteeLevel.MUNICIPAL, "地级": CommitteeLevel.MUNICIPAL,
    "县": CommitteeLevel.COUNTY, "区": CommitteeLevel.COUNTY, "县区级": CommitteeLevel.COUNTY,
    "区县级": CommitteeLevel.COUNTY, "区级": CommitteeLevel.COUNTY, "县（区）级": CommitteeLevel.COUNTY,
}  # fmt: skip
LEVEL_TABLE = CodeTable(_plain(LEVEL_NAMES), _with_halfwidth(LEVEL_ALIASES))

CATEGORY_NAMES: dict[str, str] = {
    OrgCategory.GOVERNMENT: "机关",
    OrgCategory.SCHOOL: "学校",
    OrgCategory.ENTERPRISE: "企业",
    OrgCategory.RURAL: "农村",
    OrgCategory.COMMUNITY: "社区",
    OrgCategory.PARK: "园区",
    OrgCategory.BUILDING: "楼宇",
    OrgCategory.SOCIAL: "社会组织",
    OrgCategory.OTHER: "其他",
}
CATEGORY_ALIASES: dict[str, str] = {
    "党政机关": OrgCategory.GOVERNMENT, "机关单位": OrgCategory.GOVERNMENT,
    "高校": OrgCategory.SCHOOL, "高等学校": OrgCategory.SCHOOL, "中学": OrgCategory.SCHOOL,
    "中小学": OrgCategory.SCHOOL, "中职学校": OrgCategory.SCHOOL, "职业院校": OrgCategory.SCHOOL,
    "国有企业": OrgCategory.ENTERPRISE, "国企": OrgCategory.ENTERPRISE, "非公企业": OrgCategory.ENTERPRISE,
    "非公有制企业": OrgCategory.ENTERPRISE, "民营企业": OrgCategory.ENTERPRISE,
    "村": OrgCategory.RURAL, "行政村": OrgCategory.RURAL,
    "街道": OrgCategory.COMMUNITY, "社区（街道）": OrgCategory.COMMUNITY, "城市社区": OrgCategory.COMMUNITY,
    "产业园区": OrgCategory.PARK, "工业园区": OrgCategory.PARK, "开发区": OrgCategory.PARK,
    "商务楼宇": OrgCategory.BUILDING, "商圈": OrgCategory.BUILDING,
    "社会团体": OrgCategory.SOCIAL, "新社会组织": OrgCategory.SOCIAL, "社团": OrgCategory.SOCIAL,
    "其它": OrgCategory.OTHER,
}  # fmt: skip
CATEGORY_TABLE = CodeTable(_plain(CATEGORY_NAMES), _with_halfwidth(CATEGORY_ALIASES))


ORG_COLUMNS: tuple[Column, ...] = (
    Column("name", "组织全称", _("full name"), ("组织名称", "名称", "团组织名称", "党组织名称", "团组织全称"),
           required=True),
    Column("short_name", "组织简称", _("short name"), ("简称", "团组织简称")),
    Column("code", "组织编码", _("code"), ("组织代码", "编码", "团组织编码"), required=True,
           hint=_("Unique; a code already in the tree updates that organisation.")),
    Column("kind", "组织类别", _("kind"), ("组织类型", "团组织类别", "团组织类型"), kind="code",
           codes=KIND_TABLE, hint=_("Required for a new organisation, e.g. 团委, 团总支, 团支部, 联合团支部.")),
    Column("parent", "上级组织", _("parent"),
           ("上级组织全称", "上级组织编码", "上级团组织", "上级组织名称", "上级党组织"), required=True,
           hint=_("The parent's full name or code: an organisation you manage or another row of this file. "
                  "Rows left empty go under the organisation chosen on the import page.")),
    Column("level", "级别", _("level"), ("团委级别", "层级"), kind="code", codes=LEVEL_TABLE,
           hint=_("Local committees only: 全国, 省级, 市级 or 县级.")),
    Column("category", "单位类别", _("category"), ("单位类型", "所在单位类别", "组织所在单位类别"), kind="code",
           codes=CATEGORY_TABLE),
    Column("division_code", "行政区划代码", _("division code"), ("区划代码", "所在地行政区划代码"), kind="id",
           hint=_("GB/T 2260: 6 digits (9 or 12 for a township or village).")),
    Column("established", "成立日期", _("established"), ("成立时间", "建立日期", "建立时间"), kind="date"),
    Column("term_start", "本届换届时间", _("current term start"), ("换届时间", "本届开始时间", "届期开始"),
           kind="date"),
    Column("term_end", "本届届满时间", _("current term end"), ("届满时间", "任期届满时间", "届期结束"),
           kind="date"),
)  # fmt: skip

ORG_COLUMN_BY_KEY = {column.key: column for column in ORG_COLUMNS}
