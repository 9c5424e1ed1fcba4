"""Accountability (问责): decisions the office records against what they answer for."""
from enum import Enum


class Form(str, Enum):
    INTERVIEW = "interview"                  # 约谈
    PUBLIC_CRITICISM = "public_criticism"    # 通报批评
    ADMONITION = "admonition"                # 诫勉
    ORGANISATIONAL = "organisational"        # 组织处理
    DISCIPLINARY = "disciplinary"            # 纪律处分


FORM_LABELS = {Form.INTERVIEW: "约谈", Form.PUBLIC_CRITICISM: "通报批评", Form.ADMONITION: "诫勉",
               Form.ORGANISATIONAL: "组织处理", Form.DISCIPLINARY: "纪律处分"}

# The kinds of object a decision can answer for, linked by kind + id: tickets, suggestions,
# a round's rectification problems and the inspected party organisations.
TARGET_KINDS = ("ticket", "suggestion", "problem", "organisation")

# 整改不力: what puts an item on the office's list to act on.
REOPENED_AT_LEAST = 2
ESCALATION_LEVEL = 2

FIELDS = ("county_code", "department_code", "organisation_code", "form")


def contribution(snap: dict) -> dict[str, int]:
    form = snap["form"]
    out = {"decisions": 1, f"form.{form}": 1}
    if snap.get("department_code"):
        out[f"department.{snap['department_code']}.{form}"] = 1
    if snap.get("organisation_code"):
        out[f"organisation.{snap['organisation_code']}.{form}"] = 1
    return out
