"""Benchmark disclosure-gen against LibreOffice in the same run (issue 6). Run outside pytest:

    .venv/bin/python bench/run.py [--reps N] [--inputs FILE ...] [--quick] [--results PATH]

For each inputs/ file and a generated large 部门 (bench/make_large.py) it measures the whole-process
wall time and peak RSS of `check`, DOCX render, PDF render, both, and LibreOffice converting our own
DOCX to PDF (`soffice --headless --convert-to pdf`, fresh profile warmed once). Commands alternate
(A B C D E, then E D C B A, …) after one warm-up run each; medians, min–max, and ours/LibreOffice
ratios taken pair by pair (run i against run i). It also records sizes, page counts, whether the
fonts are subset, and batch throughput for 20 agencies at --jobs 1 and --jobs 2. Results go to
bench/results.md (overwritten), every figure against its target.

--quick: no warm-up of our commands, no large 部门, no batch (the pytest smoke test uses it).
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
WORK = BENCH / "work"           # --work changes it (the smoke test uses a temporary folder)
MB = 1024 * 1024

TARGETS = {
    "check_s": 0.3,          # check, gaoping, whole process
    "pdf_vs_lo": 1.0,        # gaoping PDF / LibreOffice conversion of the same document
    "docx_s": 0.5,           # gaoping DOCX
    "pdf_bytes": 1 * MB,     # gaoping PDF size
    "rss_mb": 400,           # any single document (inputs/)
    "batch_speedup": 1.7,    # --jobs 2 vs --jobs 1 throughput
    "large_pdf_s": 60,       # large 部门 PDF
    "large_rss_mb": 1024,    # large 部门 PDF peak RSS
}
COMMANDS = ("check", "docx", "pdf", "both", "pdf_cold", "lo")
LABELS = {"check": "check", "docx": "render DOCX", "pdf": "render PDF", "both": "render DOCX+PDF",
          "pdf_cold": "render PDF, caches off",
          "lo": "LibreOffice DOCX→PDF"}


# ---- running one command ----------------------------------------------------------------------
@dataclass
class Run:
    wall: float
    rss_mb: float
    rc: int
    err: str = ""


GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
_RUSAGE_WRAPPER = ("import resource,subprocess,sys;r=subprocess.run(sys.argv[2:]).returncode;"
                   "open(sys.argv[1],'w').write('0 %d' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss);"
                   "sys.exit(r)")


def run_measured(cmd: list[str], timeout: float = 900, env=None) -> Run:
    """Wall time (perf_counter around the whole process) and peak RSS (GNU time %M, else
    getrusage(RUSAGE_CHILDREN) in a fresh wrapper process) of one command."""
    fd, stat = tempfile.mkstemp(prefix="bench-time-", suffix=".txt")
    os.close(fd)
    if GNU_TIME:
        full = [GNU_TIME, "-f", "%e %M", "-o", stat, *cmd]
    else:
        full = [sys.executable, "-c", _RUSAGE_WRAPPER, stat, *cmd]
    t0 = time.perf_counter()
    try:
        p = subprocess.run(full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout, env=env)
        rc, err = p.returncode, p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        rc, err = -9, f"timed out after {timeout:.0f} s"
    wall = time.perf_counter() - t0
    rss = 0.0
    try:
        fields = Path(stat).read_text().split()
        rss = int(fields[-1]) / 1024 if fields else 0.0
    except (OSError, ValueError):
        pass
    finally:
        Path(stat).unlink(missing_ok=True)
    return Run(wall, rss, rc, err.strip()[-600:])


@dataclass
class Series:
    runs: list[Run] = field(default_factory=list)
    failed: str = ""

    @property
    def ok(self) -> list[Run]:
        return [r for r in self.runs if r.rc == 0]

    def walls(self):
        return [r.wall for r in self.ok]

    def med(self):
        w = self.walls()
        return statistics.median(w) if w else None

    def rng(self):
        w = self.walls()
        return (min(w), max(w)) if w else (None, None)

    def rss_max(self):
        r = [x.rss_mb for x in self.ok]
        return max(r) if r else None

    def rss_med(self):
        r = [x.rss_mb for x in self.ok]
        return statistics.median(r) if r else None


def dg_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "disclosure-gen"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "disclosure_gen"]


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


# ---- machine -----------------------------------------------------------------------------------
def _out(cmd) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine() -> dict[str, str]:
    cpu = ""
    try:
        for ln in Path("/proc/cpuinfo").read_text().splitlines():
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    ram = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        ram = f"{kb / MB:.1f} GiB"
    except (OSError, AttributeError):
        pass

    def ver(pkg):
        try:
            from importlib.metadata import version
            return version(pkg)
        except Exception:
            return "not installed"

    so = soffice_path()
    lo = _out([so, "--headless", "--version"]) if so else "not installed"
    hb = _out(["dpkg-query", "-W", "-f", "${Version}", "libharfbuzz-subset0"]) or "?"
    return {
        "CPU": cpu or "?", "cores": str(os.cpu_count()), "RAM": ram or "?",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(), "WeasyPrint": ver("weasyprint"), "pydyf": ver("pydyf"),
        "python-docx": ver("python-docx"), "pydantic": ver("pydantic"), "matplotlib": ver("matplotlib"),
        "libharfbuzz-subset0": hb, "LibreOffice": lo.splitlines()[0] if lo else "?",
        "peak RSS from": "GNU time %M" if GNU_TIME else "getrusage(RUSAGE_CHILDREN)",
    }


# ---- documents ---------------------------------------------------------------------------------
def pdf_pages(path: Path) -> int | None:
    m = re.search(r"^Pages:\s+(\d+)", _out(["pdfinfo", str(path)]), re.M)
    return int(m.group(1)) if m else None


def pdf_fonts(path: Path) -> tuple[int, int]:
    """(fonts, of which subset) per pdffonts."""
    out = _out(["pdffonts", str(path)]).splitlines()
    if len(out) < 2:
        return 0, 0
    head = out[0]
    i_sub = head.find("sub")
    n = sub = 0
    for ln in out[2:]:
        if not ln.strip():
            continue
        n += 1
        if ln[i_sub:i_sub + 3].strip() == "yes" or re.match(r"^[A-Z]{6}\+", ln):
            sub += 1
    return n, sub


def newest(folder: Path, suffix: str) -> Path | None:
    files = sorted(folder.glob(f"*{suffix}"), key=lambda p: p.stat().st_mtime)
    return files[-1] if files else None


@dataclass
class DocResult:
    label: str
    path: Path
    series: dict[str, Series]
    pdf: Path | None = None
    docx: Path | None = None
    lo_pdf: Path | None = None
    ratios: list[float] = field(default_factory=list)


def bench_document(label: str, path: Path, reps: int, warm: bool, lo_profile: str | None,
                   log) -> DocResult:
    out = WORK / "out" / label
    if out.exists():
        shutil.rmtree(out)
    dirs = {k: out / k for k in COMMANDS}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    dg = dg_cmd()
    cmds = {
        "check": dg + ["check", str(path)],
        "docx": dg + ["render", str(path), "--format", "docx", "-o", str(dirs["docx"])],
        "pdf": dg + ["render", str(path), "--format", "pdf", "-o", str(dirs["pdf"])],
        "both": dg + ["render", str(path), "--format", "docx,pdf", "-o", str(dirs["both"])],
        "pdf_cold": dg + ["render", str(path), "--format", "pdf", "-o", str(dirs["pdf_cold"])],
    }
    # the same PDF render with the on-disk caches (templates, charts, font subsets) turned off:
    # what a first render on a new machine costs
    envs = {"pdf_cold": {**os.environ, "DISCLOSURE_GEN_CACHE": "off"}}
    res = DocResult(label, path, {k: Series() for k in COMMANDS})
    # our DOCX, the input of the LibreOffice conversion (this run also warms the DOCX path)
    first = run_measured(cmds["docx"])
    res.docx = newest(dirs["docx"], ".docx")
    if first.rc != 0 or res.docx is None:
        res.series["docx"].failed = first.err or f"exit {first.rc}"
    if lo_profile is None:
        res.series["lo"].failed = "soffice not installed"
    elif res.docx is not None:
        lo_in = dirs["lo"] / ("in" + res.docx.suffix)
        shutil.copyfile(res.docx, lo_in)
        cmds["lo"] = [soffice_path(), f"-env:UserInstallation={lo_profile}", "--headless", "--norestore",
                      "--convert-to", "pdf", "--outdir", str(dirs["lo"]), str(lo_in)]
    else:
        res.series["lo"].failed = "no DOCX of ours to convert"
    active = [k for k in COMMANDS if k in cmds and not res.series[k].failed]
    if warm:
        for k in active:
            if k == "docx":
                continue        # warmed above
            r = run_measured(cmds[k], env=envs.get(k))
            if r.rc != 0:
                res.series[k].failed = r.err or f"exit {r.rc}"
        active = [k for k in active if not res.series[k].failed]
    for i in range(reps):
        order = active if i % 2 == 0 else active[::-1]
        for k in order:
            if res.series[k].failed:
                continue
            r = run_measured(cmds[k], env=envs.get(k))
            res.series[k].runs.append(r)
            if r.rc != 0:
                res.series[k].failed = r.err or f"exit {r.rc}"
            log(f"  {label:>10} {k:<6} run {i + 1}/{reps}: {r.wall:7.3f} s {r.rss_mb:7.1f} MB"
                + ("" if r.rc == 0 else f"  FAILED ({r.rc})"))
    res.pdf = newest(dirs["pdf"], ".pdf") or newest(dirs["both"], ".pdf")
    res.docx = newest(dirs["docx"], ".docx") or res.docx
    res.lo_pdf = newest(dirs["lo"], ".pdf")
    pdf_runs, lo_runs = res.series["pdf"].runs, res.series["lo"].runs
    res.ratios = [a.wall / b.wall for a, b in zip(pdf_runs, lo_runs) if a.rc == 0 and b.rc == 0]
    return res


# ---- batch -------------------------------------------------------------------------------------
def batch_help() -> str | None:
    p = subprocess.run(dg_cmd() + ["batch", "--help"], capture_output=True, text=True)
    return p.stdout if p.returncode == 0 else None


def make_batch_dir(inputs: list[Path], n: int = 20) -> Path:
    """n agencies: copies of the inputs cycled, each with its own agency name (distinct outputs)."""
    d = WORK / "batch" / "in"
    if d.parent.exists():
        shutil.rmtree(d.parent)
    d.mkdir(parents=True)
    for i in range(n):
        src = inputs[i % len(inputs)]
        text = src.read_text(encoding="utf-8")
        # the first `name:` under `agency:` gets a suffix, so that output file names differ
        text = re.sub(r"(^agency:\s*\n(?:[ \t]+.*\n)*?[ \t]+name:[ \t]*)([^\n#]*?)([ \t]*(?:#.*)?)$",
                      lambda m: f"{m.group(1)}{m.group(2).strip()}{i + 1:02d}{m.group(3)}", text, count=1, flags=re.M)
        (d / f"{i + 1:02d}-{src.name}").write_text(text, encoding="utf-8")
    return d


def bench_batch(inputs: list[Path], reps: int, log) -> dict:
    helptext = batch_help()
    if helptext is None:
        return {"error": "`disclosure-gen batch` is not available in this tree"}
    d = make_batch_dir(inputs)
    n = len(list(d.glob("*.yaml")))
    extra = ["--format", "docx,pdf"] if "--format" in helptext else []
    series = {1: Series(), 2: Series()}
    cmds = {}
    for j in (1, 2):
        out = WORK / "batch" / f"out-jobs{j}"
        cmds[j] = (out, dg_cmd() + ["batch", str(d), "-o", str(out), "--jobs", str(j)] + extra)

    def once(j):
        out, cmd = cmds[j]
        if out.exists():
            shutil.rmtree(out)
        return run_measured(cmd, timeout=3600)

    for j in (1, 2):                     # warm-up
        r = once(j)
        if r.rc != 0:
            series[j].failed = r.err or f"exit {r.rc}"
    for i in range(reps):
        for j in ((1, 2) if i % 2 == 0 else (2, 1)):
            if series[j].failed:
                continue
            r = once(j)
            series[j].runs.append(r)
            if r.rc != 0:
                series[j].failed = r.err or f"exit {r.rc}"
            log(f"  batch --jobs {j} run {i + 1}/{reps}: {r.wall:7.2f} s {r.rss_mb:7.1f} MB"
                + ("" if r.rc == 0 else f"  FAILED ({r.rc})"))
    outputs = sorted(p.name for p in cmds[2][0].glob("**/*") if p.is_file()) if cmds[2][0].exists() else []
    speedups = [a.wall / b.wall for a, b in zip(series[1].runs, series[2].runs) if a.rc == 0 and b.rc == 0]
    return {"n": n, "series": series, "speedups": speedups, "outputs": len(outputs),
            "sources": sorted({p.name for p in inputs}), "format": extra[1] if extra else "(batch default)"}


# ---- report ------------------------------------------------------------------------------------
def _loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def fs(x, nd=3):
    return "—" if x is None else f"{x:.{nd}f}"


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("**met**" if ok else "**NOT MET**")


def report(mach, docs: list[DocResult], batch: dict | None, args, started: float) -> str:
    L = []
    w = L.append
    w("# Benchmark results (issue 6)")
    w("")
    w(f"Generated by `bench/run.py` on {time.strftime('%Y-%m-%d %H:%M')} in {time.time() - started:.0f} s; "
      f"re-running overwrites this file. Repetitions per command: {args.reps} after "
      f"{'one warm-up run' if not args.quick else 'no warm-up (quick mode)'}; commands alternate "
      "(check, DOCX, PDF, both, PDF with caches off, LibreOffice, then the reverse order, …). Times are whole-process wall "
      "times; peak RSS is the largest resident set of one process of the command (GNU time `%M`; a PDF render is up to three processes: the main one, about 60 MB for gaoping, the PDF process and, for a long document, the process laying out its second part).")
    w("")
    w("Conditions: the on-disk caches of `disclosure-gen` (compiled templates, drawn charts, font subsets; "
      "see src/disclosure_gen/cache.py) are warm after the warm-up run, as they are when an officer "
      "re-renders after a revision; the row *render PDF, caches off* shows a first render. The machine "
      "is shared with other work: load average (1 min) was "
      f"{args._load0} at the start and {_loadavg()} at the end of this run; the ratios to LibreOffice "
      "are taken pair by pair, so that both sides of a pair see the same load.")
    w("")
    w("## Machine")
    w("")
    w("| | |")
    w("|---|---|")
    for k, v in mach.items():
        w(f"| {k} | {v} |")
    w("")

    gp = next((d for d in docs if d.label.startswith("gaoping")), None)
    large = next((d for d in docs if d.label == "large-dept"), None)
    targets = []

    def target(name, figure, ok):
        if figure.startswith(("failed: ", "not measured: ")):
            head, rest = figure.split(": ", 1)
            figure = f"{head}: {_cell(rest)}"
        targets.append((name, figure, ok))

    if gp:
        s = gp.series["check"]
        target("`check` gaoping ≤ 0.3 s", f"{fs(s.med())} s median" if s.med() else f"failed: {s.failed}",
               None if s.med() is None else s.med() <= TARGETS["check_s"])
        s = gp.series["docx"]
        target("gaoping DOCX ≤ 0.5 s", f"{fs(s.med())} s median" if s.med() else f"failed: {s.failed}",
               None if s.med() is None else s.med() <= TARGETS["docx_s"])
        if gp.ratios:
            r = statistics.median(gp.ratios)
            target("gaoping PDF ≤ 1.0× LibreOffice (same run)",
                   f"{r:.2f}× (pairwise median; PDF {fs(gp.series['pdf'].med())} s vs LibreOffice "
                   f"{fs(gp.series['lo'].med())} s)", r <= TARGETS["pdf_vs_lo"])
        else:
            target("gaoping PDF ≤ 1.0× LibreOffice (same run)",
                   "not measured: " + (gp.series["pdf"].failed or gp.series["lo"].failed or "no pairs"), None)
        if gp.pdf:
            size = gp.pdf.stat().st_size
            n, sub = pdf_fonts(gp.pdf)
            target("gaoping PDF ≤ 1 MB with subset fonts",
                   f"{size / 1024:.0f} KB; {sub} of {n} fonts subset",
                   size <= TARGETS["pdf_bytes"] and n > 0 and sub == n)
        else:
            target("gaoping PDF ≤ 1 MB with subset fonts", "no PDF produced", None)
    small = [d for d in docs if d.label != "large-dept"]
    rss = [(d.label, k, d.series[k].rss_max()) for d in small for k in ("check", "docx", "pdf", "both", "pdf_cold")
           if d.series[k].rss_max() is not None]
    if rss:
        lab, k, mx = max(rss, key=lambda x: x[2])
        target("peak RSS ≤ 400 MB for any single document (inputs/)", f"{mx:.0f} MB max ({lab}, {LABELS[k]})",
               mx <= TARGETS["rss_mb"])
    else:
        target("peak RSS ≤ 400 MB for any single document (inputs/)", "not measured", None)
    if batch is None:
        target("batch --jobs 2 ≥ 1.7× throughput of --jobs 1", "not run (--quick or --no-batch)", None)
    elif "error" in batch:
        target("batch --jobs 2 ≥ 1.7× throughput of --jobs 1", batch["error"], None)
    elif batch["speedups"]:
        sp = statistics.median(batch["speedups"])
        target("batch --jobs 2 ≥ 1.7× throughput of --jobs 1", f"{sp:.2f}× (pairwise median)",
               sp >= TARGETS["batch_speedup"])
    else:
        fail = batch["series"][1].failed or batch["series"][2].failed
        target("batch --jobs 2 ≥ 1.7× throughput of --jobs 1", f"failed: {fail}", None)
    if large:
        s = large.series["pdf"]
        if s.med() is not None:
            target("large 部门 PDF < 60 s", f"{fs(s.med(), 1)} s median (max {fs(s.rng()[1], 1)} s)",
                   s.rng()[1] < TARGETS["large_pdf_s"])
            target("large 部门 PDF < 1 GB (peak RSS)", f"{s.rss_max():.0f} MB max; file "
                   f"{large.pdf.stat().st_size / MB:.1f} MB" if large.pdf else f"{s.rss_max():.0f} MB max",
                   s.rss_max() < TARGETS["large_rss_mb"])
        else:
            target("large 部门 PDF < 60 s and < 1 GB", f"failed: {s.failed}", None)
    else:
        target("large 部门 PDF < 60 s and < 1 GB", "not run (--quick or --no-large)", None)

    w("## Targets")
    w("")
    w("| target | measured | verdict |")
    w("|---|---|---|")
    for name, fig, ok in targets:
        w(f"| {name} | {fig} | {verdict(ok)} |")
    w("")

    w("## Times and memory per document")
    w("")
    w("| document | command | median s | min–max s | peak RSS MB (median / max) | runs |")
    w("|---|---|---|---|---|---|")
    for d in docs:
        for k in COMMANDS:
            s = d.series[k]
            lo, hi = s.rng()
            if s.med() is None:
                w(f"| {d.label} | {LABELS[k]} | — | — | — | failed: {_cell(s.failed)} |")
                continue
            note = f"{len(s.ok)}" + (f" (then failed: {_cell(s.failed)})" if s.failed else "")
            w(f"| {d.label} | {LABELS[k]} | {fs(s.med())} | {fs(lo)}–{fs(hi)} | "
              f"{s.rss_med():.0f} / {s.rss_max():.0f} | {note} |")
    w("")
    w("## Ours / LibreOffice (PDF render vs `soffice --convert-to pdf` of our DOCX, run i against run i)")
    w("")
    w("| document | median ratio | min–max | ours PDF median s | LibreOffice median s |")
    w("|---|---|---|---|---|")
    for d in docs:
        if d.ratios:
            w(f"| {d.label} | {statistics.median(d.ratios):.2f}× | {min(d.ratios):.2f}–{max(d.ratios):.2f} | "
              f"{fs(d.series['pdf'].med())} | {fs(d.series['lo'].med())} |")
        else:
            w(f"| {d.label} | — | — | {fs(d.series['pdf'].med())} | {fs(d.series['lo'].med())} |")
    w("")
    w("## Sizes and pages")
    w("")
    w("| document | input | PDF size | PDF pages | fonts (subset/all) | DOCX size | DOCX pages (as LibreOffice lays it out) | LibreOffice PDF size |")
    w("|---|---|---|---|---|---|---|---|")
    for d in docs:
        pdf_size = f"{d.pdf.stat().st_size / 1024:.0f} KB" if d.pdf else "—"
        pages = pdf_pages(d.pdf) if d.pdf else None
        fonts = "{1}/{0}".format(*pdf_fonts(d.pdf)) if d.pdf else "—"
        docx_size = f"{d.docx.stat().st_size / 1024:.0f} KB" if d.docx else "—"
        lo_pages = pdf_pages(d.lo_pdf) if d.lo_pdf else None
        lo_size = f"{d.lo_pdf.stat().st_size / 1024:.0f} KB" if d.lo_pdf else "—"
        rel = d.path.relative_to(ROOT) if d.path.is_relative_to(ROOT) else d.path
        w(f"| {d.label} | `{rel}` ({d.path.stat().st_size / 1024:.0f} KB) | {pdf_size} | {pages or '—'} | "
          f"{fonts} | {docx_size} | {lo_pages or '—'} | {lo_size} |")
    w("")
    w("## Batch throughput")
    w("")
    if batch is None:
        w("Not run (`--quick` or `--no-batch`).")
    elif "error" in batch:
        w(batch["error"] + ".")
    else:
        w(f"{batch['n']} agencies (copies of {', '.join(batch['sources'])}, each renamed), formats "
          f"{batch['format']}, `disclosure-gen batch DIR -o OUT --jobs N`; {args.batch_reps} runs each after "
          "a warm-up, alternating.")
        w("")
        w("| jobs | median s | min–max s | agencies / minute | peak RSS MB (max) |")
        w("|---|---|---|---|---|")
        for j in (1, 2):
            s = batch["series"][j]
            if s.med() is None:
                w(f"| {j} | — | — | — | failed: {_cell(s.failed)} |")
                continue
            lo, hi = s.rng()
            w(f"| {j} | {fs(s.med(), 2)} | {fs(lo, 2)}–{fs(hi, 2)} | {batch['n'] / s.med() * 60:.1f} | "
              f"{s.rss_max():.0f} |")
        if batch["speedups"]:
            sp = batch["speedups"]
            w("")
            w(f"Speed-up --jobs 2 over --jobs 1 (pairwise): median {statistics.median(sp):.2f}×, "
              f"min–max {min(sp):.2f}–{max(sp):.2f}×.")
    w("")
    L.extend(NOTES.strip("\n").splitlines())
    w("")
    return "\n".join(L)


NOTES = """
## What the speed work is (issue 6)

