"""Tests for the TSK family: deliverable counting, procedures, scope, topics, budget, splitting and task_load."""

from __future__ import annotations

import pytest

from promptlint.checks import tasks as T
from promptlint.checks.task_parse import lead_verb, split_units
from promptlint.engine import Settings, lint_text
from promptlint.loaders import loader_for
from promptlint.model import PromptDocument


def doc_of(name: str, text: str) -> PromptDocument:
    result = loader_for(name)(name, text)
    assert result is not None and result.documents
    return result.documents[0]


def deliverables(name: str, text: str) -> list[tuple[str, int]]:
    return [(t.text, t.line) for t in T.analyse(doc_of(name, text)).deliverables]


def findings(settings: Settings, name: str, text: str, codes: set[str] | None = None):
    settings.enabled = codes or {c for c in settings.rules if c.startswith("TSK")}
    return [f for f in lint_text(name, text, settings).findings if f.code.startswith("TSK")]


LAUNCH = """# Launch week

You're our content lead. Produce all of the following in this session:

1. A press release (600-800 words) with two executive quotes.
2. Landing page copy: hero, three feature blocks and an FAQ.
3. A five-email launch sequence, each with a subject line.
4. Twenty social posts for LinkedIn and Instagram.
5. A 90-second launch video script with a shot list.
6. App Store and Google Play listings in English and Spanish.
7. A sales one-pager.
8. A 12-slide partner pitch deck outline.
9. An investor update email.

Brand voice: calm and warm. Never promise medical outcomes.
"""

STYLE_GUIDE = """# Help center writer

You write help center articles. Each request is for one article.

## Voice
1. Friendly and calm.
2. Use "you" for the reader.
3. Don't blame the user.

## Wording
4. Write numbers as numerals.
5. Use sentence case for headings.
6. Bold UI element names.
7. Write dates as "March 4, 2025".
8. Never include customer names.
9. Put prerequisites in a "Before you start" section.
10. End with "Related articles".

When asked to revise an article, keep its slug and list your changes at the end.
"""

CRITERIA = """Implement the monthly/annual billing toggle on the pricing page.

## Acceptance criteria

1. A segmented control sits above the plan cards.
2. Default selection is "Annual".
3. Switching updates every price without a reload.
4. The selection is reflected in the URL.
5. Invalid values fall back to Annual.
6. Unit tests cover toggling and the fallback.
7. A Playwright test covers the happy path.
8. No new dependencies.

Open a single PR.
"""


# ---------------------------------------------------------------------------------------------
# Counting deliverables
# ---------------------------------------------------------------------------------------------


def test_request_list_of_noun_phrases_counts_each_item():
    found = deliverables("launch.md", LAUNCH)
    assert len(found) == 9
    assert found[0] == ("A press release (600-800 words) with two executive quotes.", 5)
    assert found[-1][1] == 13
    # The lead-in sentence and the constraints after the list are not deliverables.
    assert not any(text.startswith(("You're", "Produce", "Brand", "Never")) for text, _ in found)


def test_style_guide_counts_no_deliverables():
    assert deliverables("style.md", STYLE_GUIDE) == []


def test_acceptance_criteria_belong_to_one_deliverable():
    found = deliverables("toggle.prompt.md", CRITERIA)
    assert [line for _, line in found] == [1]


def test_conditional_tasks_and_capabilities_are_not_deliverables():
    text = """You are the reporting assistant for the finance team.

You can:
- Write SQL queries
- Build dashboards
- Create charts

When the user asks for a monthly report:
- Create a summary table of revenue by region.
- Write a short commentary.
- Build a chart of the trend.
- Draft an email to the CFO.

If the user asks for a forecast, build it from the last 12 months.
When asked to write a test, put it next to the module it covers.
"""
    assert deliverables("finance.txt", text) == []


