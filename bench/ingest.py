"""Ingest speed against its floor: bare spaCy (`nlp.pipe`) over the same texts, side by side.

    python bench/ingest.py                      # 500 articles, --jobs 1 and all processors
    python bench/ingest.py --articles 100 --rounds 3 --memory-articles 50

The corpus is made from the articles in data/, each copy made unique by a closing line (no text
is downloaded). For each process count N, bare spaCy runs N processes that each load the same
model and `nlp.pipe` a share of the texts: whole articles, and then the paragraphs factcli
parses (each one a document). Bare spaCy is the pipeline as installed, loaded by its own
package: not `factcli.nlp.load()`, which swaps its attribute ruler for factcli's faster table
(factcli/attributes.py), so the ratio compares factcli with spaCy as shipped. `factcli ingest
--jobs N` reads, parses, extracts and stores the same files into a fresh database. All are timed
as whole processes (start-up and model load included), in turn, so a machine's drift hits them
alike; a ratio is factcli's throughput over bare spaCy's, by wall time and by CPU time (user +
system of all of a run's processes; on a busy machine the steadier of the two). --corpus takes
the articles from a folder of real ones instead. Peak memory: the largest single process, and
the sum over all of a run's processes (sampled), as resident memory (RSS, which counts the pages
processes share, such as the libraries, once in each) and as their proportional share (PSS,
which counts them once). The memory check ingests --memory-articles and ten times as many with
--jobs 2 and compares the peaks. First, the fixed cost of a run: bare spaCy and factcli on the
corpus's first article alone (start-up, imports, loads, a new database), CPU seconds of each and
their difference, which a run of N articles spreads over N. --before DIR also times, in the same
rounds, the factcli of another source tree (DIR, a checkout with its src/ folder, such as `git
worktree add DIR main`), so a change is measured against the code before it side by side, on the
same machine at the same time. One line per figure, then a summary line.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BARE_SPACY = """
import sys
from multiprocessing import get_context


def run(paths):
    import importlib

    from factcli import nlp

    texts = [open(p, encoding="utf-8").read() for p in paths]
    if PARAGRAPHS:
        from factcli.extract import article_paragraphs
        from factcli.reader import read_article

        articles = [read_article(p) for p in paths]
        texts = [a.text[s:e] for a in articles for s, e in article_paragraphs(a)]
    spacy_nlp = importlib.import_module(nlp.package_name()).load()  # as installed
    for _ in spacy_nlp.pipe(texts, batch_size=nlp.BATCH_SIZE):
        pass
    return len(texts)


PARAGRAPHS = sys.argv[3] == "paragraphs"

if __name__ == "__main__":
    jobs = int(sys.argv[1])
    paths = [line.strip() for line in open(sys.argv[2], encoding="utf-8")]
    shares = [paths[i::jobs] for i in range(jobs)]
    if jobs == 1:
        run(paths)
    else:
        with get_context("spawn").Pool(jobs) as pool:
            pool.map(run, shares)
