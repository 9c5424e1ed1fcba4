"""整改台账: a round's rectification problems as the ledger's rows (one sheet per unit in
XLSX), written by the ledger's own CSV/XLSX writer (services/ledger.py, `kind`
rectification). Personal data in free text is masked like every ledger cell."""
from collections.abc import Iterator

from bson import ObjectId

from ..domain.problems import CATEGORY_LABELS
from ..domain.rectification import STATUS_LABELS
from ..domain.rounds import CLASS_LABELS
from ..domain.privacy import mask
from ..models import Attachment, RectificationProblem
from .ledger import _when

HEADERS = ("问题编号", "被巡察单位", "村", "类别", "问题", "整改类型", "整改措施", "责任人", "责任领导",
           "整改时限", "整改状态", "是否超期", "销号时间", "佐证材料")
WIDTHS = (20, 28, 14, 16, 40, 10, 40, 12, 12, 14, 12, 8, 17, 30)


def _deadline(problem: dict) -> str:
    if problem.get("problem_class") == "long_term":
        pending = [m["due_on"] for m in problem.get("milestones") or [] if not m.get("done_at")]
        return f"节点 {pending[0]}" if pending else "节点已完成"
    return problem.get("due_on") or ("随工单" if problem.get("problem_class") == "immediate" else "")


def rows(county_code: str, params: dict) -> Iterator[tuple[str, list]]:
    """(unit name, cells) for every problem of the round, by unit then number."""
    from ..models import Rectification, Village
    from ..models.common import utcnow
    round_id = ObjectId(params["round_id"])
    names = {c.unit_key: c.unit_name for c in Rectification.objects(round_id=round_id).only("unit_key", "unit_name")}
    villages = {v.code: v.name for v in Village.objects(county_code=county_code).only("code", "name")}
    problems = list(RectificationProblem.objects(county_code=county_code, round_id=round_id)
                    .exclude("events").order_by("unit_key", "number").as_pymongo())
    documents = {d["_id"]: d["filename"] for d in Attachment.objects(
        owner__in=[f"problem:{p['_id']}" for p in problems], kind="evidence").only("id", "filename").as_pymongo()}
    now = utcnow()
    for p in problems:
        unit = names.get(p["unit_key"], p["unit_key"])
        evidence = [f"照片{len(p.get('evidence_photo_ids') or [])}张"] if p.get("evidence_photo_ids") else []
        evidence += [documents.get(i, str(i)) for i in p.get("evidence_document_ids") or []]
        if p.get("ticket_id"):
            evidence.append("工单办结")
        overdue = p["status"] not in ("closed", "pending_feedback") and p.get("due_at") and p["due_at"] < now
        yield unit, [
            p["number"], unit, villages.get(p["village_code"], p["village_code"]),
            CATEGORY_LABELS.get(p["category"], p["category"]), mask(p["title"]),
            CLASS_LABELS.get(p["problem_class"], p["problem_class"]), mask(p.get("measures")),
            mask(p.get("responsible_name")), mask(p.get("leader_name")), _deadline(p),
            STATUS_LABELS.get(p["status"], p["status"]), "是" if overdue else "否", _when(p.get("closed_at")),
            mask("；".join(evidence)),
        ]
