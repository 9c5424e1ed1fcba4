"""Common problems (共性问题): the same kind of problem in many villages.

The office sends one notice to the responsible department instead of fixing the same thing
village by village. A problem is a category or a recurring keyword; it is common when its
tickets come from at least `min_villages` villages or `min_townships` townships.
"""
from collections import Counter, defaultdict

from .codes import Category

CATEGORY_LABELS = {
    Category.BENEFIT_POLICY: "惠民惠农政策落实",
    Category.COLLECTIVE_ASSETS: "村级“三资”管理",
    Category.FARMLAND: "耕地保护",
    Category.PETTY_POWER: "小微权力运行、“三务”公开",
    Category.PARTY_BUILDING: "基层党组织建设",
    Category.MISCONDUCT: "群众身边不正之风和腐败",
    Category.VILLAGE_PROJECTS: "村级工程项目",
    Category.COLLECTIVE_ECONOMY: "集体经济、产业振兴",
    Category.LIVING_ENVIRONMENT: "人居环境整治",
    Category.LIVELIHOOD: "民生实事",
    Category.DISPUTES: "矛盾纠纷、信访稳定",
}

# Terms that recur in village findings; the county's routing-rule keywords are added to them.
KEYWORDS = (
    "道路", "坑洼", "路灯", "桥梁", "饮水", "自来水", "停水", "水质", "排水", "积水", "灌溉",
    "垃圾", "污水", "厕所", "改厕", "秸秆", "河道", "养殖", "异味", "噪音",
    "低保", "特困", "补贴", "危房", "养老", "残疾", "医保", "卫生室", "学校", "校车",
    "公开", "账目", "三资", "集体资产", "合同", "租金", "耕地", "占地", "违建", "宅基地",
    "工程", "质量", "拖欠", "工资", "纠纷", "上访", "党员", "换届", "优亲厚友", "吃拿卡要",
)


def find(tickets: list[dict], keywords: tuple[str, ...], min_villages: int,
         min_townships: int) -> list[dict]:
    """Categories and keywords whose tickets span enough villages or townships.

    Each ticket is a mapping with id, number, title, description, category, village_code,
    township_code, department_code. Returns the common ones, most villages first."""
    behind: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for ticket in tickets:
        behind[("category", ticket["category"])].append(ticket)
        text = f"{ticket.get('title') or ''} {ticket.get('description') or ''}"
        for word in {k for k in keywords if k and k in text}:
            behind[("keyword", word)].append(ticket)
    problems = []
    for (kind, key), items in behind.items():
        villages = sorted({t["village_code"] for t in items})
        townships = sorted({t["township_code"] for t in items})
        if len(villages) < min_villages and len(townships) < min_townships:
            continue
        departments = Counter(t.get("department_code") for t in items if t.get("department_code"))
        problems.append({
            "kind": kind, "key": key,
            "label": CATEGORY_LABELS.get(key, key) if kind == "category" else key,
            "village_codes": villages, "township_codes": townships,
            "ticket_count": len(items),
            # Who to send the one notice to: the department holding most of these tickets.
            "department_code": departments.most_common(1)[0][0] if departments else None,
            "tickets": [{"id": str(t["id"]), "number": t["number"], "title": t["title"],
                         "village_code": t["village_code"]} for t in items],
        })
    return sorted(problems, key=lambda p: (-len(p["village_codes"]), -p["ticket_count"],
                                           p["kind"], p["key"]))