def test_agent_instruction_file_rules_are_not_deliverables():
    text = """# Contributor guide

## Conventions
- Write tests for every new function.
- Create a migration for each schema change.
- Add type hints to all public functions.
- Update the CHANGELOG for every user-facing change.
- Generate API docs with make docs.
- Write the docs in British English.
- Build the project with make.

Implement the feature the user asks for, then open a PR.
"""
    assert deliverables("AGENTS.md", text) == []


def test_agent_file_request_list_counts():
    text = """---
description: scaffold
---
When this rule is invoked, build the entire product in one go:

1. Create a monorepo with web and mobile apps.
2. Implement the API with 25 REST endpoints.
3. Build the web app in Next.js.
4. Build the mobile app with offline sync.
5. Integrate Stripe billing.
6. Write the user docs.
"""
    assert len(deliverables("new.mdc", text)) == 6


def test_prose_chain_of_requests_is_split_into_clauses():
    text = (
        "Today I need you to write a landing page for our app, draft three blog posts, create a pricing page, "
        "build a signup form, and set up analytics on the site.\n"
    )
    found = deliverables("chat.txt", text)
    assert [t.split()[0].lower() for t, _ in found] == ["today", "draft", "create", "build", "set"]


def test_write_x_and_y_counts_once():
    assert len(deliverables("one.txt", "Write a README with install steps and a usage section and an FAQ.\n")) == 1


def test_inline_enumeration_in_a_json_string():
    text = (
        '{"messages": [{"role": "user", "content": "For our wedding I need: 1) a seating chart, 2) the welcome '
        'speech, 3) a thank-you card template, 4) a planning checklist, 5) a playlist, 6) menu descriptions."}]}'
    )
    found = deliverables("wedding.json", text)
    assert len(found) == 6
    assert all(line == 1 for _, line in found)
    assert found[1][0] == "the welcome speech"


def test_code_fences_quotes_and_examples_are_skipped():
    text = """Fix the flaky test in tests/test_sync.py.

```text
1. Write the README.
2. Build the CLI.
3. Create the installer.
4. Write the changelog.
5. Draft the announcement.
6. Deploy the docs.
```

> Write a poem. Build a house. Create a band. Draft a novel. Plan a trip. Design a logo.

<example>
Write a blog post. Build a website. Create a logo. Draft a memo. Plan a party. Design a flyer.
</example>
"""
    assert len(deliverables("fix.md", text)) == 1


def test_answered_few_shot_turns_and_assistant_messages_are_skipped():
    text = """messages:
  - role: system
    content: You turn requests into Jira tickets.
  - role: user
    content: Write the API docs, build the admin page, fix the login bug, create the billing report, and set up alerts.
  - role: assistant
    content: "5 tickets: API docs; admin page; login bug; billing report; alerts."
  - role: user
    content: Add dark mode to the settings page.
"""
    found = deliverables("tickets.yaml", text)
    assert [t for t, _ in found] == ["Add dark mode to the settings page."]


def test_lead_verb_skips_fillers_and_request_prefixes():
    assert lead_verb("Please also write the release notes")[0] == "write"
    assert lead_verb("I need you to set up CI")[0] == "set-up"
    assert lead_verb("Make sure tests pass")[0] == "make-sure"
    assert lead_verb("Make a 12-week plan")[0] == "make"
    assert lead_verb("EDIT: narration can run longer")[0] == ""


# ---------------------------------------------------------------------------------------------
# Splitting and reporting
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "limit", "expected"),
    [
        (0, 5, []),
        (3, 5, [[1, 2, 3]]),
        (9, 5, [[1, 2, 3, 4, 5], [6, 7, 8, 9]]),
        (10, 5, [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]),
        (11, 5, [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11]]),
        (33, 12, [list(range(1, 12)), list(range(12, 23)), list(range(23, 34))]),
    ],
)
def test_split_sessions_is_balanced_ordered_and_under_the_limit(count, limit, expected):
    sessions = T.split_sessions(count, limit)
    assert sessions == expected
    assert all(len(s) <= limit for s in sessions)
    assert [i for s in sessions for i in s] == list(range(1, count + 1))


