"""Flag rules: word lists, links and contacts, duplicates, escalation, severity, config."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from moderation.analysis.contacts import find_contacts, find_links
from moderation.analysis.duplicates import DuplicateIndex, DuplicateSettings, exact_key, jaccard, shingles
from moderation.analysis.flags import FlagSettings, assess, escalation_flag, flag_comments
from moderation.analysis.settings import flag_settings, merge_queue
from moderation.analysis.severity import CommentEvidence, SeverityModel, identity_terms_in
from moderation.analysis.words import WordMatcher, parse_wordlist, skeleton
from moderation.config import load_preset
from moderation.errors import ConfigError
from moderation.schema import TOXICITY_ATTRIBUTES, Comment, Scores, build_threads

WORDS = WordMatcher(["fuck", "ass", "shit", "cunt", "son of a bitch"])


def hits(text: str) -> list[tuple[str, str]]:
    return [(h.entry, text[h.start : h.end]) for h in WORDS.find(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("well FUCK that", "FUCK"),
        ("fuuuuck off", "fuuuuck"),
        ("f.u.c.k", "f.u.c.k"),
        ("f-u-c-k it", "f-u-c-k"),
        ("what the f u c k", "f u c k"),
        ("sh1t happens", "sh1t"),
        ("$hit happens", "$hit"),
        ("kiss my @ss", "@ss"),
        ("a$$!", "a$$"),
        ("ѕhіt", "ѕhіt"),  # Cyrillic ѕ and і
        ("fück", "fück"),
        ("f\u200buck", "f\u200buck"),
        ("shit!!! really", "shit"),
        ("you son-of-a-bitch", "son-of-a-bitch"),
    ],
)
def test_obfuscated_words_match_with_spans_in_the_original(text, found):
    assert [t for _, t in hits(text)] == [found]


@pytest.mark.parametrize(
    "text",
    ["class", "Scunthorpe", "assessment", "passive", "bass guitar", "shitake", "in 2017 we had 5 cases", "as so"],
)
def test_words_do_not_fire_inside_other_words(text):
    assert hits(text) == []


def test_a_separated_hit_is_not_part_of_a_longer_separated_word():
    matcher = WordMatcher(["fuck", "fucking"])
    assert [h.entry for h in matcher.find("f.u.c.k.i.n.g idiot")] == ["fucking"]
    assert [h.entry for h in matcher.find("f u c k i n g hell")] == ["fucking"]
    assert [h.entry for h in matcher.find("f.u.c.k off, f-u-c-k-i-n-g")] == ["fuck", "fucking"]
    assert [h.entry for h in matcher.find("shit-head")] == []  # the compound is not a list entry
    assert [h.entry for h in WordMatcher(["shit"]).find("shit-head")] == ["shit"]


def test_the_sample_pages_cyrillic_comment_heading_folds_to_latin():
    text = "• Сomment"  # Cyrillic С, as on the Sputnik seed
    skel, origin = skeleton(text)
    assert skel == "• comment" and origin == tuple(range(len(text)))
    assert WordMatcher(["comment"]).find(text)[0].start == 2


def test_parse_wordlist_skips_comments_and_blanks():
    assert parse_wordlist("# header\nKill  # violent\n\nshoot\nkill\n") == ["kill", "shoot"]


def test_links_and_contacts():
    text = "See www.example.org/a/b, mail a.b@mail.example.com or call +44 20 7946 0958; news.ru too."
    assert [m.text for m in find_links(text)] == ["www.example.org/a/b", "news.ru"]
    assert [(m.kind, m.text) for m in find_contacts(text)] == [
        ("email", "a.b@mail.example.com"),
        ("phone", "+44 20 7946 0958"),
    ]
    assert find_links("http://x.org/a?b=1.")[0].text == "http://x.org/a?b=1"
    assert find_links("example.com/path")[0].text == "example.com/path"
    assert [m.text for m in find_links("buy at cheap-pills.com or Shop.com or Deals.In/x today")] == [
        "cheap-pills.com",
        "Deals.In/x",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "e.g. the U.S. and i.e. so",
        "the end.Next one",
        "a conflict of interest.In fact",  # .in, .it and .no are real country suffixes
        "never crossed my mind.It was fine",
        "nobody knows.No one",
        "see node.js and file.txt",
        "in 2015-2017 some 1,000,000 people",
        "Feb 26 2017 17:45",
        "3.14159",
    ],
)
def test_no_links_or_contacts_in_ordinary_prose(text):
    assert find_links(text) == [] and find_contacts(text) == []


LONG = " ".join(f"word{i}" for i in range(30))


def _stores():
    from moderation.analysis.duplicates import MemoryStore
    from moderation.disk_index import SqliteDuplicateStore

    return [lambda: MemoryStore(32), SqliteDuplicateStore]


@pytest.mark.parametrize("make_store", _stores(), ids=["memory", "sqlite"])
def test_duplicate_index_exact_and_near_and_first_wins(make_store):
    index = DuplicateIndex(store=make_store())
    assert index.check("a#1", LONG) is None
    exact = index.check("b#4", "  " + LONG.upper() + "!!")
    assert exact is not None and (exact.first_id, exact.exact, exact.similarity) == ("a#1", True, 1.0)
    near_text = LONG.replace("word29", "other")
    assert jaccard(shingles(LONG, 3), shingles(near_text, 3)) == 27 / 29
    near = index.check("c#2", near_text)
    assert near is not None and near.first_id == "a#1" and not near.exact and near.similarity >= 0.8
    assert index.check("d#1", " ".join(f"x{i}" for i in range(30))) is None


@pytest.mark.parametrize("make_store", _stores(), ids=["memory", "sqlite"])
def test_duplicate_index_ignores_short_texts(make_store):
    index = DuplicateIndex(DuplicateSettings(exact_min_chars=12, min_chars=40), make_store())
    assert index.check("a", "Agreed!") is None and index.check("b", "agreed") is None
    assert index.check("c", "Totally agreed here") is None
    assert index.check("d", "totally AGREED here.").first_id == "c"  # exact, 17 letters
    assert exact_key("Сomment, here!") == "commenthere"


def test_memory_and_disk_stores_give_the_same_answers():
    """The run's on-disk store finds exactly what the in-memory one finds, first comment first."""
    import random

    from moderation.analysis.duplicates import MemoryStore
    from moderation.disk_index import SqliteDuplicateStore

    rng = random.Random(7)
    vocab = [f"w{i}" for i in range(300)]
    originals = [" ".join(rng.choice(vocab) for _ in range(rng.randint(5, 40))) for _ in range(400)]
    texts = []
    for i in range(1500):
        if i > 50 and rng.random() < 0.3:  # repeats: exact, case-changed, one word changed
            words = rng.choice(originals).split()
            if rng.random() < 0.5 and words:
                words[rng.randrange(len(words))] = "changed"
            texts.append(" ".join(words).upper() if rng.random() < 0.3 else " ".join(words))
        else:
            texts.append(originals[i % len(originals)] if i < len(originals) else rng.choice(originals) + " new")
    memory, disk = DuplicateIndex(store=MemoryStore(32)), DuplicateIndex(store=SqliteDuplicateStore())
    answers = [(memory.check(f"c{i}", t), disk.check(f"c{i}", t)) for i, t in enumerate(texts)]
    assert all(a == b for a, b in answers)
    assert sum(1 for a, _ in answers if a is not None and a.exact) > 100
    assert sum(1 for a, _ in answers if a is not None and not a.exact) > 20


