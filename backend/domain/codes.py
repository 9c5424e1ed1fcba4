"""Codes that cross the API: roles, categories, severities. Stable lowercase strings."""
from enum import Enum


class Role(str, Enum):
    INSPECTOR = "inspector"    # 巡察组成员
    DEPARTMENT = "department"  # 县直部门 / 乡镇
    OFFICE = "office"          # 县委巡察办
    ADMIN = "admin"
    ORGANISATION = "organisation"        # 被巡察党组织: its secretary or named contact
    CITY_OFFICE = "city_office"          # 市委巡察办: its counties, read-only
    PROVINCE_OFFICE = "province_office"  # 省委巡视办: its cities' counties, read-only


class Category(str, Enum):
    BENEFIT_POLICY = "benefit_policy"          # 惠民惠农政策落实
    COLLECTIVE_ASSETS = "collective_assets"    # 村级"三资"管理
    FARMLAND = "farmland"                      # 耕地保护
    PETTY_POWER = "petty_power"                # 小微权力运行、"三务"公开
    PARTY_BUILDING = "party_building"          # 基层党组织建设
    MISCONDUCT = "misconduct"                  # 群众身边不正之风和腐败（问题线索）
    VILLAGE_PROJECTS = "village_projects"      # 村级工程项目
    COLLECTIVE_ECONOMY = "collective_economy"  # 集体经济、产业振兴
    LIVING_ENVIRONMENT = "living_environment"  # 人居环境整治
    LIVELIHOOD = "livelihood"                  # 民生实事
    DISPUTES = "disputes"                      # 矛盾纠纷、信访稳定


class Severity(str, Enum):
    GENERAL = "general"
    SERIOUS = "serious"
    URGENT = "urgent"


# Misconduct clues (问题线索) are seen only by the discipline commission and the office.
RESTRICTED_CATEGORIES = frozenset({Category.MISCONDUCT.value})
DISCIPLINE_DEPARTMENT = "discipline_commission"


def values(enum_cls) -> list[str]:
    return [member.value for member in enum_cls]
