"""A synthetic national graph: N made-up municipalities whose programmes are shaped like the two real ones.

    .venv/bin/python bench/generate.py --municipalities 290 --seed 1 --out var/synthetic
    .venv/bin/python bench/generate.py --municipalities 30 --out var/synthetic --build var/store-30 [--with-real]

Each municipality becomes a source of the project's spreadsheet template (data/templates/README.md): an
activity sheet `<slug>.csv` (one row per activity), an actor sheet `<slug>-actors.csv`, and `<slug>.toml`
with a `[municipality]` table. So the data goes through the real pipeline (the template loader, the
registries, the SHACL gate of `andts build`) and conforms to the shapes by construction.

The shape follows the real programmes, read from data/sources/ with their loaders at start-up: goals per
programme, focus areas per goal, activities per focus area, actors per activity, coordinators, methods,
laws and substances per activity, text lengths (in words, from the real texts' own vocabulary) and
findings per activity (errata, markup, line-break hyphens, unknown actors, empty rows). Everything is
drawn from `random.Random(seed)`: the same seed and N give byte-identical files and the same build id.

The municipalities are clearly fictitious: "Syntetköping 0001" with slug `syntetkoping-0001`, kommunkod
9001… (no real Swedish code starts with 9), and every title says it is synthetic benchmark data.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from andts.loaders.common import SourceInfo
from andts.loaders.dimensions import Dimensions
from andts.loaders.registry import Registry
from andts.namespaces import ANDTS

SYNTHETIC = "Syntetköping"
SLUG = "syntetkoping"
STRATEGY = "2022-2025"
NATIONAL_GOALS = 7  # national-strategy/2022-2025/goal/1..7

#: Municipal bodies a synthetic municipality has (name, abbreviation, actor-kind slug); each takes a subset.
BODIES = [
    ("Kommunstyrelsen", "KS", "kommunstyrelse"),
    ("Socialnämnden", "SN", "namnd"),
    ("Barn- och utbildningsnämnden", "BUN", "namnd"),
    ("Kultur- och fritidsnämnden", "KFN", "namnd"),
    ("Miljö- och hälsoskyddsnämnden", "MHN", "namnd"),
    ("Vård- och omsorgsnämnden", "VON", "namnd"),
    ("Arbetsmarknadsnämnden", "AMN", "namnd"),
    ("Samhällsbyggnadsnämnden", "SBN", "namnd"),
    ("Socialförvaltningen", "SOF", "forvaltning"),
    ("Utbildningsförvaltningen", "UTF", "forvaltning"),
    ("Kultur- och fritidsförvaltningen", "KFF", "forvaltning"),
    ("Kommunledningskontoret", "KLK", "forvaltning"),
    ("Kommunala bostadsbolaget", "KBB", "kommunalt-bolag"),
    ("Fältgruppen", "FÄG", "enhet"),
    ("Ungdomsmottagningen", "UMO", "enhet"),
    ("Tillståndsenheten", "TSE", "enhet"),
    ("Elevhälsan", "EHS", "enhet"),
    ("Fritidsgårdsverksamheten", "FGV", "enhet"),
]
#: Reference actors outside any municipality that synthetic plans also name.
EXTERNAL = ["Polismyndigheten", "Folkhälsomyndigheten", "Länsstyrelsen i Södermanlands län", "Region Sörmland",
            "Tullverket", "Riksidrottsförbundet"]
COUNTIES = ["Blekinge län", "Dalarnas län", "Gotlands län", "Gävleborgs län", "Hallands län", "Jämtlands län",
            "Jönköpings län", "Kalmar län", "Kronobergs län", "Norrbottens län", "Skåne län", "Stockholms län",
            "Södermanlands län", "Uppsala län", "Värmlands län", "Västerbottens län", "Västernorrlands län",
            "Västmanlands län", "Västra Götalands län", "Örebro län", "Östergötlands län"]
#: Typos planted in the texts and declared as errata of the document → one finding per occurrence.
TYPOS = [("samverkann", "samverkan"), ("förebyggnade", "förebyggande"), ("ungdommar", "ungdomar"),
         ("kommunnen", "kommunen"), ("insattser", "insatser"), ("föräldrrar", "föräldrar")]
#: Words broken by a hyphen at a line break (the loaders' hyphenation finding).
HYPHENATED = ["brotts-förebyggande", "fastighets-ägare", "skol-personal", "förenings-livet", "kunskaps-spridning"]
UNKNOWN_ACTORS = ["Trygghetsrådet", "Samordningsgruppen", "Nätverket Unga", "Arbetsgrupp Syd"]
_WORD = re.compile(r"^[A-Za-zÅÄÖåäöÉé]{2,}$")


@dataclass
class Profile:
    """Empirical distributions of the real programmes (every list is sorted, so sampling is deterministic)."""

    goals_per_programme: list[int] = field(default_factory=list)
    focus_areas_per_goal: list[int] = field(default_factory=list)
    activities_per_focus_area: list[int] = field(default_factory=list)
    actors_per_activity: list[int] = field(default_factory=list)
    coordinated: float = 0.0  # share of activities with a coordinator
    methods_per_activity: list[int] = field(default_factory=list)
    laws_per_activity: list[int] = field(default_factory=list)
    substances_per_activity: list[int] = field(default_factory=list)
    activity_words: list[int] = field(default_factory=list)
    goal_words: list[int] = field(default_factory=list)
    focus_area_words: list[int] = field(default_factory=list)
    findings_per_activity: float = 0.0
    vocabulary: list[str] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)  # a Swedish label of each method, as the registry matches it
    laws: list[str] = field(default_factory=list)
    substances: list[str] = field(default_factory=list)


def _sv(g: Graph, iri: URIRef) -> str | None:
    labels = sorted(str(o) for o in g.objects(iri, SKOS.prefLabel) if getattr(o, "language", None) == "sv")
    return labels[0] if labels else None


def real_profile() -> Profile:
    """Read the real programmes (data/sources/ through their own loaders) and measure them."""
    from andts.build import discover_sources, reference_graphs, reference_union, run_loader

    graphs = reference_graphs()
    reference = reference_union(graphs)
    p = Profile()
    texts: list[str] = []
    activities = findings = coordinated = 0
    for source in discover_sources():
        g = run_loader(source, reference).graph
        goals = sorted(g.subjects(RDF.type, ANDTS.Goal))
        p.goals_per_programme.append(len(goals))
        sections = Counter()
        per_fa = Counter()
        for fa in sorted(g.subjects(RDF.type, ANDTS.FocusArea)):
            section = g.value(fa, ANDTS.goal) or g.value(fa, ANDTS.part)
            sections[section] += 1
            per_fa[fa] += 0
            p.focus_area_words.append(len(str(_sv(g, fa) or "").split()))
        for act in sorted(g.subjects(RDF.type, ANDTS.Activity)):
            activities += 1
            per_fa[g.value(act, ANDTS.focusArea)] += 1
            p.actors_per_activity.append(len(set(g.objects(act, ANDTS.responsible))))
            coordinated += (act, ANDTS.coordinator, None) in g
            p.methods_per_activity.append(len(set(g.objects(act, ANDTS.method))))
            p.laws_per_activity.append(len(set(g.objects(act, ANDTS.law))))
            p.substances_per_activity.append(len(set(g.objects(act, ANDTS.substance))))
            text = " ".join(sorted(str(o) for o in g.objects(act, DCTERMS.description)))
            p.activity_words.append(len(text.split()))
            texts.append(text)
        for goal in goals:
            text = " ".join(sorted(str(o) for o in g.objects(goal, DCTERMS.description)))
            if text:
                p.goal_words.append(len(text.split()))
        p.focus_areas_per_goal += list(sections.values())
        p.activities_per_focus_area += list(per_fa.values())
        findings += len(set(g.subjects(RDF.type, ANDTS.Finding)))
    p.coordinated = coordinated / activities
    p.findings_per_activity = findings / activities
    for name in ("focus_areas_per_goal", "activities_per_focus_area", "actors_per_activity", "methods_per_activity",
                 "laws_per_activity", "substances_per_activity", "activity_words", "goal_words", "focus_area_words"):
        setattr(p, name, sorted(getattr(p, name)))
    p.goals_per_programme.sort()

    registry = Registry(reference, URIRef("https://w3id.org/andts/id/municipality/none"))
    p.methods = sorted({label for s in reference.subjects(RDF.type, ANDTS.Method) if (label := _sv(reference, s))
                        and [m.iri for m in registry.methods.find(label)] == [s]})
    p.laws = sorted({label for s in reference.subjects(RDF.type, ANDTS.Law) if (label := _sv(reference, s))
                     and [m.iri for m in registry.laws.find(label)] == [s]})
    dimensions = Dimensions(reference)
    p.substances = sorted({label.lower() for s in reference.subjects(RDF.type, ANDTS.Substance)
                           if (label := _sv(reference, s)) and [t.concept for t in dimensions.read(label.lower())] == [s]})
    # the texts' own words, without anything a registry would recognise (those are planted on purpose)
    words = {w.strip(".,;:()\"'!?").lower() for t in texts for w in t.split()}
    p.vocabulary = sorted(w for w in words if _WORD.match(w) and not registry.methods.find(w)
                          and not registry.laws.find(w) and not dimensions.read(w)
                          and not registry.actors.find(w) and w not in {t for t, _ in TYPOS})
    return p


class Municipality:
    """One synthetic municipality's programme, drawn from the profile."""

    def __init__(self, number: int, profile: Profile, rng: random.Random) -> None:
        self.number, self.p, self.rng = number, profile, rng
        self.slug = f"{SLUG}-{number:04d}"
        self.name = f"{SYNTHETIC} {number:04d}"
        self.programme = f"{self.slug}-andts-2024-2027"
        self.bodies = sorted(rng.sample(BODIES, rng.randint(8, 14)))
        self.typos: set[str] = set()
        self.markup = False

    def words(self, n: int) -> list[str]:
        return [self.rng.choice(self.p.vocabulary) for _ in range(max(1, n))]

    def sentence(self, n: int) -> str:
        w = self.words(n)
        return " ".join(w)[:1].upper() + " ".join(w)[1:]

    def activity_text(self) -> str:
        rng, p = self.rng, self.p
        w = self.words(rng.choice(p.activity_words))
        plant: list[str] = []
        plant += rng.sample(p.methods, rng.choice(p.methods_per_activity))
        plant += rng.sample(p.laws, min(len(p.laws), rng.choice(p.laws_per_activity)))
        k = rng.choice(p.substances_per_activity)
        plant += ["ANDTS"] if k >= 4 else rng.sample(p.substances, min(k, len(p.substances)))
        for thing in plant:
            w.insert(rng.randrange(len(w) + 1), thing)
        text = " ".join(w)
        return text[:1].upper() + text[1:] + "."

    def flaw(self, text: str, cell: list[str]) -> str:
        """Plant one defect that the loader reports as a finding, in the proportions a real plan has."""
        rng = self.rng
        kind = rng.random()
        if kind < 0.5:
            typo, _ = rng.choice(TYPOS)
            self.typos.add(typo)
            return text[:-1] + f" {typo}."
        if kind < 0.65:
            self.markup = True  # wrapped around the finished text (markup inside a later edit would break)
            return text
        if kind < 0.8:
            return text[:-1] + f" {rng.choice(HYPHENATED)}."
        cell.append(rng.choice(UNKNOWN_ACTORS))
        return text

    def activity_rows(self) -> list[list[str]]:
        rng, p = self.rng, self.p
        rows = []
        n_goals = max(1, round(rng.choice(p.goals_per_programme) * rng.uniform(0.7, 1.3)))
        fa_total = 0
        for goal in range(1, n_goals + 1):
            goal_text = self.sentence(rng.choice(p.goal_words)) + "." if p.goal_words else ""
            national = f"{STRATEGY}/{rng.randint(1, NATIONAL_GOALS)}" if rng.random() < 0.85 else ""
            for k in range(rng.choice(p.focus_areas_per_goal)):
                fa_total += 1
                fa = [str(goal), goal_text, national, f"{goal}.{k + 1}", self.sentence(rng.choice(p.focus_area_words))]
                n_acts = rng.choice(p.activities_per_focus_area)
                if n_acts == 0:  # a focus area with no activity: a row without activity text (empty-cell finding)
                    rows.append(fa + ["", "", ""])
                for _ in range(n_acts):
                    cell = [self.actor_name() for _ in range(max(1, rng.choice(p.actors_per_activity)))]
                    cell = list(dict.fromkeys(cell))
                    text = self.activity_text()
                    self.markup = False
                    while rng.random() < p.findings_per_activity / (1 + p.findings_per_activity):
                        text = self.flaw(text, cell)
                    if self.markup:
                        text = f"<u>{text}</u>" if rng.random() < 0.5 else f"**{text}**"
                    coordinator = self.body()[1] if rng.random() < p.coordinated else ""
                    rows.append(fa + [text, "; ".join(cell), coordinator])
                    fa = ["", "", "", "", ""]
                goal_text = national = ""
        return rows

    def body(self) -> tuple[str, str, str]:
        return self.rng.choice(self.bodies)

    def actor_name(self) -> str:
        if self.rng.random() < 0.15:
            return self.rng.choice(EXTERNAL)
        name, abbr, _ = self.body()
        return abbr if self.rng.random() < 0.7 else name

    def files(self) -> dict[str, str]:
        """File name → content, for this municipality's source."""
        rows = self.activity_rows()
        sheet = io.StringIO()
        w = csv.writer(sheet, lineterminator="\n")
        w.writerow(["goal", "goal_text", "national_goal", "focus_area", "focus_area_text", "activity", "responsible",
                    "coordinator"])
        w.writerows(rows)
        actors = io.StringIO()
        w = csv.writer(actors, lineterminator="\n")
        w.writerow(["name", "abbreviation", "kind"])
        w.writerows(self.bodies)
        start = self.rng.choice([2022, 2023, 2024, 2025])
        errata = "".join(
            f'\n[[errata]]\ntext = "{typo}"\nkind = "misspelling"\nmessage = "Typo: \'{typo}\' for \'{right}\'."\n'
            f'suggestion = "{right}"\n' for typo, right in TYPOS if typo in self.typos)
        meta = f"""# SYNTHETIC benchmark data written by bench/generate.py (seeded); not a real municipality or plan.

[document]
file = "{self.programme}.csv"
actors = "{self.programme}-actors.csv"
slug = "{self.programme}"
loader = "template"
municipality = "{self.slug}"
title = "Syntetisk ANDTS-plan för {self.name} (testdata)"
title_en = "Synthetic ANDTS plan of {self.name} (benchmark data)"
publisher = "bench/generate.py (syntetiska data)"

[programme]
title = "Syntetiskt ANDTS-program för {self.name} {start}–{start + 3}"
title_en = "Synthetic ANDTS programme of {self.name} {start}–{start + 3}"
start = {start}-01-01
end = {start + 3}-12-31
strategy = "{STRATEGY}"

[municipality]
name = "{self.name}"
kommunkod = "9{self.number:03d}"
county = "{self.rng.choice(COUNTIES)}"
{errata}"""
        return {f"{self.programme}.csv": sheet.getvalue(), f"{self.programme}-actors.csv": actors.getvalue(),
                f"{self.programme}.toml": meta}


