"""A synthetic stakeholder register, the same every time for the same seed.

    python bench/generate.py --stakeholders 100000 --organisations 600 --out bench/data

writes organisations.csv and stakeholders.csv in the import template's columns (so they can be POSTed
to /api/v1/imports/...), and assessments.csv (external_id, interest, influence, attitude) for benchmarks
that need scores. Everything is fictional; emails use example.org/.com/.net domains, which exist for
documentation and never reach anyone. The functions are importable for other benchmarks."""

import argparse
import csv
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

FIRST = ("Margaret Tom Amira Priya Jane David Sarah Mohammed Emily James Olivia Oliver Aisha Harry Grace Jack Sophie "
         "George Isla Noah Ava Leo Freya Arthur Ruby Oscar Chloe Ethan Zara Lucas Hannah Rhys Niamh Owen Megan Dylan "
         "Bethan Callum Eilidh Kwame Chen Anna Piotr Fatima Yusuf Deepa Connor Siobhan Gareth Ffion").split()
LAST = ("Okafor Hardy Khan Shah Moore Jones Williams Smith Taylor Brown Davies Evans Wilson Thomas Roberts Johnson "
        "Lewis Walker Robinson Wood Thompson White Watson Jackson Wright Green Harris Cooper King Lee Martin Clarke "
        "James Morgan Hughes Edwards Hill Moore Clark Harrison Scott Young Morris Hall Ward Turner Carter Phillips "
        "Mitchell Patel Adams Campbell Anderson Allen Cook Bailey Parker Miller Davis Murphy Price Bell Baker "
        "Griffiths Kelly Simpson Marshall Collins Bennett Cox Richardson Fox Gray Rose Chapman Hunt Robertson Shaw "
        "Reynolds Lloyd Ellis Richards Russell Wilkinson Khan Begum Ali Hussain Nowak Kowalski Chen Wang "
        "O'Brien").split()
TOWNS = ("Bridport Dorchester Weymouth Poole Bournemouth Wimborne Blandford Sherborne Gillingham Shaftesbury Swanage "
         "Wareham Lyme Beaminster Ferndown Christchurch Verwood Portland Sturminster Corfe").split()
ORG_KINDS = (("gp_practice", "{town} Medical Centre"), ("gp_practice", "{town} Surgery"),
             ("primary_care_network", "{town} Primary Care Network"), ("voluntary_group", "{town} Carers' Forum"),
             ("community_group", "{town} Community Association"), ("patient_group", "{town} Patient Participation "
                                                                                    "Group"),
             ("local_authority", "{town} Town Council"), ("healthwatch", "Healthwatch {town}"),
             ("education", "{town} Academy"), ("business", "{town} Chamber of Commerce"),
             ("media", "{town} Gazette"), ("nhs_trust", "{town} Community Hospital"))
CATEGORIES = ("patient", "carer", "public", "gp_member", "staff", "partner", "provider", "commissioner", "influencer",
              "elected_representative", "overview_scrutiny", "media", "voluntary_sector", "community_group",
              "professional_body", "regulator", "seldom_heard", "other")
CHANNELS = ("email", "post", "phone", "text", "face_to_face", "online_meeting", "newsletter", "social_media")
NEEDS = ("large_print", "easy_read", "braille", "bsl", "audio", "hearing_loop", "interpreter", "translation",
         "plain_english")
LANGUAGES = ("Polish", "Urdu", "Bengali", "Arabic", "Romanian", "Portuguese", "Cantonese", "Welsh")
TAGS = ("west-dorset", "east-dorset", "poole", "bournemouth", "maternity", "mental-health", "urgent-care",
        "primary-care", "young-people", "older-people", "carers", "seldom-heard", "clinical-lead", "scrutiny")
JOBS = ("Practice Manager", "GP Partner", "Chair", "Councillor", "Head of Patient Experience", "Volunteer Coordinator",
        "Chief Executive", "Director of Nursing", "Editor", "Community Development Worker", "Trustee", None, None)
POSTCODE_AREAS = ("DT1", "DT2", "DT3", "DT4", "DT5", "DT6", "DT7", "DT8", "DT9", "DT10", "DT11", "BH1", "BH2", "BH4",
                  "BH8", "BH12", "BH14", "BH15", "BH18", "BH21", "BH23", "SP7", "SP8", "TA20")
DOMAINS = ("example.org", "example.com", "example.net")
STREETS = ("High Street", "Church Lane", "South Street", "Station Road", "Mill Lane", "West Street", "The Green")

ORGANISATION_COLUMNS = ("external_id", "name", "kind", "email", "phone", "website", "address", "postcode", "notes",
                        "tags")
STAKEHOLDER_COLUMNS = ("external_id", "name", "kind", "categories", "organisation_external_id", "organisation_name",
                       "job_title", "email", "phone", "address", "postcode", "preferred_channels",
                       "communication_needs", "interpreter_language", "contact_consent", "consent_basis",
                       "consent_recorded_at", "is_champion", "is_public_representative", "tags", "owner_id", "notes")


