"""``make bench``: latency and accuracy of :meth:`bot.answering.decision.Answerer.decide` against a naive baseline.

Run as ``python -m bot.dev.bench [--topics N] [--quick] [--json FILE] [--questions FILE] [--profile]``.

What is measured, in one process and one run so machine noise hits both systems alike:

- **ours**: ``Answerer.decide`` (triage + search), exactly what the handlers and ``veiligbot ask`` call;
- **baseline**: rapidfuzz ``process.extractOne`` with ``WRatio`` over the raw sample questions (both
  languages, preprocessed once); it answers with the best question's topic when the score reaches a cutoff,
  else falls back. The cutoff is the one that maximises the baseline's own balanced accuracy (mean of
  right-first-time and out-of-scope fallback) on the dev set of the real knowledge base -- the most
  favourable choice for the baseline -- and is kept at the large size, as a deployment would.

Both run on the real knowledge base and on a generated one of ``--topics`` topics (the real topics plus
synthetic ``gen-NNNNN`` topics whose questions mix the real questions' words, with their real frequencies,
and random compound words; seeded, so every run builds the same base). After a warm-up pass the dev
questions are timed with :func:`time.perf_counter_ns`, the baseline's calls spread evenly between ours (at
10,000 topics the baseline takes ~0.3 s a call, so it gets one pass against ours' twelve). The baseline's
top-3 comes from an untimed ``cdist`` with the same scorer. Exit status 1 when a latency target
(:data:`TARGETS`) is missed.

Pitfalls:
- The search memoises how it resolves unknown (misspelt) words. Repeating the same questions would time
  that cache, not the search, so it is cleared before every timed call (outside the timing): each
  question is timed as if it were new, which is what residents send.
- Timing goals live here, never in timed tests: a test's machine is not a benchmark machine.
- WRatio gives 85.5 (100 x 0.95 x 0.9, its partial-token part) to any two questions of rather different
  length that share one word, so most of the baseline's best matches tie and ``extractOne`` returns the
  first one; its low accuracy is WRatio's, not a bug here.
- p99 from a few hundred samples is a rough figure; ``--quick`` is for a smoke run, not for the README.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import json
import os
import platform
import pstats
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from rapidfuzz import fuzz, process, utils

from bot.answering.decision import Answerer
from bot.dev.evaluation import evaluate
from bot.services import build_answerer
from knowledge.base import KnowledgeBase, load_knowledge_base
from knowledge.normalize import Vocabulary, words
from knowledge.schema import LANGUAGES, Language, Topic

EVAL_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "eval"
DEFAULT_QUESTIONS = EVAL_DIR / "dev-questions.jsonl"
SEED = 20261126
# p99 of one ``ask`` in milliseconds, per knowledge-base size ("real" = the curated base).
TARGETS: dict[str, float] = {"real": 10.0, "large": 50.0}
TABLE_KEYS = (
    "system",
    "kb_topics",
    "build_s",
    "p50_ms",
    "p99_ms",
    "samples",
    "right_first_time",
    "top3",
    "confidently_wrong",
    "out_of_scope_fallback",
)
BaselineAction = Literal["answer", "fallback"]
# Sample questions per generated topic: about what the real topics have, Dutch-heavy like the residents.
QUESTIONS_PER_LANGUAGE: dict[Language, int] = {"nl": 12, "en": 5}


# --- the generated knowledge base ------------------------------------------------------------------------


@dataclass(frozen=True)
class _LanguageWords:
    """One language's word pool, drawn from the real questions: all words by frequency, and subject words."""

    background: list[str]
    cum_weights: list[int]
    subjects: list[str]  # longer non-stopwords: topic subjects and compound parts


def _word_pools(kb: KnowledgeBase, vocabulary: Vocabulary) -> dict[Language, _LanguageWords]:
    pools: dict[Language, _LanguageWords] = {}
    for lang in LANGUAGES:
        counts: Counter[str] = Counter()
        for topic in kb.topics.values():
            for question in topic.lang(lang).questions:
                counts.update(words(question))
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        cum: list[int] = []
        total = 0
        for _word, count in ordered:
            total += count
            cum.append(total)
        stop = vocabulary.stopwords[lang]
        subjects = sorted(w for w in counts if len(w) >= 4 and w not in stop and not w.isdigit())
        pools[lang] = _LanguageWords([w for w, _ in ordered], cum, subjects)
    return pools