def test_too_many_deliverables_reports_once_with_data(settings: Settings):
    found = findings(settings, "launch.md", LAUNCH, {"TSK001"})
    assert len(found) == 1
    f = found[0]
    assert f.line == 5
    assert f.message.startswith("9 deliverables in one session (limit 5): 'A press release")
    assert "split into 2 sessions: [1-5] lines 5-9, [6-9] lines 10-13" in f.message
    assert "\n" not in f.message
    assert f.data["limit"] == 5
    assert f.data["sessions"] == [[1, 2, 3, 4, 5], [6, 7, 8, 9]]
    assert f.data["deliverables"][0] == {
        "text": "A press release (600-800 words) with two executive quotes.",
        "line": 5,
    }
    assert len(f.data["deliverables"]) == 9


def test_max_deliverables_parameter(settings: Settings):
    settings.enabled = {"TSK001"}
    settings.params["TSK001"] = {"max_deliverables": 9}
    assert [f for f in lint_text("launch.md", LAUNCH, settings).findings if f.code == "TSK001"] == []
    settings.params["TSK001"] = {"max_deliverables": 3}
    (f,) = [f for f in lint_text("launch.md", LAUNCH, settings).findings if f.code == "TSK001"]
    assert f.data["sessions"] == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]


def test_hard_negatives_raise_no_tsk_finding(settings: Settings):
    for name, text in (("style.md", STYLE_GUIDE), ("toggle.prompt.md", CRITERIA)):
        assert findings(settings, name, text) == []


# ---------------------------------------------------------------------------------------------
# Procedures
# ---------------------------------------------------------------------------------------------

SHORT_PROCEDURE = """You clean one uploaded CSV file per session.

Procedure:
1. Read the header and confirm the expected columns.
2. Trim whitespace and fix the capitalization of names.
3. Lowercase emails and remove rows with invalid emails.
4. Normalize postcodes.
5. Deduplicate on email.
6. Drop rows where opted_in is false.
7. Write the change log.
"""


def test_short_procedure_counts_acting_steps_only():
    a = T.analyse(doc_of("clean.txt", SHORT_PROCEDURE))
    assert len(a.procedure) == 7
    assert len(a.action_steps) == 6  # "Read the header and confirm ..." only reads
    assert len(a.deliverables) <= 2


def test_long_numbered_procedure_fires_at_first_step(settings: Settings):
    steps = "\n".join(f"{i}. Write the migration script for table_{i}." for i in range(1, 16))
    text = f"Migrate the warehouse in one run by performing every step below:\n\n{steps}\n"
    (f,) = findings(settings, "run.prompt", text, {"TSK002"})
    assert f.line == 3
    assert f.data["limit"] == 12
    assert len(f.data["steps"]) == 15
    assert f.data["sessions"] == [list(range(1, 9)), list(range(9, 16))]
    assert findings(settings, "clean.txt", SHORT_PROCEDURE) == []


def test_step_n_and_first_then_finally_procedures():
    steps = "\n".join(f"Step {i}: Create the module_{i} package." for i in range(1, 5))
    assert len(T.analyse(doc_of("s.txt", steps + "\n")).action_steps) == 4
    prose = (
        "First, clone the repo. Then create a branch. Next, update the changelog. "
        "After that, build the images. Finally, deploy the service.\n"
    )
    assert len(T.analyse(doc_of("p.txt", prose)).action_steps) == 5


def test_numbered_rules_under_headings_are_not_a_procedure():
    assert T.analyse(doc_of("style.md", STYLE_GUIDE)).action_steps == []


# ---------------------------------------------------------------------------------------------
# Unbounded scope
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "count"),
    [
        ("Refactor the entire codebase to use async I/O.", "entire", None),
        ("Convert every file in the src directory to TypeScript.", "all-in", None),
        ("Write a 30,000-word novel about a lighthouse keeper.", "size", 30000),
        ("Write a thank-you email for each of the 200 customers in customers.csv.", "count", 200),
        ("Create 180 lesson plans for Year 3.", "count", 180),
        ("Translate the help center into 12 languages.", "languages", 12),
    ],
)
def test_unbounded_scope_kinds(text, kind, count):
    (scope,) = T.find_scopes(doc_of("p.txt", text + "\n"))
    assert scope.kind == kind
    assert scope.count == count