- `check` imports no rendering module (tests/test_bench.py asserts it); its time is Python start-up,
  pydantic model building and the YAML read.
- On-disk caches (`src/disclosure_gen/cache.py`, `DISCLOSURE_GEN_CACHE=off` turns them off): compiled
  Jinja templates; drawn charts keyed by their data (a hit skips importing matplotlib); font subsets keyed
  by font data and glyph set (`fontcache.py`). Every hit returns the bytes a fresh computation gives.
- The cyclic garbage collector is paused while rendering (`pipeline._gc_paused`): WeasyPrint builds
  millions of objects and repeated full collections took a quarter of a small render and over half of
  the large one. A command-line render ends with `os._exit` once its files are written and synced,
  instead of tearing those objects down.
- `render` forks a PDF process first (`pdfworker.py`): it imports only the PDF stack (WeasyPrint) while
  the main process imports the data model, checks the file, renders the markup and builds the DOCX, then
  makes the PDF with the same writer call (same bytes). Any failure falls back to rendering in-process.
- `batch` submits the largest files first, so that no worker idles at the end.
- WeasyPrint's C declarations (16 KB for Pango, HarfBuzz, fontconfig) are not re-parsed at every start
  (`fastffi.py`): cffi's out-of-line ABI mode turns them into a type table once, kept in the cache as
  literals (read back with `ast.literal_eval`, never executed); WeasyPrint's own `text/ffi.py` then runs
  without its `cdef` call. Importing WeasyPrint went from about 0.35–0.45 s to about 0.2 s, so the PDF
  process is ready when the markup arrives (same bytes; `DISCLOSURE_GEN_FAST_FFI=off` turns it off).