def _synthetic_topic(index: int, rng: random.Random, pools: dict[Language, _LanguageWords]) -> Topic:
    """One topic about a few subject words of its own (two random compounds and two real words)."""
    content: dict[str, dict[str, Any]] = {}
    for lang, n_questions in QUESTIONS_PER_LANGUAGE.items():
        pool = pools[lang]
        compounds = ["".join(rng.sample(pool.subjects, 2)) for _ in range(2)]
        subject = [*compounds, *rng.sample(pool.subjects, 2)]
        questions = []
        for _ in range(n_questions):
            filler = rng.choices(pool.background, cum_weights=pool.cum_weights, k=rng.randint(3, 9))
            picked = rng.sample(subject, rng.randint(1, 2))
            for word in picked:
                filler.insert(rng.randrange(len(filler) + 1), word)
            questions.append(" ".join(filler))
        content[lang] = {
            "title": f"{compounds[0]} {subject[2]}"[:80],
            "summary": f"Generated benchmark topic about {compounds[0]} and {subject[3]}.",
            "steps": [f"Step {i} for {compounds[1]}." for i in range(1, 4)],
            "questions": questions,
            "keywords": [*subject, rng.choice(pool.background)],
        }
    raw = {
        "id": f"gen-{index:05d}",
        "theme": rng.choice(("digital", "youth", "undermining", "general")),
        "report": None,
        "sources": [f"https://example.org/bench/{index:05d}"],
        "reviewed": "2026-11-26",
        **content,
    }
    return Topic.model_validate(raw)


def generate_knowledge_base(
    base: KnowledgeBase, n_topics: int, *, seed: int = SEED, vocabulary: Vocabulary | None = None
) -> KnowledgeBase:
    """``base``'s topics plus synthetic ones up to ``n_topics`` in all (validated :class:`Topic` models).

    Deterministic for a given ``base``, ``n_topics`` and ``seed``. The base's topics, helplines and
    out-of-scope questions are kept, so the dev questions still have their targets.
    Pitfall: ``n_topics`` smaller than the base is an error, not a silent truncation.
    """
    if n_topics < len(base.topics):
        raise ValueError(f"n_topics={n_topics} is smaller than the base's {len(base.topics)} topics")
    rng = random.Random(seed)
    pools = _word_pools(base, vocabulary or Vocabulary.load())
    topics = dict(base.topics)
    for i in range(1, n_topics - len(base.topics) + 1):
        topic = _synthetic_topic(i, rng, pools)
        topics[topic.id] = topic
    return KnowledgeBase(topics=topics, helplines=base.helplines, out_of_scope=base.out_of_scope)


# --- the naive baseline ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BaselineDecision:
    action: BaselineAction
    topic: str | None
    score: float
    best_topic: str | None  # the best question's topic, whether or not the score reached the cutoff


class Baseline:
    """rapidfuzz ``extractOne`` (WRatio) over every raw sample question; the choices are preprocessed once."""

    def __init__(self, kb: KnowledgeBase, cutoff: float = 0.0) -> None:
        self.cutoff = cutoff
        self._choices: list[str] = []
        self._owner: list[str] = []
        for topic in kb.topics.values():
            for lang in LANGUAGES:
                for question in topic.lang(lang).questions:
                    self._choices.append(utils.default_process(question))
                    self._owner.append(topic.id)

    def decide(self, text: str) -> BaselineDecision:
        match = process.extractOne(utils.default_process(text), self._choices, scorer=fuzz.WRatio)
        if match is None:
            return BaselineDecision("fallback", None, 0.0, None)
        _choice, score, index = match
        topic = self._owner[index]
        if score >= self.cutoff:
            return BaselineDecision("answer", topic, float(score), topic)
        return BaselineDecision("fallback", None, float(score), topic)

    def ranked(self, text: str, k: int = 3, workers: int = -1) -> tuple[float, list[str]]:
        """The best score and the ``k`` best distinct topics, scored on all cores (untimed; for accuracy).

        Same scorer and choices as :meth:`decide`, so the first topic is the one ``decide`` picks."""
        query = [utils.default_process(text)]
        scores = process.cdist(query, self._choices, scorer=fuzz.WRatio, workers=workers)[0]
        if not len(scores):
            return 0.0, []
        found: list[str] = []
        for index in np.argsort(-scores, kind="stable"):
            topic = self._owner[int(index)]
            if topic not in found:
                found.append(topic)
                if len(found) == k:
                    break
        return float(scores.max()), found