"""


BASELINES = {"bare spaCy (articles)": "articles", "bare spaCy (paragraphs)": "paragraphs"}
RUNS = [*BASELINES, "factcli"]
BEFORE = "factcli (before)"
FACTCLIS = ("factcli", BEFORE)


def make_corpus(folder: Path, articles: int, source: Path | None = None) -> tuple[list[Path], int]:
    """`articles` files: from `source` (a folder of .txt articles, spread evenly over its
    sorted files), or else from data/, each copy closed by a line that makes it unique."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    words = 0
    if source is not None:
        found = sorted(source.rglob("*.txt"))
        if len(found) < articles:
            raise SystemExit(f"{source}: {len(found)} articles, fewer than {articles}")
        for n in range(articles):
            original = found[n * len(found) // articles]
            text = original.read_text(encoding="utf-8", errors="replace")
            path = folder / f"{n:06d}_{original.name}"
            path.write_text(text, encoding="utf-8")
            paths.append(path)
            words += len(text.split())
        return paths, words
    sources = sorted((ROOT / "data").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in sources]
    for n in range(articles):
        text = texts[n % len(texts)].rstrip("\n") + f"\n\nThis is copy {n} of the story.\n"
        path = folder / f"{n:06d}_{sources[n % len(sources)].name}"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
        words += len(text.split())
    return paths, words


def _tree_rss_kb(pid: int) -> tuple[int, int, int]:
    """Resident memory (kB) of a process with all its descendants, of the largest one, and the
    tree's proportional share (PSS: pages shared between processes, such as the libraries,
    counted once over all of them instead of once in each)."""
    total = largest = pss = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status", encoding="ascii") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss = int(line.split()[1])
                        total += rss
                        largest = max(largest, rss)
                        break
            try:
                with open(f"/proc/{current}/smaps_rollup", encoding="ascii") as f:
                    for line in f:
                        if line.startswith("Pss:"):
                            pss += int(line.split()[1])
                            break
            except OSError:
                pass
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as f:
                    stack.extend(int(child) for child in f.read().split())
        except (OSError, ValueError):
            continue
    return total, largest, pss


@dataclass
class Measured:
    """One whole run: wall and CPU seconds (user + system, the run's processes together), peak
    memory in MB: largest process, all processes (RSS summed) and all processes (PSS)."""

    wall: float
    cpu: float
    largest: int
    total: int
    pss: int


def run_measured(cmd: list[str], env: dict[str, str] | None = None) -> Measured:
    """Run `cmd` to its end, sampling the memory of its process tree every 50 ms."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    peak_sum = peak_one = peak_pss = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_sum, peak_one, peak_pss
        while not done.is_set():
            total, largest, pss = _tree_rss_kb(proc.pid)
            peak_sum, peak_one = max(peak_sum, total), max(peak_one, largest)
            peak_pss = max(peak_pss, pss)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        sys.stderr.write(err.decode(errors="replace"))
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return Measured(elapsed, cpu, peak_one // 1024, peak_sum // 1024, peak_pss // 1024)


def bare_spacy(listing: Path, jobs: int, unit: str) -> list[str]:
    script = listing.with_name("bare_spacy.py")
    script.write_text(BARE_SPACY, encoding="utf-8")
    return [sys.executable, str(script), str(jobs), str(listing), unit]


def factcli_ingest(corpus: Path, db: Path, jobs: int) -> list[str]:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return [
        sys.executable,
        "-m",
        "factcli",
        "ingest",
        str(corpus),
        "--db",
        str(db),
        "-j",
        str(jobs),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=1, help="runs of each, in turn")
    parser.add_argument("--jobs", type=int, nargs="*", help="process counts (default: 1 and all)")
    parser.add_argument("--memory-articles", type=int, default=100, help="0 to skip the check")
    parser.add_argument(
        "--before",
        type=Path,
        help="a source tree of factcli (with src/) to time beside this one, in the same rounds",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        help="a folder of .txt articles to take the corpus from (default: copies of data/)",
    )
    args = parser.parse_args()
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    job_counts = args.jobs or sorted({1, cpus or 1})
    before_env = None
    names = list(RUNS)
    if args.before:
        source = (args.before / "src").resolve()
        if not (source / "factcli").is_dir():
            raise SystemExit(f"{args.before}: no src/factcli in it")
        before_env = {**os.environ, "PYTHONPATH": str(source)}
        names.append(BEFORE)

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        paths, words = make_corpus(corpus, args.articles, args.corpus)
        listing = Path(tmp) / "files.txt"
        listing.write_text("".join(f"{p}\n" for p in paths), encoding="utf-8")
        db = Path(tmp) / "bench.db"
        origin = args.corpus.name if args.corpus else "data/"
        print(f"corpus: {len(paths)} articles, {words} words (from {origin})", flush=True)
        summary = []
        one = Path(tmp) / "one"
        one.mkdir()
        (one / paths[0].name).write_bytes(paths[0].read_bytes())
        first = Path(tmp) / "first.txt"
        first.write_text(f"{one / paths[0].name}\n", encoding="utf-8")
        bare = run_measured(bare_spacy(first, 1, "articles")).cpu
        for name in FACTCLIS[: 2 if args.before else 1]:
            env = before_env if name == BEFORE else None
            cost = run_measured(factcli_ingest(one, db, 1), env).cpu
            print(
                f"fixed: {name} on 1 article cpu {cost:.2f} s, bare spaCy {bare:.2f} s:"
                f" {cost - bare:+.2f} s per run",
                flush=True,
            )
        rates: dict[int, float] = {}
        before_rates: dict[int, float] = {}
        for jobs in job_counts:
            runs: dict[str, list[Measured]] = {name: [] for name in names}
            ratios: dict[tuple[str, str], list[float]] = {}
            cpu_ratios: dict[tuple[str, str], list[float]] = {}
            for _ in range(args.rounds):
                for name in names:
                    if name in FACTCLIS:
                        env = before_env if name == BEFORE else None
                        runs[name].append(run_measured(factcli_ingest(corpus, db, jobs), env))
                    else:
                        runs[name].append(run_measured(bare_spacy(listing, jobs, BASELINES[name])))
                for run in FACTCLIS:
                    for name in BASELINES:
                        if run in runs:
                            key = (run, name)
                            ratios.setdefault(key, []).append(
                                runs[name][-1].wall / runs[run][-1].wall
                            )
                            cpu_ratios.setdefault(key, []).append(
                                runs[name][-1].cpu / runs[run][-1].cpu
                            )
            for name in names:
                t = statistics.median(m.wall for m in runs[name])
                cpu = statistics.median(m.cpu for m in runs[name])
                print(
                    f"jobs {jobs}  {name:<23} {len(paths) / t:6.2f} articles/s  "
                    f"{words / t:7.0f} words/s  cpu {cpu:6.1f} s  peak RSS "
                    f"{max(m.largest for m in runs[name])} MB largest process, "
                    f"{max(m.total for m in runs[name])} MB all processes "
                    f"(PSS {max(m.pss for m in runs[name])} MB)",
                    flush=True,
                )
            for (run, name), values in ratios.items():
                ratio = statistics.median(values)
                cpu_ratio = statistics.median(cpu_ratios[(run, name)])
                print(
                    f"jobs {jobs}  ratio {run} / {name}: {ratio:.2f} (target 0.85); "
                    f"by CPU time {cpu_ratio:.2f}"
                )
                summary.append(f"jobs {jobs}: {run} {ratio:.2f}× {name} (CPU {cpu_ratio:.2f}×)")
            if args.before:
                before_rates[jobs] = len(paths) / statistics.median(m.wall for m in runs[BEFORE])
            rates[jobs] = len(paths) / statistics.median(m.wall for m in runs["factcli"])
        for run, run_rates in (("factcli", rates), (BEFORE, before_rates)):
            if 1 in run_rates and len(run_rates) > 1:
                top = max(run_rates)
                scaling = run_rates[top] / run_rates[1]
                print(f"scaling: {run} --jobs {top} is {scaling:.2f}× --jobs 1 (target 1.6)")
                summary.append(f"{run} scaling {scaling:.2f}×")
        if args.memory_articles:
            for run in FACTCLIS if args.before else FACTCLIS[:1]:
                env = before_env if run == BEFORE else None
                peaks = []
                for n in (args.memory_articles, 10 * args.memory_articles):
                    folder = Path(tmp) / f"memory{n}"
                    make_corpus(folder, n)
                    measured = run_measured(factcli_ingest(folder, db, 2), env)
                    peaks.append(measured.total)
                    print(
                        f"memory: {run}, {n} articles --jobs 2  peak RSS {measured.largest} MB "
                        f"largest process, {measured.total} MB all processes "
                        f"(PSS {measured.pss} MB)",
                        flush=True,
                    )
                growth = peaks[1] / peaks[0] - 1
                print(
                    f"memory: {run}, 10× the articles raises peak RSS by {growth * 100:+.0f} %"
                    " (target 20)"
                )
                summary.append(f"{run} memory {growth * 100:+.0f} % at 10×, {peaks[1]} MB")
        print("summary: " + "; ".join(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
