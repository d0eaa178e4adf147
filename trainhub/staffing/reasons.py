"""The engine's reasons in the user's language.

The engine gives each reason as an English sentence plus a code with parameters; the app shows
the translation of the code, filling in names for ids and codes, and falls back to the English
sentence for a code it does not know.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from trainhub import vocab

# (code, what the reason is about) -> message; what: post, candidate or None (any).
MESSAGES = {
    ("rules_contradict", None): _l("the rules contradict each other"),
    ("time_limit_no_solution", None): _l("no solution found within the time limit"),
    ("no_qualified_candidate", None): _l("no candidate is qualified for %(subject)s, %(stage)s"),
    ("county_not_accepted", "post"): _l("no candidate qualified for %(subject)s, %(stage)s accepts %(county)s"),
    ("county_not_accepted", "candidate"): _l("no matching post in the counties they accept"),
    ("not_in_preferences", "post"): _l("no candidate qualified for %(subject)s, %(stage)s chose this post"),
    ("own_school_only", "post"): _l("the candidates qualified for %(subject)s, %(stage)s all come from this school"),
    ("own_school_only", "candidate"): _l("the only matching posts are at their home school"),
    ("no_candidate_within_distance", None): _l("no candidate qualified for %(subject)s, %(stage)s within the distance limit"),
    ("forbidden_by_rule", "post"): _l("the candidates qualified for %(subject)s, %(stage)s are forbidden from this post"),
    ("forbidden_by_rule", "candidate"): _l("the matching posts are forbidden by an officer's rule"),
    ("no_eligible_candidate", None): _l("no eligible candidate"),
    ("no_preferences_listed", None): _l("chose no posts"),
    ("no_matching_post", None): _l("no post matches their subjects and stages"),
    ("no_post_within_distance", None): _l("no matching post within the distance limit"),
    ("no_eligible_post", None): _l("no eligible post"),
    ("locked", None): _l("locked by an officer"),
    ("directed_first", None): _l("directed-training graduate, placed before open recruitment"),
    ("no_preferences", None): _l("accepts any eligible post"),
    ("first_choice", None): _l("first choice"),
    ("choice_rank", None): _l("choice %(rank)s of %(of)s"),
    ("only_eligible_candidate", None): _l("the only eligible candidate for this post"),
    ("preferred_taken_by_higher", None): _l("%(count)s preferred posts taken by higher scores"),
    ("preferred_filled", None): _l("%(count)s preferred posts filled by others"),
    ("placed_for_coverage", None): _l("placed here to fill a post of weight %(weight)s"),
    ("score_order", None): _l("chose in score order, position %(position)s"),
    ("held_back_by_rules", "post"): _l("%(count)s eligible candidates left out by the side rules"),
    ("held_back_by_rules", "candidate"): _l("left out by the side rules"),
    ("eligible_preferred_other", None): _l("all %(count)s eligible candidates took posts they preferred"),
    ("all_eligible_placed_here", None): _l("all %(count)s eligible candidates were placed here; too few for the seats"),
    ("eligible_placed_higher_weight", None): _l("all %(count)s eligible candidates were placed on posts of equal or higher weight"),
    ("eligible_placed_elsewhere", None): _l("all %(count)s eligible candidates were placed on other posts"),
    ("all_taken_by_higher", None): _l("all %(count)s posts they could take went to higher scores"),
    ("all_filled", None): _l("all %(count)s posts they could take were filled by others"),
    ("source_school_cap", None): _l("their school %(school)s already sends its maximum of %(max_out)s"),
    ("key_share_limit", None): _l("the key-teacher share limits how many others can go"),
    ("envy_tradeoff", None): _l("left out to avoid justified envy"),
    ("locked_ineligible", None): _l("%(candidate)s is locked to %(post)s but is not eligible for it"),
    ("locked_twice", None): _l("%(candidate)s is locked to two posts"),
    ("locked_over_seats", None): _l("%(locked)s candidates are locked to %(post)s, which has %(seats)s seats"),
    ("rule_locked", None): _l("%(candidate)s is locked to %(post)s"),
    ("rule_source_min", None): _l("school %(school)s sends at least %(min_out)s"),
    ("rule_source_max", None): _l("school %(school)s sends at most %(max_out)s"),
    ("rule_key_share", None): _l("key teachers are at least %(percent)s of those sent"),
}


class Names:
    """Display names for the ids and codes that appear in reason parameters."""

    def __init__(self, subjects: dict[str, str], counties: dict[str, str], schools: dict[str, str],
                 candidates: dict[str, str]):
        self.subjects, self.counties, self.schools, self.candidates = subjects, counties, schools, candidates

    def value(self, key: str, value):
        if key == "subject":
            return self.subjects.get(value, value)
        if key == "stage":
            return vocab.label(vocab.STAGES, value)
        if key == "county":
            return self.counties.get(value, value)
        if key == "school":
            return self.schools.get(value, value)
        if key == "candidate":
            return self.candidates.get(value, value)
        return value


def translate(reason: dict, about: str | None, names: Names) -> str:
    """Return the reason in the user's language; the engine's English sentence when unknown."""
    code = reason.get("code")
    message = MESSAGES.get((code, about)) or MESSAGES.get((code, None))
    if message is None:
        return reason.get("text", "")
    params = {key: names.value(key, value) for key, value in (reason.get("params") or {}).items()}
    if "share" in params:
        params["percent"] = f"{float(params['share']):.0%}"
    try:
        return str(message) % params
    except (KeyError, TypeError, ValueError):
        return reason.get("text", "")


# The engine's result statuses and solving methods, as an officer reads them.
ENGINE_LABELS = {
    "optimal": _l("proven optimal"),
    "feasible": _l("best found within the time limit"),
    "infeasible": _l("no solution: the rules contradict"),
    "error": _l("failed"),
    "min_cost_flow": _l("min-cost flow"),
    "serial_dictatorship": _l("choice in score order"),
    "mip_cbc": _l("integer program"),
    "mip_scip": _l("integer program"),
    "mip_highs_balanced": _l("integer program (balanced)"),
    "cpsat_balanced": _l("constraint programming (balanced)"),
    "cpsat_min_envy": _l("constraint programming (least envy)"),
    "cpsat_plain": _l("constraint programming"),
    "lagrangian_flow": _l("min-cost flow with a priced key-teacher share"),
    "itinerant_exchange_search": _l("exchange search with bounds (itinerant plan)"),
}


def engine_label(code: str | None) -> str:
    """Return the officer's words for an engine status or method, or the code itself if unknown."""
    return str(ENGINE_LABELS.get(code, code or ""))
