"""The demo county's inspection round, mid-rectification: three villages of 高桥镇 (371323102)
fed back 70 days ago; some problems closed (销号), some overdue, one 长期 with its first
milestone done, one organisation's plan still waiting for the office. Built through the
services, as the office, the 组长, the inspector and the secretary would, so every object
has its events and the counters are right. Idempotent: a round of that name is left alone."""
import io
from datetime import date, timedelta

from werkzeug.datastructures import FileStorage

from ..auth import Actor
from ..domain.rectification import local_day
from ..models import Finding, InspectionRound, PartyOrganisation, User, Village
from ..models.common import utcnow
from . import accounts, findings, organisations, rectification, reply_clock, review, rounds

NAME = "2026年第三轮村级巡察（高桥镇）"
VILLAGES = ("371323102200", "371323102205", "371323102216")   # 高桥村, 沙岭子村, 团山村
SECRETARIES = {"371323102200": ("刘建国", "shuji"), "371323102205": ("赵志强", "shuji-shalingzi"),
               "371323102216": ("孙丽", "shuji-tuanshan")}
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
BASES = {"policy_basis": "《中国共产党农村基层组织工作条例》", "responsibility_basis": "村党组织书记为整改第一责任人。"}
# village, category, title, fact, decision, what happens after feedback
PROBLEMS = (
    ("371323102200", "petty_power", "村务公开栏半年未更新", "现场查看公开栏，最近一次公开为半年前。",
     {"problem_class": "deadline", "deadline_days": 30}, "closed"),
    ("371323102200", "collective_assets", "集体资产台账登记不全", "抽查台账，3处集体房屋未登记入账。",
     {"problem_class": "deadline", "deadline_days": 30}, "overdue"),
    ("371323102200", "collective_economy", "村集体经济收入薄弱", "近三年集体经营性收入均不足5万元。",
     {"problem_class": "long_term"}, "long_term"),
    ("371323102205", "living_environment", "村内垃圾清运不及时", "村东头垃圾点堆积，群众反映气味大。",
     {"problem_class": "deadline", "deadline_days": 45}, "closed"),
    ("371323102205", "collective_assets", "土地承包合同未按规定公示", "2份土地承包合同未经公示即签订。",
     {"problem_class": "deadline", "deadline_days": 60}, "overdue"),
    ("371323102216", "party_building", "三会一课记录不规范", "抽查会议记录，2次支委会无记录。",
     {"problem_class": "deadline", "deadline_days": 90}, "plan_waiting"),
)


def load(county_code: str, password: str) -> list[User]:
    """The round and its accounts (组长 `zuzhang`, member `xuncha3`, the secretaries `shuji` of
    高桥村 and `shuji-shalingzi`, `shuji-tuanshan`, the city office `linyi-city`); returns them."""
    leader = accounts.upsert_user("zuzhang", password, "inspector", county_code, None, "巡察组组长")
    member = accounts.upsert_user("xuncha3", password, "inspector", county_code, None, "巡察组成员三")
    city = accounts.upsert_user("linyi-city", password, "city_office", county_code[:4] + "00", None, "临沂市委巡察办")
    existing = InspectionRound.objects(county_code=county_code, name=NAME).first()
    if existing is None:
        _build(county_code, password, leader, member)
    secretaries = [User.objects(username_key=u).first() for _, u in SECRETARIES.values()]
    return [u for u in (leader, member, *secretaries, city) if u]


