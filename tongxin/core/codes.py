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


def ethnicity_code(value: str) -> str | None:
    """Return the GB/T 3304 code for a code or a (current or old) name, or None."""
    value = value.strip()
    if value in ETHNICITY_NAMES:
        return value
    if value.isdigit() and len(value) == 1:
        padded = value.zfill(2)
        return padded if padded in ETHNICITY_NAMES else None
    for code, name in ETHNICITY_NAMES.items():
        if value in (name, name.removesuffix("族")):
            return code
    return ETHNICITY_OLD_NAMES.get(value)