@pytest.mark.parametrize(
    "text",
    [
        "Search the entire codebase for usages before you rename anything.",
        "You have read access to the entire repository.",
        "Generate 30 review questions about the chapter.",
        "Keep the whole response under 800 words.",
        "Write 20 social posts for the launch.",
        "When asked to refactor the entire app, propose a plan first.",
        "Summarize the core idea in not more than 1000 characters.",
    ],
)
def test_bounded_or_read_only_requests_are_not_unbounded(text):
    assert T.find_scopes(doc_of("p.txt", text + "\n")) == []


def test_unbounded_scope_finding_proposes_batches(settings: Settings):
    text = "You write friendly emails.\n\nWrite a thank-you email for each of the 45 donors in donors.csv.\n"
    (f,) = findings(settings, "donors.md", text, {"TSK003"})
    assert f.line == 3
    assert "split into 3 sessions of at most 20" in f.message
    assert f.data["sessions"] == [[1, 20], [21, 40], [41, 45]]
    assert f.data["scopes"][0]["count"] == 45


# ---------------------------------------------------------------------------------------------
# Bundled objectives
# ---------------------------------------------------------------------------------------------

BUNDLE = """messages:
  - role: user
    content: |
      Big day, I need help with a bunch of stuff:

      1. Fix the race condition in the invoice worker, add tests, and open a PR.
      2. Plan a 10-day trip to Japan: flights, hotels and an itinerary.
      3. Write the best-man speech for my brother's wedding.
      4. Refactor the auth module to use the new session library.
"""


def test_topics_cluster_related_deliverables():
    tasks = T.analyse(doc_of("bundle.yaml", BUNDLE)).deliverables
    topics = {t.domain: t.members for t in T.find_topics(tasks)}
    assert topics == {"software": [1, 4], "travel": [2], "event": [3]}


def test_bundled_objectives_finding(settings: Settings):
    (f,) = findings(settings, "bundle.yaml", BUNDLE, {"TSK004"})
    assert f.line == 6
    assert f.data["sessions"] == [[1, 4], [2], [3]]
    assert [t["topic"] for t in f.data["topics"]] == ["software", "travel", "event"]


def test_one_feature_is_one_topic(settings: Settings):
    text = (
        "Add CSV export to the reports page: write the export service, add an Export button to the toolbar, "
        "and write unit tests for the service.\n"
    )
    assert findings(settings, "feature.md", text, {"TSK004"}) == []


# ---------------------------------------------------------------------------------------------
# Budget and statistics
# ---------------------------------------------------------------------------------------------


def test_estimate_tokens_blends_characters_and_words():
    assert T.estimate_tokens("") == 0
    assert T.estimate_tokens("word " * 100) == round((499 / 4 + 130) / 2)


def test_budget_ignores_attached_documents():
    body = "lorem ipsum dolor sit amet " * 200
    doc = doc_of("a.md", f"Summarise the document in three bullets.\n\n<document>\n{body}\n</document>\n")
    assert T.instruction_tokens(doc) < 20


def test_prompt_budget_is_off_by_default_and_fires_when_selected(settings: Settings):
    assert settings.rules["TSK005"].default is False
    text = "Answer questions about orders and returns politely. " * 40
    settings.enabled = {"TSK005"}
    settings.params["TSK005"] = {"max_tokens": 100}
    (f,) = [f for f in lint_text("long.md", text, settings).findings if f.code == "TSK005"]
    assert f.data["limit"] == 100 and f.data["tokens"] > 100


def test_task_load_statistics():
    load = T.task_load(doc_of("launch.md", LAUNCH))
    assert load["deliverables"] == 9
    assert load["steps"] == 0
    assert load["constraints"] >= 1  # "Never promise medical outcomes."
    assert load["topics"] >= 1
    assert load["tokens"] > 50
    assert load["limits"] == {"deliverables": 5, "steps": 12, "topics": 3, "tokens": 6000, "count": 20}