- A long document is laid out as two parts at once (`writers/pdfparts.py`). The markup is cut
  between two sections, or at a forced page break inside one (the run of 绩效目标表 is one section),
  where the longer of the two layouts is shortest; the PDF process forks a second process, WeasyPrint
  already imported, for the second part. What a part cannot know by itself is given to it as CSS:
  where its page numbers start, and the page numbers the table of contents prints. These numbers are
  predicted from the previous render of a document of the same structure (kept in the cache) and
  checked against the laid-out pages before anything is painted; a wrong prediction costs one more
  layout, never a different file. pikepdf (qpdf) joins the parts in about 10 ms: one subset of each
  font for the whole file, and the outline, named destinations and contents links of the whole
  layout. tests/test_pdfparts.py compares the joined file of every input with the same markup laid
  out whole: page text, page sizes, outline, destinations, links and fonts are the same, and the
  bytes do not depend on the prediction, the cache or the number of processes (a batch worker lays
  out both parts itself, in turn). gaoping's PDF process: about 1.4 s whole, 0.85 s in two parts.

## Tried and not kept

- An earlier version of the two-part layout (kept until this change in bench/prototypes/pdfjoin.py,
  now removed) numbered the pages in a third, light document laid out after the parts (the front
  pages and one empty page per body page carrying its anchors) and put its pages under the parts'
  pages. That pass cost 0.32 s and its join 0.15 s, which ate the gain at gaoping's size, and its
  bytes differed from run to run. Predicting the numbers and checking them removed both costs.