def _accepted(row: dict[str, Any]) -> set[str]:
    return {row.get("expect"), *row.get("accept", [])} - {None}


def rank_all(baseline: Baseline, questions: Sequence[dict[str, Any]]) -> list[tuple[float, list[str]]]:
    return [baseline.ranked(row["text"]) for row in questions]


def choose_cutoff(questions: Sequence[dict[str, Any]], ranked: Sequence[tuple[float, list[str]]]) -> float:
    """The cutoff with the best balanced accuracy (mean of right-first-time and out-of-scope fallback);
    ties go to the higher, more cautious cutoff. ``ranked`` is :meth:`Baseline.ranked` per question."""
    in_scope = [(_accepted(row), r) for row, r in zip(questions, ranked, strict=True) if row.get("expect")]
    off = [score for row, (score, _) in zip(questions, ranked, strict=True) if row.get("expect") is None]
    best, best_value = 0.0, -1.0
    for cutoff in range(0, 101):
        right = sum(score >= cutoff and top[0] in accepted for accepted, (score, top) in in_scope if top)
        fallback = sum(score < cutoff for score in off)
        value = (right / max(len(in_scope), 1) + fallback / max(len(off), 1)) / 2
        if value >= best_value:
            best, best_value = float(cutoff), value
    return best


def baseline_accuracy(
    cutoff: float, questions: Sequence[dict[str, Any]], ranked: Sequence[tuple[float, list[str]]]
) -> dict[str, float]:
    """The metrics of :class:`bot.dev.evaluation.Report` that apply to a system without triage."""
    in_scope = right = top3 = wrong = off = fallback = 0
    for row, (score, top) in zip(questions, ranked, strict=True):
        answered = top[0] if top and score >= cutoff else None
        if row.get("expect") is None:
            off += 1
            fallback += answered is None
            continue
        in_scope += 1
        accepted = _accepted(row)
        right += answered in accepted
        wrong += answered is not None and answered not in accepted
        top3 += bool(accepted & set(top))
    return {
        "right_first_time": right / in_scope if in_scope else 1.0,
        "top3": top3 / in_scope if in_scope else 1.0,
        "confidently_wrong": wrong / in_scope if in_scope else 0.0,
        "out_of_scope_fallback": fallback / off if off else 1.0,
    }


def answerer_accuracy(answerer: Answerer, questions: Sequence[dict[str, Any]]) -> dict[str, float]:
    metrics = evaluate(answerer, list(questions), []).metrics
    return {k: metrics[k] for k in ("right_first_time", "top3", "confidently_wrong", "out_of_scope_fallback")}


# --- timing ----------------------------------------------------------------------------------------------


def _forget_resolutions(answerer: Answerer) -> None:
    # The search's memo of misspelt-word lookups; see the module docstring. Absent = nothing to clear.
    cache = getattr(answerer.matcher.index, "_resolve_cached", None)
    if cache is not None and hasattr(cache, "cache_clear"):
        cache.cache_clear()


def time_interleaved(
    answerer: Answerer,
    baseline: Baseline,
    texts: Sequence[str],
    repeats: int,
    baseline_repeats: int | None = None,
    baseline_warmup: int | None = None,
) -> tuple[list[int], list[int]]:
    """Nanoseconds per call for ours (``repeats`` passes) and the baseline (``baseline_repeats``, default
    the same), after a warm-up pass (the baseline's cut to ``baseline_warmup`` texts when it is slow).

    The baseline's calls are spread evenly between ours, so both see the same stretch of machine noise
    even when the slow baseline is timed on fewer passes."""
    baseline_repeats = repeats if baseline_repeats is None else baseline_repeats
    for text in texts:
        answerer.decide(text)
    for text in texts[:baseline_warmup]:
        baseline.decide(text)
    n_ours, n_base = repeats * len(texts), baseline_repeats * len(texts)
    # Even merge of the two call sequences by their position in [0, 1).
    schedule = sorted(
        [((i + 0.5) / n_ours, True, texts[i % len(texts)]) for i in range(n_ours)]
        + [((j + 0.25) / n_base, False, texts[j % len(texts)]) for j in range(n_base)]
    )
    ours: list[int] = []
    theirs: list[int] = []
    clock = time.perf_counter_ns
    gc.collect()
    for _position, is_ours, text in schedule:
        if is_ours:
            _forget_resolutions(answerer)
            start = clock()
            answerer.decide(text)
            ours.append(clock() - start)
        else:
            start = clock()
            baseline.decide(text)
            theirs.append(clock() - start)
    return ours, theirs