def _build(county_code: str, password: str, leader: User, member: User) -> None:
    office = Actor.of(User.objects.get(username_key="office", county_code=county_code))
    zuzhang, xuncha3 = Actor.of(leader), Actor.of(member)
    today = local_day(utcnow())
    fed_back_on = today - timedelta(days=70)
    villages = {v.code: v for v in Village.objects(code__in=VILLAGES)}
    for code, (name, username) in SECRETARIES.items():
        org = organisations.for_village(villages[code])
        if not org.secretary():
            member_data = {"post": "secretary", "name": name, "username": username, "password": password}
            if User.objects(username_key=username).first():   # kept from an earlier load: reuse it
                member_data["username"] = None
            organisations.add_member(office, str(org.id), member_data)
    found = rounds.create(office, {"name": NAME, "village_codes": list(VILLAGES), "department_codes": [],
                                   "team": [{"user_id": str(leader.id), "role": "leader"},
                                            {"user_id": str(member.id), "role": "member"}],
                                   "enters_on": today - timedelta(days=100), "feedback_on": fed_back_on})
    task = rounds.create_task(office, str(found.id), {
        "name": "第三轮巡察 · 高桥镇", "village_codes": list(VILLAGES), "inspector_ids": [str(member.id)],
        "starts_on": today - timedelta(days=100), "ends_on": today - timedelta(days=75), "focus_categories": []})
    rounds.advance(office, str(found.id), "进驻动员")
    problems = {}
    for n, (village, category, title, fact, decision, fate) in enumerate(PROBLEMS):
        finding, _ = findings.submit(xuncha3, {
            "client_id": f"00000000-0000-4000-8000-{n:012d}", "task_id": str(task.id), "village_code": village,
            "category": category, "severity": "general", "title": title, "description": fact, "location": None,
            "observed_at": utcnow() - timedelta(days=90), "fact_basis": fact, **BASES, "needs_action": True,
            "immediate": False, "responsible_post": "secretary"})
        entry = review.queue_finding(Finding.objects.get(id=finding.id))
        if decision["problem_class"] == "long_term":
            decision = {**decision, "milestones": [
                {"title": "制定集体经济发展规划", "due_on": fed_back_on + timedelta(days=30)},
                {"title": "特色种植项目见效", "due_on": today + timedelta(days=120)}]}
        approved = review.approve(zuzhang, str(entry.id), {"problem_type": "organisation", **decision},
                                  allow_past=True)
        problems[str(approved.problem_id)] = fate
    for _ in range(2):   # 报告, 反馈 … then 整改
        found = rounds.advance(office, str(found.id), None)
    cases = rectification.feed_back(office, str(found.id), fed_back_on)
    rounds.advance(office, str(found.id), "集中整改")
    for case in cases:
        _rectify(office, case, problems, fed_back_on)
    reply_clock.sweep_all(reply_clock.clocks())


def _rectify(office: Actor, case, fates: dict, fed_back_on) -> None:
    org = PartyOrganisation.objects.get(id=case.organisation_id)
    secretary = org.secretary()
    unit = Actor.of(User.objects.get(id=secretary.user_id))
    problems = rectification.problems_of_case(case)
    items = [{"problem_id": str(p.id), "measures": f"针对“{p.title}”制定整改措施并限期落实",
              "responsible_member_id": str(secretary.member_id),
              "due_on": date.fromisoformat(p.due_on) if p.due_on else None}
             for p in problems]
    rectification.submit_plan(unit, str(case.id), f"{org.name}整改方案", items)
    if any(fates[str(p.id)] == "plan_waiting" for p in problems):
        return   # the office has not decided on this plan yet
    rectification.decide_plan(office, str(case.id), True, "同意")
    for problem in problems:
        fate = fates[str(problem.id)]
        if fate == "closed":
            upload = FileStorage(stream=io.BytesIO(PDF), filename="整改佐证材料.pdf")
            _, doc, _ = rectification.add_evidence(unit, str(problem.id), upload)
            rectification.request_closure(unit, str(problem.id), "已整改到位", document_ids=[str(doc.id)])
            rectification.decide_closure(office, str(problem.id), True, "经核查，予以销号")
        elif fate == "long_term":
            rectification.report_progress(unit, str(problem.id), "集体经济发展规划已经村党员大会通过",
                                          milestone=1)
        elif fate == "overdue":
            rectification.report_progress(unit, str(problem.id), "正在逐项清理，尚未完成")