def test_duplicate_settings_are_checked():
    with pytest.raises(ValueError):
        DuplicateSettings(num_perm=30, bands=8)


def s(**attrs: float) -> Scores:
    return Scores(attributes=dict(attrs))


def test_escalation_uses_toxicity_else_profanity_and_says_so():
    flag = escalation_flag(
        s(toxicity=0.9, profanity=0.1), s(toxicity=0.2, profanity=0.1), "p", 0.3, ["toxicity", "profanity"]
    )
    assert (
        flag is not None and flag.reason == "escalation" and flag.score == pytest.approx(0.7) and flag.threshold == 0.3
    )
    assert flag.detail == "toxicity 0.20 -> 0.90 over parent p"
    fallback = escalation_flag(s(profanity=0.75), s(profanity=0.25), "p", 0.3, ["toxicity", "profanity"])
    assert fallback is not None and fallback.score == 0.5 and "no toxicity score" in (fallback.detail or "")
    assert escalation_flag(s(toxicity=0.5), s(toxicity=0.3), "p", 0.3, ["toxicity"]) is None
    assert escalation_flag(s(toxicity=0.9), s(profanity=0.0), "p", 0.3, ["toxicity", "profanity"]) is None


def test_severity_model_is_a_logistic_regression_on_standardised_features():
    model = SeverityModel(("toxicity", "watched_word"), (0.0, 0.0), (2.0, 1.0), (2.0, 1.0), -1.0, 0.4)
    values = model.features_of(s(toxicity=0.5), CommentEvidence("x", watched=frozenset({"idiot", "moron"})))
    assert values == pytest.approx([0.0, 2.0])
    assert model.probability(values) == pytest.approx(1 / (1 + math.exp(-1.0)))  # -1 + 2 * 1
    assert model.contributions(values) == pytest.approx({"toxicity": 0.0, "watched_word": 2.0})
    assert model.driver(values) == "watched_word"
    assert model.driver([-3.0, 0.0]) == "severity"  # nothing pushed up: no evidence to name
    assert model.features_of(s(profanity=0.9), CommentEvidence("x")) is None  # a needed score is missing
    assert SeverityModel.from_dict(model.to_dict()) == model
    with pytest.raises(ConfigError, match="unknown features"):
        SeverityModel(("shouting",), (0.0,), (1.0,), (1.0,), 0.0, 0.5)
    with pytest.raises(ConfigError, match="missing field"):
        SeverityModel.from_dict({"features": ["toxicity"]})