def percentile_ms(samples: Sequence[int], q: int) -> float:
    """The q-th percentile (1-99, inclusive method) of nanosecond samples, in milliseconds."""
    if len(samples) == 1:
        return samples[0] / 1e6
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1] / 1e6


# --- report ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    system: str
    kb_topics: int
    build_s: float
    p50_ms: float
    p99_ms: float
    samples: int
    right_first_time: float
    top3: float
    confidently_wrong: float
    out_of_scope_fallback: float


def make_row(
    system: str,
    kb_topics: int,
    build_s: float,
    samples: Sequence[int],
    accuracy: dict[str, float],
) -> Row:
    return Row(
        system=system,
        kb_topics=kb_topics,
        build_s=build_s,
        p50_ms=percentile_ms(samples, 50),
        p99_ms=percentile_ms(samples, 99),
        samples=len(samples),
        **accuracy,
    )


def report(rows: Sequence[Row]) -> list[dict[str, Any]]:
    """One dict per row with exactly :data:`TABLE_KEYS`, plus ``ratio`` rows (ours / baseline latency)
    for every knowledge-base size that has both systems."""
    table: list[dict[str, Any]] = [{k: getattr(r, k) for k in TABLE_KEYS} for r in rows]
    for size in dict.fromkeys(r.kb_topics for r in rows):
        ours = next((r for r in rows if r.kb_topics == size and r.system == "ours"), None)
        base = next((r for r in rows if r.kb_topics == size and r.system == "baseline"), None)
        if ours and base:
            ratio: dict[str, Any] = dict.fromkeys(TABLE_KEYS)
            ratio.update(
                system="ours/baseline",
                kb_topics=size,
                p50_ms=ours.p50_ms / base.p50_ms if base.p50_ms else None,
                p99_ms=ours.p99_ms / base.p99_ms if base.p99_ms else None,
            )
            table.append(ratio)
    return table