def _postcode(rng: random.Random) -> str:
    return f"{rng.choice(POSTCODE_AREAS)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}" \
           f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"+44 1{rng.randint(200, 999)} {rng.randint(100000, 999999)}"
    return f"07{rng.randint(100, 999)} {rng.randint(100000, 999999)}"


def organisations(count: int, *, seed: int = 42) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        kind, pattern = ORG_KINDS[i % len(ORG_KINDS)]
        town = TOWNS[(i // len(ORG_KINDS)) % len(TOWNS)]
        suffix = f" {i // (len(ORG_KINDS) * len(TOWNS)) + 1}" if i >= len(ORG_KINDS) * len(TOWNS) else ""
        slug = town.lower()
        out.append({
            "external_id": f"ORG-{i + 1:05d}", "name": pattern.format(town=town) + suffix, "kind": kind,
            "email": f"enquiries{i + 1}@{rng.choice(DOMAINS)}", "phone": _phone(rng),
            "website": f"https://{slug}.{rng.choice(DOMAINS)}/{i + 1}",
            "address": f"{rng.randint(1, 120)} {rng.choice(STREETS)}, {town}", "postcode": _postcode(rng),
            "notes": None, "tags": rng.sample(TAGS, rng.randint(0, 2)),
        })
    return out


def stakeholders(count: int, orgs: list[dict], *, seed: int = 42) -> Iterator[dict]:
    rng = random.Random(seed + 1)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for i in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        org = rng.choice(orgs) if orgs and rng.random() < 0.7 else None
        consent = rng.random() < 0.8
        needs = rng.sample(NEEDS, 1) if rng.random() < 0.15 else []
        language = None
        if rng.random() < 0.05:
            needs, language = ["interpreter"], rng.choice(LANGUAGES)
        yield {
            "external_id": f"CRM-{i + 1:07d}",
            "name": f"{first} {last}",
            "kind": "person" if rng.random() < 0.92 else rng.choice(("group", "organisation")),
            "categories": rng.sample(CATEGORIES, rng.choice((1, 1, 2, 3))),
            "organisation_external_id": org["external_id"] if org else None,
            "organisation_name": org["name"] if org else None,
            "job_title": rng.choice(JOBS) if org else None,
            "email": f"{first.lower()}.{last.lower().replace(chr(39), '')}.{i + 1}@{rng.choice(DOMAINS)}",
            "phone": _phone(rng) if rng.random() < 0.7 else None,
            "address": f"{rng.randint(1, 200)} {rng.choice(STREETS)}, {rng.choice(TOWNS)}"
            if rng.random() < 0.5 else None,
            "postcode": _postcode(rng) if rng.random() < 0.8 else None,
            "preferred_channels": rng.sample(CHANNELS, rng.randint(0, 2)),
            "communication_needs": needs,
            "interpreter_language": language,
            "contact_consent": consent,
            "consent_basis": rng.choice(("consent", "public_task", "legitimate_interests")) if consent else None,
            "consent_recorded_at": (start + timedelta(minutes=rng.randint(0, 900_000))).isoformat() if consent
            else None,
            "is_champion": rng.random() < 0.05,
            "is_public_representative": rng.random() < 0.1,
            "tags": rng.sample(TAGS, rng.randint(0, 3)),
            "owner_id": None,
            "notes": "Prefers a morning call" if rng.random() < 0.05 else None,
        }


def assessments(rows: list[dict], *, seed: int = 42) -> Iterator[dict]:
    """One general interest/influence score (1–5) and attitude (−2…+2) per stakeholder."""
    rng = random.Random(seed + 2)
    for row in rows:
        yield {"external_id": row["external_id"], "interest": rng.randint(1, 5), "influence": rng.randint(1, 5),
               "attitude": rng.randint(-2, 2)}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


def write_csv(path: Path, columns: tuple[str, ...], rows) -> int:
    n = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
            n += 1
    return n


def generate(out: Path, *, stakeholder_count: int, organisation_count: int, seed: int = 42) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    orgs = organisations(organisation_count, seed=seed)
    people = list(stakeholders(stakeholder_count, orgs, seed=seed))
    paths = {"organisations": out / "organisations.csv", "stakeholders": out / "stakeholders.csv",
             "assessments": out / "assessments.csv"}
    write_csv(paths["organisations"], ORGANISATION_COLUMNS, orgs)
    write_csv(paths["stakeholders"], STAKEHOLDER_COLUMNS, people)
    write_csv(paths["assessments"], ("external_id", "interest", "influence", "attitude"),
              assessments(people, seed=seed))
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stakeholders", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=600)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data")
    args = parser.parse_args()
    paths = generate(args.out, stakeholder_count=args.stakeholders, organisation_count=args.organisations,
                     seed=args.seed)
    for name, path in paths.items():
        print(f"{name}: {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