- Cheaper dot leaders in the table of contents (`leader("........")` saves about 0.08 s): the dots then
  start at uneven places, a visible change, so not done.
- CSS changes measured on the gaoping markup (layout + writing, three runs each, none beyond the noise
  of about 0.05 s): `display: block` instead of flex for the lines above tables; separate instead of
  collapsed borders; left instead of justified text; `vertical-align: top` in cells; rows allowed to
  break; `line-height: normal` in tables; no kerning or ligatures. The 13 data tables cost about 0.33 s
  of the 0.65 s layout, the table of contents about 0.14 s.

## What is left

- The first render of a document whose structure this machine has not rendered before (or any render
  with `DISCLOSURE_GEN_CACHE=off`) has no prediction: each part is laid out twice, once to learn the
  page numbers. That is the *render PDF, caches off* row; it costs about what laying the document out
  whole did (gaoping, PDF process alone, three runs each: 1.54–1.58 s in parts against 1.47–1.50 s
  whole). Every later render of the same structure (a revision changes figures, not sections) takes
  the predicted path.
- A document is cut in two parts, for the project's 2-core machine; more cores are not used for one
  document. Documents under 20 000 characters of markup are laid out whole.
"""


def _cell(s: str) -> str:
    """The last line of an error (the exception), fit for a table cell."""
    lines = [ln.strip() for ln in (s or "").splitlines() if ln.strip()]
    return (lines[-1] if lines else "")[-200:].replace("|", "\\|")


# ---- main --------------------------------------------------------------------------------------
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark disclosure-gen against LibreOffice (issue 6).")
    ap.add_argument("--reps", type=int, default=None, help="runs per command after the warm-up (default 5; 1 with --quick)")
    ap.add_argument("--inputs", nargs="*", help="input files (default: every inputs/*.yaml)")
    ap.add_argument("--quick", action="store_true", help="no warm-up, no large 部门, no batch")
    ap.add_argument("--no-large", action="store_true", help="skip the generated large 部门")
    ap.add_argument("--no-batch", action="store_true", help="skip the batch throughput runs")
    ap.add_argument("--large-reps", type=int, default=None, help="runs per command for the large 部门 (default --reps)")
    ap.add_argument("--batch-reps", type=int, default=3, help="runs per --jobs setting (default 3)")
    ap.add_argument("--results", default=str(BENCH / "results.md"), help="results file (overwritten)")
    ap.add_argument("--work", default=None, help="folder for generated inputs and outputs (default bench/work)")
    args = ap.parse_args(argv)
    global WORK
    if args.work:
        WORK = Path(args.work).resolve()
    if args.reps is None:
        args.reps = 1 if args.quick else 5
    started = time.time()
    args._load0 = _loadavg()
    log = lambda msg: print(msg, file=sys.stderr, flush=True)   # noqa: E731

    inputs = [Path(p).resolve() for p in args.inputs] if args.inputs else sorted((ROOT / "inputs").glob("*.yaml"))
    if not inputs:
        ap.error("no input files")
    WORK.mkdir(parents=True, exist_ok=True)
    docs_in = [(p.stem, p) for p in inputs]
    if not (args.quick or args.no_large):
        sys.path.insert(0, str(BENCH))
        import make_large
        large = WORK / "large-dept.yaml"
        large.write_text(make_large.build(), encoding="utf-8")
        docs_in.append(("large-dept", large))

    so = soffice_path()
    profile_dir = Path(tempfile.mkdtemp(prefix="bench-lo-profile-"))
    profile = profile_dir.as_uri() if so else None
    try:
        if so:   # warm the fresh profile once (first start creates it)
            log("warming the LibreOffice profile …")
            d = WORK / "lo-warm"
            d.mkdir(exist_ok=True)
            (d / "warm.txt").write_text("warm\n")
            run_measured([so, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "pdf",
                          "--outdir", str(d), str(d / "warm.txt")], timeout=300)
        mach = machine()
        docs = []
        for label, path in docs_in:
            reps = args.large_reps if (label == "large-dept" and args.large_reps) else args.reps
            log(f"{label}: {reps} runs × {len(COMMANDS)} commands")
            docs.append(bench_document(label, path, reps, not args.quick, profile, log))
        batch = None
        if not (args.quick or args.no_batch):
            log("batch …")
            batch = bench_batch(inputs, args.batch_reps, log)
    finally:
        shutil.rmtree(profile_dir, ignore_errors=True)
    text = report(mach, docs, batch, args, started)
    Path(args.results).write_text(text, encoding="utf-8")
    log(f"results: {args.results}")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