def format_table(table: Iterable[dict[str, Any]]) -> str:
    """A Markdown table (pasteable into the README); ratio rows show ×, accuracy shows %."""
    header = ["system", "KB topics", "build s", "p50 ms", "p99 ms", "n"]
    header += ["right 1st", "top-3", "wrong", "OOS→fb"]
    rule = "|".join("---:" if i else "---" for i in range(len(header)))
    lines = ["| " + " | ".join(header) + " |", f"|{rule}|"]
    for row in table:
        is_ratio = row["system"] == "ours/baseline"

        def num(key: str, fmt: str, row: dict[str, Any] = row, is_ratio: bool = is_ratio) -> str:
            value = row.get(key)
            if value is None:
                return ""
            return f"{value:.2f}×" if is_ratio else format(value, fmt)

        cells = [
            row["system"],
            f"{row['kb_topics']:,}",
            num("build_s", ".2f"),
            num("p50_ms", ".2f"),
            num("p99_ms", ".2f"),
            "" if row.get("samples") is None else str(row["samples"]),
            *("" if row.get(k) is None else f"{row[k]:.1%}" for k in TABLE_KEYS[6:]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --- the run ---------------------------------------------------------------------------------------------


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _profile(answerer: Answerer, texts: Sequence[str], top: int = 25) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for text in texts:
        _forget_resolutions(answerer)
        answerer.decide(text)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


@dataclass(frozen=True)
class Plan:
    """Timed passes over the dev questions per knowledge-base size and system."""

    real: int
    large: int
    large_baseline: int
    large_baseline_warmup: int = 3


FULL = Plan(real=20, large=12, large_baseline=1)
QUICK = Plan(real=5, large=3, large_baseline=1, large_baseline_warmup=1)


def _measure(
    label: str,
    kb: KnowledgeBase,
    questions: Sequence[dict[str, Any]],
    repeats: tuple[int, int, int | None],
    cutoff: float | None,
    log: Callable[[str], None],
) -> tuple[list[Row], Answerer, float]:
    """Build both systems on ``kb``, time them, score them; ``cutoff`` None = choose it here."""
    texts = [row["text"] for row in questions]
    start = time.perf_counter()
    answerer = build_answerer(kb)
    build_ours = time.perf_counter() - start
    start = time.perf_counter()
    baseline = Baseline(kb)
    build_base = time.perf_counter() - start
    ranked = rank_all(baseline, questions)
    if cutoff is None:
        cutoff = choose_cutoff(questions, ranked)
        log(f"baseline cutoff (best balanced accuracy on the dev set): {cutoff:.0f}")
    baseline.cutoff = cutoff
    ours_reps, base_reps, warmup = repeats
    log(
        f"{label}: {len(kb.topics):,} topics, index built in {build_ours:.1f} s; "
        f"timing {ours_reps} (ours) and {base_reps} (baseline) passes over {len(texts)} questions"
    )
    ours_ns, base_ns = time_interleaved(answerer, baseline, texts, ours_reps, base_reps, warmup)
    size = len(kb.topics)
    rows = [
        make_row("ours", size, build_ours, ours_ns, answerer_accuracy(answerer, questions)),
        make_row("baseline", size, build_base, base_ns, baseline_accuracy(cutoff, questions, ranked)),
    ]
    return rows, answerer, cutoff


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.dev.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--topics", type=int, default=10_000, help="size of the generated knowledge base")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (smoke run)")
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help="dev questions (JSONL)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--profile", action="store_true", help="cProfile one pass of ours on the large base")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    if not args.questions.exists():
        # The default dev set lives in ../shared, beside the repository in development, not in a clone.
        parser.error(f"no questions file {args.questions}; pass --questions FILE (JSONL, as for 'veiligbot kb eval')")
    questions = _read_jsonl(args.questions)
    plan = QUICK if args.quick else FULL
    real = load_knowledge_base()
    rows, _, cutoff = _measure("real", real, questions, (plan.real, plan.real, None), None, log)
    start = time.perf_counter()
    large = generate_knowledge_base(real, args.topics, seed=args.seed)
    generated_s = time.perf_counter() - start
    log(f"generated {len(large.topics) - len(real.topics):,} topics in {generated_s:.1f} s")
    large_plan = (plan.large, plan.large_baseline, plan.large_baseline_warmup)
    large_rows, large_answerer, _ = _measure("generated", large, questions, large_plan, cutoff, log)
    rows += large_rows
    table = report(rows)
    ours = {r.kb_topics: r for r in rows if r.system == "ours"}
    checks = {
        "real": (ours[len(real.topics)].p99_ms, TARGETS["real"]),
        "large": (ours[len(large.topics)].p99_ms, TARGETS["large"]),
    }
    print(f"\nask latency and dev-set accuracy ({len(questions)} questions; baseline cutoff {cutoff:.0f})\n")
    print(format_table(table))
    print()
    missed = False
    for name, (value, target) in checks.items():
        ok = value < target
        missed |= not ok
        print(f"target p99 < {target:g} ms on the {name} base: {value:.2f} ms -- {'met' if ok else 'MISSED'}")
    profile = _profile(large_answerer, [row["text"] for row in questions]) if args.profile else None
    if profile:
        print("\n" + profile)
    if args.json:
        payload = {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": {
                "python": platform.python_version(),
                "platform": platform.platform(),
                "processor": platform.processor(),
                "cpus": os.cpu_count(),
            },
            "questions": str(args.questions),
            "baseline_cutoff": cutoff,
            "generated_s": generated_s,
            "seed": args.seed,
            "quick": args.quick,
            "rows": [asdict(r) for r in rows],
            "table": table,
            "targets": {k: {"p99_ms": v, "target_ms": t, "met": v < t} for k, (v, t) in checks.items()},
        }
        args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