def test_task_load_of_style_guide_is_constraints_only():
    load = T.task_load(doc_of("style.md", STYLE_GUIDE))
    assert load["deliverables"] == 0 and load["steps"] == 0 and load["topics"] == 0
    assert load["constraints"] >= 8


def test_task_load_accepts_parameters():
    load = T.task_load(doc_of("clean.txt", SHORT_PROCEDURE), {"max_steps": 5})
    assert load["steps"] == 6
    assert load["limits"]["steps"] == 5


def test_units_keep_file_lines():
    units = split_units(doc_of("launch.md", LAUNCH))
    assert [u.line for u in units if u.kind == "item"] == list(range(5, 14))


def test_parsing_is_linear_on_large_prompts():
    import time

    big = "\n".join(f"- Use the {i} convention when you write code, and never skip tests." for i in range(20000))
    doc = doc_of("big.md", big)
    start = time.perf_counter()
    T.task_load(doc)
    assert time.perf_counter() - start < 5


def _first_letters(pattern) -> set[str] | None:
    """The literal first characters of an anchored pattern's alternatives (None: some alternative opens otherwise)."""
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]

    def firsts(data) -> set[str] | None:
        for op, av in data:
            if op is C.LITERAL:
                return {chr(av)}
            if op is C.SUBPATTERN:
                return firsts(av[3].data)
            if op is C.BRANCH:
                out: set[str] = set()
                for branch in av[1]:
                    f = firsts(branch.data)
                    if f is None:
                        return None
                    out |= f
                return out
            return None
        return None

    return firsts(_parser.parse(pattern._pattern, pattern._flags).data)


def test_first_letter_prechecks_match_their_patterns():
    from promptlint.checks import task_parse as P

    pairs = [
        (P._CONDITIONAL, P._CONDITIONAL_FIRST),
        (P._FILLER, P._FILLER_FIRST),
        (P._REQUEST_PREFIX, P._REQUEST_PREFIX_FIRST),
        (P._INVOCATION, P._INVOCATION_FIRST),
        (T._SEQ_MARK, T._SEQ_MARK_FIRST),
    ]
    for pattern, first in pairs:
        letters = _first_letters(pattern)
        assert letters is not None and {c.lower() for c in first} == letters
        for c in map(chr, range(128)):  # an ASCII first character outside the set never matches
            if c not in first:
                assert pattern.match(c + "f the user asks") is None


def test_after_abbreviation_matches_regex():
    import itertools

    from promptlint.checks.task_parse import _ABBREV, _after_abbreviation

    pieces = ["".join(p) for n in range(5) for p in itertools.product("eg.tcs 1_\nſK", repeat=n)]
    pieces += ["e.g", "i.e", "etc", "Mrs", "approx", "x approx", "xapprox", "incl", "Fig", "pp", "al", "no", "A", "1"]
    for piece in pieces:
        assert _after_abbreviation(piece) == (_ABBREV.search(piece) is not None), piece


def test_find_topics_joins_transitively():
    texts = ["Write the marathon plan", "Book the hotel", "Fix the login bug", "Plan the marathon diet"]
    tasks = [T.Task(text=t, line=i + 1, verb="", obj="", unit=None) for i, t in enumerate(texts)]  # type: ignore[arg-type]
    topics = T.find_topics(tasks)
    assert [t.members for t in topics] == [[1, 4], [2], [3]]


def test_topic_name_tie_goes_to_the_first_domain(monkeypatch):
    tasks = [
        T.Task(text=t, line=i + 1, verb="", obj="", unit=None)
        for i, t in enumerate(["Write the marathon plan", "Book the marathon trip"])
    ]  # type: ignore[arg-type]
    for order in (["travel", "people"], ["people", "travel"]):
        monkeypatch.setattr(T, "_domain", lambda t, order=order: order[t.line - 1])
        (topic,) = T.find_topics(tasks)
        assert topic.domain == order[0]