@pytest.mark.parametrize(
    ("text", "addressed"),
    [
        ("You are wrong.", 1.0),
        ("Read your own link", 1.0),
        ("you're kidding, right?", 1.0),
        ("Ask yourself why.", 1.0),
        ("Fuck cancer. Seriously.", 0.0),
        ("The U.S. youth vote", 0.0),  # neither "U" nor "youth" speaks to anyone
        ("Bayou country", 0.0),
        ("YOURSELVES, again", 1.0),
        ("Your're", 1.0),
        ("yourselfish", 0.0),
    ],
)
def test_addressed_feature_is_second_person_address(text, addressed):
    model = SeverityModel(("addressed", "length"), (0.0, 0.0), (1.0, 1.0), (1.0, 0.0), 0.0, 0.5)
    values = model.features_of(s(toxicity=0.5), CommentEvidence(text))
    assert values == pytest.approx([addressed, math.log1p(len(text))])
    assert model.driver([1.0, 0.0]) == "severity"  # an adjustment, never the reason a flag names


def test_toxicity_high_reads_the_toxicity_logit_above_zero_after_its_offset():
    model = SeverityModel(("toxicity_high",), (0.0,), (1.0,), (1.0,), 0.0, 0.5, offsets={"toxicity": {"gay": 1.0}})
    assert model.needs_scores == ("toxicity",)
    assert model.features_of(s(toxicity=0.3), CommentEvidence("x")) == pytest.approx([0.0])
    assert model.features_of(s(toxicity=0.9), CommentEvidence("x")) == pytest.approx([math.log(9)])
    named = model.features_of(s(toxicity=0.9), CommentEvidence("gay idiots"))
    assert named == pytest.approx([math.log(9) - 1.0])
    assert model.features_of(s(profanity=0.9), CommentEvidence("x")) is None
    assert model.driver([2.0]) == "toxicity"  # the reason a moderator reads is the score's name


def test_single_score_model_is_the_score_itself_and_share_table_interpolates():
    single = SeverityModel.single("toxicity")
    assert single.probability(single.features_of(s(toxicity=0.73), CommentEvidence("x")) or []) == pytest.approx(0.73)
    model = SeverityModel(("toxicity",), (0.0,), (1.0,), (1.0,), 0.0, 0.5, share_table=((0.01, 0.5), (0.03, 0.3)))
    assert model.threshold_for_share(0.02) == pytest.approx(0.4)
    assert model.threshold_for_share(0.001) == 0.5 and model.threshold_for_share(0.5) == 0.3


