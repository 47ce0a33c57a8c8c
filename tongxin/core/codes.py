"""National code tables (GB/T) used across the apps.

These are published standards, so they live as choices in code; rules that a committee may change
are in :mod:`tongxin.core.rules` instead.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    """GB/T 2261.1."""

    UNKNOWN = "0", _("Unknown")
    MALE = "1", _("Male")
    FEMALE = "2", _("Female")
    NOT_STATED = "9", _("Not stated")


class PoliticalStatus(models.TextChoices):
    """GB/T 4762."""

    PARTY_MEMBER = "01", _("CPC member")
    PROBATIONARY_PARTY_MEMBER = "02", _("CPC probationary member")
    LEAGUE_MEMBER = "03", _("CYL member")
    RCCK = "04", _("RCCK member")
    CDL = "05", _("CDL member")
    CNDCA = "06", _("CNDCA member")
    CAPD = "07", _("CAPD member")
    CPWDP = "08", _("CPWDP member")
    CZGP = "09", _("CZGP member")
    JIUSAN = "10", _("Jiusan Society member")
    TDSL = "11", _("TDSL member")
    NON_PARTISAN = "12", _("Non-partisan")
    MASSES = "13", _("Masses")


PARTY_STATUSES = frozenset({PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PROBATIONARY_PARTY_MEMBER})


class Education(models.TextChoices):
    """GB/T 4658 (top-level codes; 11–19 are postgraduate details)."""

    POSTGRADUATE = "10", _("Postgraduate")
    DOCTORATE = "11", _("Doctorate")
    MASTER = "14", _("Master's degree")
    UNDERGRADUATE = "20", _("Undergraduate")
    JUNIOR_COLLEGE = "30", _("Junior college")
    SECONDARY_VOCATIONAL = "40", _("Secondary vocational")
    HIGH_SCHOOL = "60", _("High school")
    JUNIOR_HIGH = "70", _("Junior high school")
    PRIMARY = "80", _("Primary school")
    OTHER = "90", _("Other")


# GB/T 3304: code -> current name. Names are the standard's own Chinese names (data, not UI text).
ETHNICITY_NAMES: dict[str, str] = {
    "01": "汉族", "02": "蒙古族", "03": "回族", "04": "藏族", "05": "维吾尔族", "06": "苗族",
    "07": "彝族", "08": "壮族", "09": "布依族", "10": "朝鲜族", "11": "满族", "12": "侗族",
    "13": "瑶族", "14": "白族", "15": "土家族", "16": "哈尼族", "17": "哈萨克族", "18": "傣族",
    "19": "黎族", "20": "傈僳族", "21": "佤族", "22": "畲族", "23": "高山族", "24": "拉祜族",
    "25": "水族", "26": "东乡族", "27": "纳西族", "28": "景颇族", "29": "柯尔克孜族", "30": "土族",
    "31": "达斡尔族", "32": "仫佬族", "33": "羌族", "34": "布朗族", "35": "撒拉族", "36": "毛南族",
    "37": "仡佬族", "38": "锡伯族", "39": "阿昌族", "40": "普米族", "41": "塔吉克族", "42": "怒族",
    "43": "乌孜别克族", "44": "俄罗斯族", "45": "鄂温克族", "46": "德昂族", "47": "保安族",
    "48": "裕固族", "49": "京族", "50": "塔塔尔族", "51": "独龙族", "52": "鄂伦春族", "53": "赫哲族",
    "54": "门巴族", "55": "珞巴族", "56": "基诺族", "97": "其他", "98": "外国血统中国籍人士",
}  # fmt: skip

# Names used before the standard was revised, mapped to today's code.
ETHNICITY_OLD_NAMES: dict[str, str] = {"崩龙族": "46", "崩龙": "46", "毛难族": "36", "毛难": "36"}


# The Chinese names of the codes as they are written in spreadsheets (data, like ETHNICITY_NAMES): exports
# write them and imports read them back, whatever the interface language.
POLITICAL_STATUS_NAMES: dict[str, str] = {
    "01": "中共党员", "02": "中共预备党员", "03": "共青团员", "04": "民革会员", "05": "民盟盟员",
    "06": "民建会员", "07": "民进会员", "08": "农工党党员", "09": "致公党党员", "10": "九三学社社员",
    "11": "台盟盟员", "12": "无党派人士", "13": "群众",
}  # fmt: skip
POLITICAL_STATUS_ALIASES: dict[str, str] = {
    "中国共产党党员": "01", "党员": "01", "正式党员": "01", "中共正式党员": "01",
    "中国共产党预备党员": "02", "预备党员": "02",
    "中国共产主义青年团团员": "03", "团员": "03", "共青团": "03",
    "民革党员": "04", "民盟会员": "05", "民建": "06", "民进": "07", "农工党": "08", "致公党": "09",
    "九三学社": "10", "台盟": "11", "无党派": "12", "无党派民主人士": "12", "普通群众": "13",
}  # fmt: skip

SEX_NAMES: dict[str, str] = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}
SEX_ALIASES: dict[str, str] = {"男性": "1", "女性": "2", "未知的性别": "0", "未说明的性别": "9"}

EDUCATION_NAMES: dict[str, str] = {
    "10": "研究生", "11": "博士研究生", "14": "硕士研究生", "20": "大学本科", "30": "大学专科",
    "40": "中等职业教育", "60": "普通高中", "70": "初中", "80": "小学", "90": "其他",
}  # fmt: skip
EDUCATION_ALIASES: dict[str, str] = {
    "博士": "11", "硕士": "14", "本科": "20", "大本": "20", "学士": "20", "大专": "30", "专科": "30",
    "高职": "30", "中专": "40", "中职": "40", "职高": "40", "技校": "40", "中等专科": "40", "高中": "60",
    "初级中学": "70", "其它": "90",
}  # fmt: skip


class CodeTable:
    """A code table as written in spreadsheets: code -> standard name, plus the usual other spellings."""

    def __init__(self, names: dict[str, str], aliases: dict[str, str] | None = None) -> None:
        self.names = names
        self.width = len(next(iter(names)))
        self._lookup = {**(aliases or {}), **{name: code for code, name in names.items()}}

    def name(self, code: str) -> str:
        return self.names.get(code, code)

    def code(self, value: str) -> str | None:
        """The code for ``value`` given as a code ("03", "3") or as text (the standard name or an alias)."""
        value = value.strip()
        if value in self.names:
            return value
        if value.isdigit() and len(value) < self.width:
            padded = value.zfill(self.width)
            return padded if padded in self.names else None
        return self._lookup.get(value)


POLITICAL_STATUS_TABLE = CodeTable(POLITICAL_STATUS_NAMES, POLITICAL_STATUS_ALIASES)
SEX_TABLE = CodeTable(SEX_NAMES, SEX_ALIASES)
EDUCATION_TABLE = CodeTable(EDUCATION_NAMES, EDUCATION_ALIASES)
ETHNICITY_TABLE = CodeTable(
    ETHNICITY_NAMES,
    {**ETHNICITY_OLD_NAMES, **{name.removesuffix("族"): code for code, name in ETHNICITY_NAMES.items()}},
)
