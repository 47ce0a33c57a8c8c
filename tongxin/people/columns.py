"""The roster's spreadsheet format: one list of columns shared by import, export and the import template.

Headers are the Chinese names committees use in their files (the 智慧团建 roster's own words). They are
part of the file format, like the GB/T code names, not interface text: a file exported under the English
interface still imports. Synonyms are the other headers seen in committees' spreadsheets.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tongxin.core.codes import (
    EDUCATION_TABLE,
    ETHNICITY_TABLE,
    POLITICAL_STATUS_TABLE,
    SEX_TABLE,
    CodeTable,
)
from tongxin.core.imports import Column
from tongxin.people.models import Occupation

OCCUPATION_NAMES: dict[str, str] = {
    Occupation.STUDENT: "学生",
    Occupation.EMPLOYED: "在职",
    Occupation.UNEMPLOYED: "无业",
    Occupation.FARMER: "农民",
    Occupation.OTHER: "其他",
}
OCCUPATION_ALIASES: dict[str, str] = {
    "在校学生": Occupation.STUDENT, "在校生": Occupation.STUDENT, "学生（在校）": Occupation.STUDENT,
    "在职人员": Occupation.EMPLOYED, "职工": Occupation.EMPLOYED, "工人": Occupation.EMPLOYED,
    "公务员": Occupation.EMPLOYED, "事业单位人员": Occupation.EMPLOYED, "企业职工": Occupation.EMPLOYED,
    "自由职业": Occupation.EMPLOYED, "个体": Occupation.EMPLOYED, "个体户": Occupation.EMPLOYED,
    "待业": Occupation.UNEMPLOYED, "失业": Occupation.UNEMPLOYED, "无业人员": Occupation.UNEMPLOYED,
    "务农": Occupation.FARMER, "农村青年": Occupation.FARMER, "其它": Occupation.OTHER,
}  # fmt: skip
OCCUPATION_TABLE = CodeTable(OCCUPATION_NAMES, OCCUPATION_ALIASES)


ROSTER_COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", _("name"), ("团员姓名", "名字"), required=True, max_length=50),
    Column(
        "id_number", "公民身份号码", _("ID number"),
        ("身份证号", "身份证号码", "证件号码", "身份证", "证件号"), kind="id", required=True,
        hint=_("18 characters; format the column as text so Excel keeps every digit."),
    ),
    Column("sex", "性别", _("sex"), (), kind="code", codes=SEX_TABLE,
           hint=_("Optional: checked against the ID number.")),
    Column("birth_date", "出生日期", _("birth date"), ("出生年月", "生日"), kind="date",
           hint=_("Optional: checked against the ID number.")),
    Column("ethnicity", "民族", _("ethnicity"), (), kind="code", codes=ETHNICITY_TABLE),
    Column("political_status", "政治面貌", _("political status"), (), kind="code", codes=POLITICAL_STATUS_TABLE),
    Column("league_join_date", "入团时间", _("league join date"), ("入团年月", "入团日期"), kind="date"),
    Column("league_number", "团员编号", _("league member number"), ("发展团员编号", "团员证号"),
           hint=_("Required for members who joined from 2017; starts with the join year."), max_length=32),
    Column("party_join_date", "入党时间", _("party join date"), ("入党年月", "入党日期"), kind="date"),
    Column("phone", "手机号码", _("phone"), ("手机", "手机号", "联系电话", "电话", "联系方式"), kind="phone"),
    Column("education", "学历", _("education"), ("文化程度", "最高学历"), kind="code", codes=EDUCATION_TABLE),
    Column("occupation", "职业", _("occupation"), ("工作单位", "职业类别", "身份类别"), kind="code",
           codes=OCCUPATION_TABLE),
    Column("branch", "所在团支部", _("branch"), ("所在组织", "组织全称", "所在支部", "团支部", "所属团支部",
                                              "支部名称", "组织编码"),
           hint=_("The branch's full name or code; empty rows go to the organisation chosen on the page.")),
)  # fmt: skip

ROSTER_COLUMN_BY_KEY = {column.key: column for column in ROSTER_COLUMNS}
