"""The ensemble's pure parts: projections, scores, intervals, clusters, bias/variance, templates, config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from promptlint.config import ConfigError, load_config
from promptlint.ensemble import projections as pj
from promptlint.ensemble.config import build_options, ensemble_extend_select
from promptlint.ensemble.cost import Budget, CallEstimate, caching_saves, estimate_tokens, price_for
from promptlint.ensemble.metrics import SPELLING_WEIGHT, adaptive_checkpoints, score_samples, stop_decision
from promptlint.ensemble.templates import TemplateError, render_document, render_text
from promptlint.ensemble.validate import EnsembleConfigError, validate_section
from promptlint.loaders import loader_for

# -- answers and normalisation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Colombia", "Columbia"),
        ("Hay Fever", "Hayfever"),
        ("1,000", "1000.0"),
        ("Edison", "Thomas Edison"),
        ("**Approve**", "approve."),
        ("The Beatles", "Beatles"),
    ],
)
def test_spellings_of_one_answer_agree(a: str, b: str) -> None:
    assert pj.same_answer(pj.normalise_answer(a), pj.normalise_answer(b))


@pytest.mark.parametrize(
    ("a", "b"), [("1984", "1985"), ("Austria", "Australia"), ("approve", "reject"), ("Botswana", "Namibia")]
)
def test_different_answers_disagree(a: str, b: str) -> None:
    assert not pj.same_answer(pj.normalise_answer(a), pj.normalise_answer(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("red", "red and white"),
        ("Spanish", "not Spanish"),
        ("coffee", "coffee or tea"),
        ("guilty", "never guilty"),
        ("Botswana", "Botswana but not Namibia"),
        ("with sugar", "without sugar"),
        ("France", "France vs Spain"),
    ],
)
def test_a_connective_or_negation_makes_a_different_answer(a: str, b: str) -> None:
    na, nb = pj.normalise_answer(a), pj.normalise_answer(b)
    assert not pj.same_answer(na, nb) and not pj.same_answer(nb, na)
    assert len(pj.cluster_answers([na, nb, na])) == 2


def test_extra_words_without_a_connective_still_merge() -> None:
    assert pj.same_answer("edison", "thomas alva edison")
    assert pj.same_answer("paris", "paris france")
    assert pj.cluster_answers(["red", "dark red", "red and white", "red"]) == [[0, 1, 3], [2]]


def test_marked_answers_are_extracted() -> None:
    assert pj.extract_marked_answer("Reasoning…\nFinal answer: 42") == "42"
    assert pj.extract_marked_answer("**Verdict:** Approve — the change is safe.") == "Approve"
    assert pj.extract_marked_answer("so \\boxed{17} it is") == "17"
    assert pj.extract_marked_answer("Answer:\nParis") == "Paris"
    assert pj.extract_marked_answer("I think the answer is Paris.") == "Paris"
    assert pj.extract_marked_answer("No marker here") is None


def test_json_is_found_in_fences_and_prose() -> None:
    assert pj.extract_json('```json\n{"a": 1}\n```') == (True, {"a": 1})
    assert pj.extract_json('Here you go: {"a": [1, 2]} enjoy') == (True, {"a": [1, 2]})
    assert pj.extract_json("no json") == (False, None)
    assert pj.flatten_json({"b": {"c": 1}, "a": [1, 2]}) == {"$.a": "[1, 2]", "$.b.c": 1}


def test_refusals() -> None:
    assert pj.is_refusal("I can't help with that.")
    assert pj.is_refusal("I'm sorry, but I cannot assist with creating phishing emails.")
    assert pj.is_refusal("I won't write that, but I can help with something else.")
    assert not pj.is_refusal("Sure! Here is the poem.")
    assert not pj.is_refusal("I can't wait to help: here is your plan.")


def test_user_projections() -> None:
    regex = pj.parse_projection(r"regex:Verdict: (\w+)")
    assert isinstance(regex, pj.UserProjection) and regex("x\nVerdict: APPROVE") == "approve"
    path = pj.parse_projection("json:$.label")
    assert isinstance(path, pj.UserProjection) and path('{"label": "Bug"}') == "bug"
    with pytest.raises(ValueError):
        pj.parse_projection("regex:(")
    with pytest.raises(ValueError):
        pj.parse_projection("xpath://a")


# -- scores ---------------------------------------------------------------------------------------


def test_consistent_verdicts_score_zero() -> None:
    div = score_samples(["Looks fine.\nVerdict: APPROVE", "Verdict: approve.", "**Verdict:** Approve — safe"] * 3)
    assert div.projection == "answer" and div.score == 0.0 and not div.flagged
    assert [c.value for c in div.clusters] == ["approve"]


def test_split_verdicts_are_flagged_with_an_interval() -> None:
    div = score_samples(["Verdict: approve", "Verdict: reject"] * 5)
    assert div.score == pytest.approx(0.5)
    lo, hi = div.interval
    assert 0.2 < lo <= 0.5 <= hi + 1e-9
    assert div.flagged and len(div.clusters) == 2
    i, j = div.contrast
    assert {div.values[i], div.values[j]} == {"approve", "reject"}


def test_interval_is_reproducible_and_narrows_with_more_samples() -> None:
    few = score_samples(["A", "B", "A", "B"], projection="label")
    again = score_samples(["A", "B", "A", "B"], projection="label")
    many = score_samples(["A", "B"] * 10, projection="label")
    assert few.interval == again.interval
    assert (many.interval[1] - many.interval[0]) < (few.interval[1] - few.interval[0])


def test_numeric_answers_compare_as_numbers() -> None:
    assert score_samples(["Answer: 1,000", "Answer: 1000.0", "The answer is 1000.", "Answer: 1000"]).score == 0
    assert score_samples(["Answer: 1000", "Answer: 1200", "Answer: 1000", "Answer: 900"]).score == 0.5


def test_json_field_by_field_and_format_failures() -> None:
    same = ['{"label": "bug", "priority": 2}', '```json\n{"priority": 2.0, "label": "Bug"}\n```']
    div = score_samples(same * 2)
    assert div.projection == "json" and div.score == 0
    split = ['{"label": "bug", "p": 2}', '{"label": "feature", "p": 2}'] * 3 + ["Sure! It is a bug."]
    div = score_samples(split)
    assert div.decided_by == "JSON field $.label" and div.score == pytest.approx(0.5)
    assert div.format_failures == [6] and div.format_inconsistent
    assert {f.path for f in div.fields} == {"$.label", "$.p"}


def test_json_prose_fields_tolerate_paraphrase() -> None:
    samples = [
        '{"verdict": "approve", "reason": "The change is small, well tested and keeps the public API unchanged."}',
        '{"verdict": "approve", "reason": "Small change with good tests; the public API stays unchanged."}',
        '{"verdict": "approve", "reason": "It is a small, well-tested change and the public API is unchanged."}',
        '{"verdict": "approve", "reason": "Well tested and small; it leaves the public API unchanged."}',
    ]
    assert score_samples(samples).score == 0


def test_refusal_split_is_separate_from_divergence() -> None:
    div = score_samples(["I can't help with that.", "Here is the poem: roses.", "I'm sorry, but I won't do that."])
    assert div.refusal_split and div.refusals == [0, 2]
    assert score_samples(["I can't help with that."] * 3).projection == "refusal"
    flagged_by_api = score_samples(["", "Here it is.", "Here it is."], refusals=[True, False, False])
    assert flagged_by_api.refusals == [0]


PARAPHRASES = [
    "I recommend PostgreSQL for this workload. It gives you ACID transactions, mature tooling and JSONB columns.",
    "PostgreSQL is the best fit here: transactions are fully ACID, the tooling is mature, and JSONB stores the "
    "flexible fields.",
    "Go with PostgreSQL. You need strong transactional guarantees, and its JSONB support covers the "
    "semi-structured data.",
    "Use PostgreSQL. Its ACID guarantees suit the order data, and JSONB handles the loosely structured attributes.",
    "My recommendation is PostgreSQL, because it combines reliable transactions with JSONB for flexible data.",
    "PostgreSQL would be my choice: reliable ACID transactions, good JSON support via JSONB, and mature tooling.",
]
OTHER = [
    "I recommend MongoDB for this workload. Its flexible document model fits the changing schema and it shards.",
    "MongoDB is the better option here: documents map naturally to your objects, and sharding lets it scale out.",
    "Go with MongoDB, since the schema will keep evolving and a document store avoids painful migrations.",
    "Choose MongoDB: a document database suits an evolving schema, and sharding handles growth.",
]


def test_paraphrases_are_not_flagged_but_different_recommendations_are() -> None:
    same = score_samples(PARAPHRASES)
    assert same.projection == "prose" and same.score == 0 and not same.flagged
    mixed = score_samples(PARAPHRASES + OTHER)
    assert mixed.score == pytest.approx(0.4) and mixed.flagged
    assert [c.size for c in mixed.clusters] == [6, 4]


def test_bias_variance_against_expected() -> None:
    right = score_samples(["Verdict: approve"] * 4, expected="approve")
    assert right.bias2 == 0 and right.variance == 0
    wrong = score_samples(["Verdict: reject"] * 4, expected="Verdict: approve")
    assert wrong.bias2 == pytest.approx(2.0) and wrong.variance == 0 and wrong.incoherence == 0
    split = score_samples(["Verdict: approve", "Verdict: reject"] * 2, expected="approve")
    assert split.bias2 == pytest.approx(0.5) and split.variance == pytest.approx(0.5)
    assert split.incoherence == pytest.approx(0.5)
    prose = score_samples(PARAPHRASES, expected=PARAPHRASES[0])
    assert prose.bias2 is not None and prose.variance > 0 and 0 < prose.incoherence < 1


def test_adaptive_stops_early_when_samples_agree() -> None:
    assert adaptive_checkpoints(10, 3) == [3, 5, 8, 10]
    agree = score_samples(["bug"] * 10, adaptive=True)
    assert agree.n == 3 and agree.stop_reason == "all samples agree"
    split = score_samples(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"], adaptive=True, projection="label")
    assert split.n < 10 and split.stop_reason == "clearly above the threshold"
    unclear = score_samples(["a", "a", "b", "a", "a", "a", "b", "a", "a", "a"], adaptive=True, projection="label")
    assert unclear.n == 10 and unclear.stop_reason == ""


def test_to_json_is_serialisable() -> None:
    div = score_samples(["Verdict: approve", "Verdict: reject"] * 3, expected="approve")
    data = json.loads(json.dumps(div.to_json()))
    assert data["projection"] == "answer" and data["clusters"][0]["size"] == 3 and "bias2" in data


# -- the spelling weight: exact values blended with merged clusters ----------------------------------


@pytest.mark.parametrize(
    "samples",
    [["Leopoldville", "Léopoldville"] * 10, ["hay fever"] * 10 + ["hayfever"] * 10, ["Colombia", "Columbia"] * 5],
)
def test_spelling_variants_alone_count_a_third_and_are_not_flagged(samples: list[str]) -> None:
    div = score_samples(samples)
    assert len(div.clusters) == 1 and div.semantic_score == 0 and div.surface_score == pytest.approx(0.5)
    assert div.score == pytest.approx(SPELLING_WEIGHT * div.surface_score) and div.score == pytest.approx(1 / 6)
    assert not div.flagged and div.interval[0] <= div.score <= div.interval[1]
    assert div.spelling_weight == SPELLING_WEIGHT == pytest.approx(1 / 3)
    assert score_samples(samples, spelling_weight=0).score == 0
    assert score_samples(samples, spelling_weight=1).score == pytest.approx(0.5)  # plain majority share


@pytest.mark.parametrize(
    "samples",
    [
        ["Verdict: approve", "Verdict: reject"] * 5,
        ["Paris", "Lyon", "Paris", "Nice", "Paris", "Lyon"],
        ["Answer: 1984", "Answer: 1985", "Answer: 1984", "Answer: 1990"],
        ['{"label": "bug", "p": 2}', '{"label": "feature", "p": 2}'] * 3,
    ],
)
def test_different_answers_score_as_before_at_any_weight(samples: list[str]) -> None:
    """Without spellings to merge the two terms are one: the score and interval do not depend on the weight."""
    old = score_samples(samples, spelling_weight=0)
    assert old.score == old.semantic_score == old.surface_score
    for weight in (SPELLING_WEIGHT, 0.5, 1.0):
        div = score_samples(samples, spelling_weight=weight)
        assert (div.score, div.interval, div.flagged) == (old.score, old.interval, old.flagged)


# score and interval of ``score_samples`` before the spelling weight existed (commit 8afa5e1)
_JSON_SPELLINGS = ['{"country": "Colombia", "n": 2}', '{"country": "Columbia", "n": 2}']
_JSON_SPELLINGS += ['{"country": "Colombia", "n": 3}', '{"country": "colombia", "n": 2}']
_EDISON = ["Answer: Thomas Edison", "Answer: Edison", "Answer: Tesla", "Answer: Edison", "Answer: Edisson"]
_HAY_FEVER = ["hay fever", "hayfever", "asthma", "hay fever", "hayfever", "hay fever", "hay-fever", "hay fever"]
_BEFORE_THE_BLEND = [
    (
        ["Colombia"] * 6 + ["Columbia"] * 3 + ["Peru"],
        False,
        0.09999999999999998,
        (0.011037390048423332, 0.23548922039840198),
    ),
    (_JSON_SPELLINGS * 2, False, 0.25, (0.07578629946843848, 0.4149247995421876)),
    (_EDISON * 2, False, 0.19999999999999996, (0.05877097794696479, 0.3755237555203881)),
    ([*_HAY_FEVER, "hayfever", "hay fever"], True, 0.09999999999999998, (0.013649733790408946, 0.223994313945072)),
]


@pytest.mark.parametrize(("samples", "adaptive", "score", "interval"), _BEFORE_THE_BLEND)
def test_weight_zero_reproduces_the_old_score_exactly(samples, adaptive, score, interval) -> None:
    div = score_samples(samples, spelling_weight=0, adaptive=adaptive)
    assert div.score == score and div.interval == interval
    blended = score_samples(samples, adaptive=adaptive)
    assert blended.score >= score  # the blend only adds the spread of merged spellings
    expected = (1 - SPELLING_WEIGHT) * blended.semantic_score + SPELLING_WEIGHT * blended.surface_score
    assert blended.score == pytest.approx(expected)


@pytest.mark.parametrize("weight", [0.0, 0.25, SPELLING_WEIGHT, 0.5, 1.0])
@pytest.mark.parametrize(
    "samples",
    [
        ["Leopoldville", "Léopoldville", "Kinshasa", "Leopoldville"],
        ["Colombia"] * 5 + ["Columbia"] * 4 + ["Peru"] * 3,
        ['{"country": "Colombia", "n": 2}', '{"country": "Columbia", "n": 2}', '{"country": "Peru", "n": 2}'] * 3,
        ["A", "B"],
        ["Verdict: approve"] * 7,
    ],
)
def test_the_interval_contains_the_score(samples: list[str], weight: float) -> None:
    div = score_samples(samples, spelling_weight=weight)
    lo, hi = div.interval
    assert 0 <= lo <= div.score <= hi <= 1
    assert div.flagged == (lo > div.threshold)


def test_json_fields_are_blended_and_the_worst_blended_field_decides() -> None:
    # $.country: one answer in two spellings (5/5); $.n: 7 × 2, 3 × 3, a real but smaller disagreement
    samples = [json.dumps({"country": "Colombia" if k % 2 else "Columbia", "n": 3 if k < 3 else 2}) for k in range(10)]
    div = score_samples(samples)
    fields = {f.path: f for f in div.fields}
    assert fields["$.country"].semantic == 0 and fields["$.country"].surface == pytest.approx(0.5)
    assert fields["$.country"].score == pytest.approx(1 / 6) and fields["$.n"].score == pytest.approx(0.3)
    assert div.decided_by == "JSON field $.n" and div.score == pytest.approx(0.3)
    only_spelling = score_samples(samples, spelling_weight=1)
    assert only_spelling.decided_by == "JSON field $.country" and only_spelling.score == pytest.approx(0.5)
    data = json.loads(json.dumps(div.to_json()))
    assert {f["path"]: f["surface_score"] for f in data["fields"]} == {"$.country": 0.5, "$.n": 0.3}


def test_prose_has_no_surface_term() -> None:
    div = score_samples(PARAPHRASES + OTHER)
    assert div.projection == "prose" and div.surface_score is None
    assert div.score == score_samples(PARAPHRASES + OTHER, spelling_weight=0).score == pytest.approx(0.4)
    assert div.to_json()["surface_score"] is None


def test_to_json_reports_both_terms_and_the_weight() -> None:
    data = score_samples(["Leopoldville", "Léopoldville"] * 3, spelling_weight=0.5).to_json()
    assert (data["semantic_score"], data["surface_score"], data["spelling_weight"]) == (0.0, 0.5, 0.5)
    assert data["score"] == 0.25


@pytest.mark.parametrize("weight", [-0.1, 1.5, float("nan")])
def test_spelling_weight_out_of_range_is_rejected(weight: float) -> None:
    with pytest.raises(ValueError, match="spelling_weight"):
        score_samples(["a", "b"], spelling_weight=weight)


def test_one_answer_in_many_spellings_stops_as_flagged_not_as_agreement() -> None:
    spellings = ["Edison", "Thomas Edison", "Edisson", "Thomas Alva Edison", "Mr Edison"] * 4
    div = score_samples(spellings, spelling_weight=1)
    assert len(div.clusters) == 1 and div.flagged
    assert stop_decision(div) == "clearly above the threshold"
    assert stop_decision(score_samples(spellings)) == "all samples agree"


# -- templates ------------------------------------------------------------------------------------


def test_render_text_subset() -> None:
    text, missing = render_text(
        "Hi {{ name | upper }}! {% if vip %}VIP{% else %}regular{% endif %}\n{% for x in items %}- {{x}}\n{% endfor %}"
        "{absent} ${d} [[VAR]] {# note #}{{ z | default('none') }}",
        {"name": "bo", "vip": False, "items": [1, 2], "d": "D", "VAR": "v"},
    )
    assert text == "Hi BO! regular\n- 1\n- 2\n D v none"
    assert missing == [("absent", text.find("") + 50)] or [m[0] for m in missing] == ["absent"]
    with pytest.raises(TemplateError):
        render_text("{% macro m() %}{% endmacro %}", {})


def test_single_brace_in_code_is_not_a_placeholder() -> None:
    text, missing = render_text("```\nprint(f'{name}')\n```\n{{code}}", {"code": "X"}, [(0, 25)])
    assert missing == [] and text.endswith("X") and "{name}" in text


def _doc(name: str, text: str):
    return loader_for(name)(name, text).documents[0]


def test_variables_from_test_data_and_config(tmp_path: Path) -> None:
    doc = _doc(
        "t.prompt.yml",
        "messages:\n  - role: system\n    content: Classify.\n  - role: user\n    content: '{{ticket}}'\n"
        "testData:\n  - ticket: charged twice\n    expected: billing\n",
    )
    [rendered] = render_document(doc, {})
    assert rendered.request is not None and rendered.expected == "billing"
    assert rendered.request.payload() == {
        "system": "Classify.",
        "messages": [{"role": "user", "content": "charged twice"}],
    }
    prompty = _doc("p.prompty", "---\nname: x\nsample:\n  q: two plus two\n---\nsystem:\nBe brief.\n\nuser:\n{{q}}\n")
    assert render_document(prompty, {})[0].request.messages == [{"role": "user", "content": "two plus two"}]
    front = _doc("f.prompt.md", "---\nvariables:\n  who: Ada\n---\nGreet {{who}}.\n")
    assert render_document(front, {})[0].request.messages[0]["content"] == "Greet Ada."
    plain = _doc("g.prompt.md", "Greet {{who}} from {{town}}.\n")
    missing = render_document(plain, {"who": "Bo"})[0]
    assert missing.request is None and missing.missing == ["town"]
    assert render_document(plain, {"who": "Bo", "town": "Oslo"})[0].request.messages[0]["content"] == (
        "Greet Bo from Oslo."
    )


def test_system_only_prompt_needs_an_input() -> None:
    doc = _doc("AGENTS.md", "You are a careful coding agent. Run the tests before every commit.\n")
    assert "no user message" in render_document(doc, {})[0].problem
    [rendered] = render_document(doc, {}, user_input="Add a --verbose flag.")
    assert rendered.request.messages == [{"role": "user", "content": "Add a --verbose flag."}]


# -- config, cost ---------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["base_url", "base-url", "api_key", "apiKey", "auth_token", "endpoint", "headers"])
def test_credential_like_keys_are_rejected(key: str) -> None:
    with pytest.raises(EnsembleConfigError, match="environment"):
        validate_section({key: "https://evil.example"}, "pyproject.toml")
    with pytest.raises(EnsembleConfigError, match="environment"):
        validate_section({"overrides": [{"files": ["*"], key: "x"}]}, "pyproject.toml")


def test_config_values_are_checked(tmp_path: Path) -> None:
    for bad in ({"samples": 0}, {"threshold": 1.5}, {"projection": "regex:("}, {"nope": 1}, {"prices": {"m": {}}}):
        with pytest.raises(EnsembleConfigError):
            validate_section(bad, "x")
    for bad in ({"spelling-weight": 1.5}, {"spelling-weight": -0.5}, {"spelling-weight": "high"}):
        with pytest.raises(EnsembleConfigError, match="spelling-weight"):
            validate_section(bad, "x")
    with pytest.raises(EnsembleConfigError, match="spelling-weight"):
        validate_section({"overrides": [{"files": ["*"], "spelling-weight": True}]}, "x")
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.promptlint.ensemble]\napi_key = "sk-x"\n')
    with pytest.raises(ConfigError, match="not allowed"):
        load_config(str(path))


def test_spelling_weight_from_config_default_and_per_glob(tmp_path: Path) -> None:
    from promptlint.ensemble.sampler import Job
    from promptlint.ensemble.validate import _OPTIONS

    assert build_options({}, tmp_path, {}).base.spelling_weight == SPELLING_WEIGHT
    assert (
        _OPTIONS["spelling-weight"][1] == SPELLING_WEIGHT
        and Job(0, "m", 1, {}, [], 1).spelling_weight == SPELLING_WEIGHT
    )
    section = {"spelling-weight": 0, "overrides": [{"files": ["strict/*"], "spelling-weight": 1}]}
    validate_section(section, "x")
    options = build_options(section, tmp_path, {})
    assert options.base.spelling_weight == 0.0
    assert options.for_path(str(tmp_path / "strict/a.md")).spelling_weight == 1
    assert options.for_path(str(tmp_path / "other.md")).spelling_weight == 0.0
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.promptlint.ensemble]\nspelling-weight = 2\n")
    with pytest.raises(ConfigError, match="spelling-weight"):
        load_config(str(path))


def test_overrides_apply_per_glob(tmp_path: Path) -> None:
    section = {
        "samples": 6,
        "variables": {"a": "1"},
        "overrides": [{"files": ["prompts/classify/*"], "projection": r"regex:Verdict: (\w+)", "variables": {"b": 2}}],
    }
    validate_section(section, "x")
    options = build_options(section, tmp_path, {"model": "claude-sonnet-5", "samples": None})
    inside = options.for_path(str(tmp_path / "prompts/classify/a.md"))
    outside = options.for_path(str(tmp_path / "prompts/other.md"))
    assert inside.projection.startswith("regex:") and inside.variables == {"a": "1", "b": 2}
    assert outside.projection == "auto" and outside.samples == 6 and outside.model == "claude-sonnet-5"


def test_ensemble_switches_ens_rules_on_unless_selection_names_them() -> None:
    assert ensemble_extend_select(None, None, {}) == ["ENS"]
    assert ensemble_extend_select(["AMD"], None, {}) == ["ENS"]
    assert ensemble_extend_select(["ENS001"], None, {}) == []
    assert ensemble_extend_select(None, None, {"select": ["ALL"]}) == []


def test_prices_and_estimates() -> None:
    assert price_for("claude-haiku-4-5-20251001")["input"] == 1.0
    assert price_for("my-model", {"my-model": {"input": 2.0, "output": 4.0}})["cache-read"] == pytest.approx(0.2)
    assert price_for("unknown") is None
    payload = {"system": "x" * 400, "messages": [{"role": "user", "content": "y" * 400}]}
    assert estimate_tokens(payload, "claude-haiku-4-5") == 10 + 104 + 104
    assert estimate_tokens(payload, "claude-sonnet-5") > estimate_tokens(payload, "claude-sonnet-4-6")
    price = price_for("claude-sonnet-4-6")
    assert caching_saves(10, 5000, "claude-sonnet-4-6", price) and not caching_saves(
        10, 200, "claude-sonnet-4-6", price
    )
    plain, cached = CallEstimate(10, 5000, 100, False), CallEstimate(10, 5000, 100, True)
    assert cached.worst(price, "claude-sonnet-4-6") < plain.worst(price, "claude-sonnet-4-6")
    budget = Budget(0.01)
    assert budget.reserve(0.006) and not budget.reserve(0.006)
    budget.settle(0.006, 0.001)
    assert budget.reserve(0.006)