def test_identity_offsets_take_back_what_naming_a_term_adds():
    model = SeverityModel(
        ("toxicity",), (0.0,), (1.0,), (1.0,), 0.0, 0.5, offsets={"toxicity": {"gay": 1.0, "old": -0.5}}
    )
    plain = model.features_of(s(toxicity=0.5), CommentEvidence("I am a local person."))
    named = model.features_of(s(toxicity=0.5), CommentEvidence("I am a Gay person."))
    both = model.features_of(s(toxicity=0.5), CommentEvidence("Gays and old folks"))
    assert plain == pytest.approx([0.0]) and named == pytest.approx([-1.0]) and both == pytest.approx([-1.0])
    assert model.features_of(s(toxicity=0.5), CommentEvidence("an old man")) == pytest.approx([0.0])  # never raised
    assert identity_terms_in("gay-friendly, gayness, GAYS", ["gay"]) == frozenset({"gay"})
    assert identity_terms_in("gay-friendly gayness", ["gay"]) == frozenset()


def queue_settings(**kw: object) -> FlagSettings:
    base: dict[str, object] = {
        "thresholds": {"toxicity": 0.5, "threat": 0.8},
        "banned": WordMatcher(["fuck"]),
        "watched": WordMatcher(["idiot", "moron", "kill"]),
        "severity": SeverityModel.single("toxicity"),
        "min_severity": 0.5,
    }
    return FlagSettings(**{**base, **kw})  # type: ignore[arg-type]


def test_queue_holds_severe_comments_and_rule_flags_only():
    settings = queue_settings()
    calm = assess("What a threat to democracy!", s(toxicity=0.2, threat=0.95), settings)
    assert calm.flags == [] and calm.severity == pytest.approx(0.2)  # a weak head never queues on its own
    words = assess("idiot idiot moron", s(toxicity=0.3), settings)
    assert words.flags == []  # watched words are evidence, not a reason to queue
    hot = assess("You idiot, you moron, idiot!", s(toxicity=0.7, threat=0.9), settings)
    assert [f.reason for f in hot.flags] == ["toxicity", "watched_word", "threat"]
    driver = hot.flags[0]
    assert (driver.score, driver.threshold) == (pytest.approx(0.7), 0.5)
    assert driver.detail == "severity 0.70 from toxicity 0.70"
    assert hot.flags[1].detail == "idiot, moron"  # one flag naming the words, not three
    banned = assess("fuck this and fuck that", s(toxicity=0.1), settings)
    assert [(f.reason, f.detail) for f in banned.flags] == [("banned_word", "fuck")]
    assert banned.severity == pytest.approx(0.1)  # in the queue by rule, ordered by its estimate
    failed = assess("text", Scores(error="boom"), settings)
    assert failed.flags == [] and failed.severity == 0.0


def comment(n: int, text: str, parent: int | None = None, article: str = "a") -> Comment:
    return Comment(f"{article}#{n}", article, n, f"user{n}", text, parent_id=f"{article}#{parent}" if parent else None)


def test_flag_comments_across_articles_with_one_index():
    settings = FlagSettings(
        thresholds={"toxicity": 0.5},
        banned=WordMatcher(["fuck"]),
        watched=WordMatcher(["kill"]),
        severity=SeverityModel.single("toxicity"),
        min_severity=0.5,
    )
    first = [comment(1, LONG), comment(2, "I will k.i.l.l time", 1), comment(3, "calm", 2)]
    second = [comment(1, LONG + ".", article="b"), comment(2, "f*ck", article="b")]
    build_threads(first)
    build_threads(second)
    scores = {
        "a#1": s(toxicity=0.1),
        "a#2": s(toxicity=0.6),
        "a#3": s(toxicity=0.0),
        "b#1": s(toxicity=0.1),
        "b#2": s(toxicity=0.2),
    }
    index = DuplicateIndex()
    found_a = flag_comments(first, scores, settings, index)
    found_b = flag_comments(second, scores, settings, index)
    flags_a = {k: v.flags for k, v in found_a.items()}
    flags_b = {k: v.flags for k, v in found_b.items()}
    assert flags_a["a#1"] == []
    assert [f.reason for f in flags_a["a#2"]] == ["toxicity", "escalation", "watched_word"]
    assert found_a["a#2"].severity == pytest.approx(0.6)
    kill = flags_a["a#2"][2]
    assert (kill.detail, kill.span.start, kill.span.end) == ("kill", 7, 14)
    assert flags_a["a#3"] == []  # heat fell
    assert [(f.reason, f.detail) for f in flags_b["b#1"]] == [("duplicate", "same text as a#1")]
    assert flags_b["b#2"] == []  # "f*ck" hides a letter: not one of the handled obfuscations


