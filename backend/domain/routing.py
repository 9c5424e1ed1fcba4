"""Choosing the department that owns a problem (分办).

Rules are tried by priority (lower number first). A rule matches when every condition it
sets holds: category, any of its keywords in the title or description, the village's
township, the severity. The first matching rule whose department has not already returned
the ticket wins. Every rule considered is written to the trace, so the office can see why
a ticket went where it went.

A restricted category (misconduct clues, 问题线索) goes only to the discipline commission,
whatever the rules say: a rule naming another department is skipped for it (with no rule
left it goes to the office's triage, which may see it). A rule that names another department for a restricted
category is refused when saved (`rule_error`).
"""
from dataclasses import dataclass, field

from .codes import DISCIPLINE_DEPARTMENT, RESTRICTED_CATEGORIES
from .messages import _

# A rule may name this instead of a department: the village's own township government.
TOWNSHIP_GOVERNMENT = "@township"


def township_department(township_code: str) -> str:
    return f"town-{township_code}"


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    priority: int
    department: str
    category: str | None = None
    keywords: tuple[str, ...] = ()
    township_codes: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    category: str
    township_code: str
    severity: str
    text: str


@dataclass
class Decision:
    department: str | None
    rule_id: str | None
    trace: list[dict] = field(default_factory=list)


def _mismatch(rule: Rule, problem: Problem) -> tuple[str | None, list[str]]:
    """Why the rule does not match (None if it does), and the keywords that hit."""
    if rule.category and rule.category != problem.category:
        return f"category is {problem.category}, rule wants {rule.category}", []
    if rule.township_codes and problem.township_code not in rule.township_codes:
        return f"township {problem.township_code} not in the rule's townships", []
    if rule.severities and problem.severity not in rule.severities:
        return f"severity {problem.severity} not in {', '.join(rule.severities)}", []
    hits = [k for k in rule.keywords if k and k in problem.text]
    if rule.keywords and not hits:
        return "none of the rule's keywords appear in the text", []
    return None, hits


def decide(problem: Problem, rules: list[Rule], excluded: set[str] = frozenset(),
           known_departments: set[str] | None = None) -> Decision:
    """Pick the department for `problem`, skipping departments in `excluded`."""
    decision = Decision(department=None, rule_id=None)
    for rule in sorted(rules, key=lambda r: (r.priority, r.name)):
        entry = {"rule_id": rule.id, "rule": rule.name, "priority": rule.priority}
        reason, hits = _mismatch(rule, problem)
        department = (township_department(problem.township_code)
                      if rule.department == TOWNSHIP_GOVERNMENT else rule.department)
        if reason is None and problem.category in RESTRICTED_CATEGORIES and department != DISCIPLINE_DEPARTMENT:
            reason = f"{problem.category} goes only to {DISCIPLINE_DEPARTMENT}"
        elif reason is None and department in excluded:
            reason = f"department {department} already returned this ticket"
        elif reason is None and known_departments is not None and department not in known_departments:
            reason = f"department {department} does not exist in this county"
        if reason:
            decision.trace.append({**entry, "matched": False, "reason": reason})
            continue
        entry.update(matched=True, department=department, keywords=hits)
        if decision.department is None:
            decision.department, decision.rule_id = department, rule.id
            entry["chosen"] = True
        decision.trace.append(entry)
    return decision


def rule_error(category: str | None, department: str | None) -> str | None:
    """Why a rule may not be saved, or None: a restricted category may name only the
    discipline commission."""
    if category in RESTRICTED_CATEGORIES and department != DISCIPLINE_DEPARTMENT:
        return _("Rules for %(category)s may only name %(department)s.", category=category,
                 department=DISCIPLINE_DEPARTMENT)
    return None