def generate(n: int, seed: int, out: Path, *, profile: Profile | None = None, progress: int = 0) -> list[Path]:
    """Write N municipalities' sources into `out`; returns the metadata files. Deterministic by seed."""
    if n > 999:
        raise SystemExit("at most 999 municipalities (kommunkod 9001–9999)")
    profile = profile or real_profile()
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob(f"{SLUG}-*"):
        old.unlink()
    rng = random.Random(seed)
    metas = []
    start = time.perf_counter()
    for i in range(1, n + 1):
        m = Municipality(i, profile, random.Random(rng.getrandbits(64)))
        for name, content in m.files().items():
            (out / name).write_text(content, encoding="utf-8")
            if name.endswith(".toml"):
                metas.append(out / name)
        if progress and (i % progress == 0 or i == n):
            print(f"generated {i}/{n} municipalities ({time.perf_counter() - start:.1f} s)", file=sys.stderr, flush=True)
    return metas


def sources(folder: Path, with_real: bool = False) -> list[SourceInfo]:
    """The sources of a generated folder (and the real ones of data/sources/), as `andts build` takes them."""
    from andts.build import discover_sources

    return (discover_sources() if with_real else []) + discover_sources(folder)


def build_with_progress(store: Path, srcs: list[SourceInfo]):
    """`andts.build.build` over these sources, its progress lines on stderr with the time since the start."""
    import andts.build as b

    start = time.perf_counter()

    def say(line: str) -> None:
        print(f"[{time.perf_counter() - start:6.1f} s] {line}", file=sys.stderr, flush=True)

    built = b.build(store, sources=srcs, progress=say)
    say(f"built {built.info.id}: {built.info.triples} triples")
    return built


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--municipalities", type=int, default=290, help="how many synthetic municipalities (default 290)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--out", type=Path, required=True, help="folder for the generated sources")
    ap.add_argument("--build", type=Path, metavar="STORE", help="then build them into this store link")
    ap.add_argument("--with-real", action="store_true", help="build the real sources of data/sources/ as well")
    ap.add_argument("--no-generate", action="store_true", help="build what is already in --out")
    args = ap.parse_args(argv)
    if not args.no_generate:
        generate(args.municipalities, args.seed, args.out, progress=max(1, min(50, args.municipalities // 10)))
    if args.build:
        build_with_progress(args.build, sources(args.out, args.with_real))
    return 0


if __name__ == "__main__":
    sys.exit(main())