def test_presets_read_their_flag_tables(tmp_path: Path):
    preset = load_preset("fast")
    settings = flag_settings(preset.flags, preset.thresholds, preset.path.parent, preset.raw["queue"])
    assert settings.banned is not None and "fuck" in settings.banned.entries
    assert settings.watched is not None and "kill" in settings.watched.entries
    assert settings.escalation_threshold == 0.3 and settings.heat_attributes == ("toxicity", "profanity")
    assert settings.duplicates == DuplicateSettings()
    assert set(preset.thresholds) == {"profanity"}  # the only attribute the fast preset produces
    default = load_preset("default")
    # unhealthy has no threshold on purpose: it ranks the queue (severity) and flags nothing alone
    assert set(default.thresholds) == set(TOXICITY_ATTRIBUTES) - {"unhealthy"}
    assert default.flags == preset.flags
    assert settings.severity is not None and settings.severity.name == "severity-fast"
    assert settings.queue_rules == ("banned_word", "contact", "duplicate")
    with pytest.raises(ConfigError, match="near_threshold"):
        flag_settings({"duplicates": {"near_threshold": 2.0}}, {}, tmp_path)
    with pytest.raises(ConfigError, match="word list"):
        flag_settings({"words": {"banned": "missing.txt"}}, {}, tmp_path)
    off = flag_settings({"duplicates": {"enabled": False}, "escalation": {"enabled": False}}, {}, tmp_path)
    assert off.duplicates is None and off.escalation_threshold is None and off.banned is None


def test_queue_table_and_overrides(tmp_path: Path):
    default = load_preset("default")
    model = flag_settings({}, default.thresholds, tmp_path, default.raw["queue"]).severity
    assert model is not None and model.name == "severity-default" and model.share_table
    settings = flag_settings({}, {}, tmp_path, default.raw["queue"])
    assert settings.min_severity == model.threshold  # the model's operating point by default
    shared = flag_settings({}, {}, tmp_path, merge_queue(default.raw["queue"], {"queue_share": 0.02}))
    assert shared.min_severity == pytest.approx(model.threshold_for_share(0.02))
    fixed = flag_settings({}, {"toxicity": 0.5}, tmp_path, merge_queue({"queue_share": 0.02}, {"min_severity": 0.9}))
    assert fixed.min_severity == 0.9 and fixed.severity is not None and fixed.severity.name == "toxicity score"
    assert flag_settings({}, {"profanity": 0.6}, tmp_path).min_severity == 0.6  # no model: the score itself
    assert flag_settings({}, {}, tmp_path).severity is None  # nothing to rank on: rules only
    for bad, message in (
        ({"min_severity": 1.5}, "min_severity"),
        ({"queue_share": 0.0, "severity_model": "severity-default"}, "queue_share"),
        ({"queue_share": 0.1}, "needs a fitted severity model"),
        ({"rules": ["toxicity"]}, "rules"),
        ({"severity_model": "../x"}, "folder name"),
        ({"severity_model": "nope"}, "not found"),
        ({"min_severity": 0.3, "queue_share": 0.1}, "not both"),
        ({"size": 3}, "unknown keys"),
    ):
        with pytest.raises(ConfigError, match=message):
            flag_settings({}, {"toxicity": 0.5}, tmp_path, bad)
    with pytest.raises(ConfigError, match="weights"):
        flag_settings({"weights": {"toxicity": 1.0}}, {}, tmp_path)


def test_addressed_prefilter_gives_the_regex_answers():
    from moderation.analysis.severity import _SECOND_PERSON, addressed

    words = ["you", "YoU", "yOUR", "yourS", "Yourselves", "youre", "ｙｏｕ", "yоu", "ÿou", "y ou", "bayou", "you'd"]
    texts = [f"{a} and {b}." for a in words for b in ("", "then", "Ünïcode")] + ["", "no second person here"]
    for text in texts:
        assert addressed(text) == (_SECOND_PERSON.search(text) is not None), text
