"""Codes of the training domain with their translatable labels, and its settings with defaults."""
from flask import current_app
from flask_babel import lazy_gettext as _l

TIERS = {
    "national": _l("National (国培)"),
    "provincial": _l("Provincial (省培)"),
    "prefecture": _l("Prefecture (州培)"),
    "county": _l("County (县培)"),
    "school": _l("School-based (校本)"),
}
COUNTY_OR_ABOVE = ("national", "provincial", "prefecture", "county")

MODES = {
    "face_to_face": _l("Face-to-face"),
    "online": _l("Online"),
    "blended": _l("Blended"),
    "countryside": _l("Sending training to the countryside (送教下乡)"),
    "shadowing": _l("Shadowing"),
    "workshop": _l("Workshop"),
}

TARGET_ROLES = {
    "principal": _l("Principals"),
    "homeroom": _l("Homeroom teachers"),
    "key_teacher": _l("Key teachers"),
    "new_teacher": _l("New teachers"),
}

APPROVALS = {
    "none": _l("No approval"),
    "school": _l("School approves"),
    "school_county": _l("School, then county approves"),
}

PROGRAMME_STATUSES = {
    "draft": _l("Draft"),
    "open": _l("Open for applications"),
    "closed": _l("Closed"),
    "finished": _l("Finished"),
}
# status -> statuses it may move to
PROGRAMME_TRANSITIONS = {
    "draft": ("open",),
    "open": ("closed",),
    "closed": ("open", "finished"),
    "finished": (),
}

ENROLMENT_STATUSES = {
    "applied": _l("Applied"),
    "enrolled": _l("Enrolled"),
    "waitlisted": _l("Waitlisted"),
    "attended": _l("Attended"),
    "completed": _l("Completed"),
    "failed": _l("Failed"),
    "withdrawn": _l("Withdrawn"),
    "rejected": _l("Rejected"),
}

WAITLIST_REASONS = {
    "quota": _l("The seats of the teacher's unit are used up."),
    "full": _l("The programme is full."),
}

EVIDENCE_TIERS = TIERS | {"external": _l("External or other")}

# Setting name -> default. Local rules: a bureau overrides them in the instance config.
SETTINGS = {
    # Hours that make one credit, per mode.
    "TRAINING_CREDIT_HOURS": {"face_to_face": 10, "online": 10, "blended": 10, "countryside": 8,
                              "shadowing": 8, "workshop": 8},
    "TRAINING_CYCLE_START_YEAR": 2021,  # cycles of five years: 2021-2025, 2026-2030, ...
    "TRAINING_CYCLE_YEARS": 5,
    "TRAINING_CYCLE_HOURS": 360,
    "TRAINING_COUNTY_OR_ABOVE_HOURS": 180,
    "TRAINING_INDUCTION_HOURS": 120,
    "TRAINING_NEW_TEACHER_YEARS": 3,  # hired this recently: a "new teacher" for programme targeting
    "TRAINING_CERTIFICATE_PREFIX": "PX",
    "TRAINING_MAX_HOURS": 1000,  # more hours than this in one record is a typing error
}


def setting(name: str):
    return current_app.config.get(name, SETTINGS[name])
