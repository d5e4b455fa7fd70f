import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from api.duties.catalogue import RULES
from api.pagination import Page
from api.schemas import ONE_LINE, OptionalLongText, ReadModel, RequestModel, Text


class Jurisdiction(StrEnum):
    england = "england"
    wales = "wales"


Rule = StrEnum("Rule", {name: name for name in RULES})  # the duty-report rules a requirement may name
Code = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=r"^[a-z0-9][a-z0-9-]*$")]
Citation = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300,
                                            pattern=ONE_LINE)]

D = {
    "code": "A short, stable identifier (lowercase letters, digits and hyphens); unique among your duties and "
            "not one of the built-in catalogue's",
    "req_code": "A short, stable identifier (lowercase letters, digits and hyphens), unique within the duty",
    "title": "What the duty is called",
    "citation": "The legal source (act, section, case)",
    "summary": "What the duty requires, in plain English",
    "position": "Where the duty sorts in lists (ascending); built-in duties take 0–99, yours default to 100",
    "req_title": "What the requirement is",
    "req_description": "What must be shown to meet it",
    "rule": "The duty-report rule that checks it; null when evidence items alone show it is met",
    "requirements": "The requirements, in order; on update the list replaces the current one: requirements are "
                    "matched by code (their ids stay), new codes are added, and codes left out are removed "
                    "(409 if evidence refers to them)",
}


class RequirementWrite(RequestModel):
    code: Code = Field(description=D["req_code"])
    title: Text = Field(description=D["req_title"])
    description: OptionalLongText = Field(None, description=D["req_description"])
    rule: Rule | None = Field(None, description=D["rule"])


def _unique_codes(items: list[RequirementWrite]) -> list[RequirementWrite]:
    codes = [r.code for r in items]
    if len(set(codes)) != len(codes):
        raise ValueError("requirement codes must be unique within the duty")
    return items


Requirements = Annotated[list[RequirementWrite], Field(min_length=1, max_length=50), AfterValidator(_unique_codes)]


class DutyCreate(RequestModel):
    """One of your tenant's own duties, in your tenant's jurisdiction."""

    code: Code = Field(description=D["code"])
    title: Text = Field(description=D["title"])
    citation: Citation | None = Field(None, description=D["citation"])
    summary: OptionalLongText = Field(None, description=D["summary"])
    position: int = Field(100, ge=0, le=10_000, description=D["position"])
    requirements: Requirements = Field(description=D["requirements"])


class DutyUpdate(RequestModel):
    """Only the fields present change; null clears citation or summary."""

    code: Code = Field(None, description=D["code"])
    title: Text = Field(None, description=D["title"])
    citation: Citation | None = Field(None, description=D["citation"])
    summary: OptionalLongText = Field(None, description=D["summary"])
    position: int = Field(None, ge=0, le=10_000, description=D["position"])
    requirements: Requirements = Field(None, description=D["requirements"])


class RequirementRead(ReadModel):
    id: uuid.UUID = Field(description="Identifier; evidence items refer to it")
    code: str = Field(description=D["req_code"])
    title: str = Field(description=D["req_title"])
    description: str | None = Field(description=D["req_description"])
    rule: str | None = Field(description=D["rule"])
    position: int = Field(description="Its place in the duty's list (from 0)")


class DutyRead(ReadModel):
    id: uuid.UUID = Field(description="Identifier; applicability records refer to it")
    code: str = Field(description="A short, stable identifier")
    jurisdiction: Jurisdiction = Field(description="Where the duty applies: england or wales")
    built_in: bool = Field(description="True for the built-in catalogue (read-only), false for your own duties")
    title: str = Field(description=D["title"])
    citation: str | None = Field(description=D["citation"])
    summary: str | None = Field(description=D["summary"])
    position: int = Field(description=D["position"])
    requirements: list[RequirementRead] = Field(description="What the duty requires, in order")
    created_at: datetime = Field(description="When it was added")
    updated_at: datetime = Field(description="When it last changed")
    version: int = Field(description="Increases with every change; the ETag")


class DutyPage(Page[DutyRead]):
    pass
