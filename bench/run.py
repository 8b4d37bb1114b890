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
    "rev_vs_lo": 0.5,        # gaoping PDF, warm, after a one-figure revision / LibreOffice (issue 17)
    "cold_vs_lo": 1.2,       # gaoping PDF, caches off / LibreOffice (issue 17)
    "per_page_vs_gaoping": 1.5,  # generated 部门 of 1 000 projects, time per page / gaoping's (issue 17)
    "batch_speedup_17": 1.8,     # batch --jobs 2 / --jobs 1 (issue 17)
}
COMMANDS = ("check", "docx", "pdf", "pdf_rev", "both", "pdf_cold", "lo")
LABELS = {"check": "check", "docx": "render DOCX", "pdf": "render PDF", "both": "render DOCX+PDF",
          "pdf_rev": "render PDF after a one-figure revision",
          "pdf_cold": "render PDF, caches off",
          "lo": "LibreOffice DOCX→PDF"}
# a one-figure revision as issue 17 defines it: a 项 amount (事业运行's 公用经费 in gaoping), a new
# value at every run; it changes the totals, the tables and sentences showing them and the chart
REVISED = re.compile(r"(\{code: \"2010450\"[^}\n]*office: )(\d+\.\d\d)(\})")


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


def run_tree(cmd: list[str], timeout: float = 7200, env=None) -> Run:
    """Wall time and the peak of the summed resident sets of the command and all its processes
    (sampled every 0.2 s from /proc); `err` holds the largest single process."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    peak = single = 0
    while p.poll() is None and time.perf_counter() - t0 < timeout:
        total, big = _tree_rss(p.pid)
        peak, single = max(peak, total), max(single, big)
        time.sleep(0.2)
    if p.poll() is None:
        p.kill()
    err = p.stderr.read().decode("utf-8", "replace")
    p.wait()
    return Run(time.perf_counter() - t0, peak / MB, p.returncode, f"largest process {single / MB:.0f} MB; " + err[-400:])


def _tree_rss(root: int) -> tuple[int, int]:
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                ppid = int(Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    total = big = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        try:
            rss = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            rss = 0
        total, big = total + rss, max(big, rss)
        todo += children.get(pid, [])
    return total, big


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
    rev_ratios: list[float] = field(default_factory=list)
    cold_ratios: list[float] = field(default_factory=list)


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
    # the same PDF render with the on-disk caches (templates, charts, laid-out sections) turned
    # off: what a first render on a new machine costs
    envs = {"pdf_cold": {**os.environ, "DISCLOSURE_GEN_CACHE": "off"}}
    # a revision: the same file with one figure changed before every run (so never in the cache)
    source = path.read_text(encoding="utf-8")
    pre = {}
    if label.startswith("gaoping") and REVISED.search(source):
        rev = out / "revision" / path.name
        rev.parent.mkdir(parents=True, exist_ok=True)
        counter = [0]

        def revise():
            counter[0] += 1
            rev.write_text(REVISED.sub(lambda m: f"{m.group(1)}{float(m.group(2)) + 0.01 * counter[0]:.2f}{m.group(3)}",
                                       source, count=1), encoding="utf-8")
        revise()
        pre["pdf_rev"] = revise
        dirs["pdf_rev"] = out / "pdf_rev"
        cmds["pdf_rev"] = dg + ["render", str(rev), "--format", "pdf", "-o", str(dirs["pdf_rev"])]
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
            if k in pre:
                pre[k]()
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
    res.rev_ratios = [a.wall / b.wall for a, b in zip(res.series["pdf_rev"].runs, lo_runs) if a.rc == 0 and b.rc == 0]
    res.cold_ratios = [a.wall / b.wall for a, b in zip(res.series["pdf_cold"].runs, lo_runs) if a.rc == 0 and b.rc == 0]
    return res


def bench_generated(projects: int, log) -> dict:
    """One first render (caches off) of a generated 部门 of `projects` projects: wall time, pages,
    peak RSS of all its processes."""
    sys.path.insert(0, str(BENCH))
    import make_large
    path = WORK / f"dept-{projects}.yaml"
    path.write_text(make_large.build(projects=projects), encoding="utf-8")
    out = WORK / "out" / f"dept-{projects}"
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "DISCLOSURE_GEN_CACHE": "off"}
    r = run_tree(dg_cmd() + ["render", str(path), "--format", "pdf", "-o", str(out)], env=env)
    pdf = newest(out, ".pdf") if out.exists() else None
    log(f"  部门 of {projects} projects: {r.wall:.1f} s, {r.rss_mb:.0f} MB (all processes), rc {r.rc}")
    return {"projects": projects, "run": r, "pages": pdf_pages(pdf) if pdf else None,
            "size": pdf.stat().st_size if pdf else None, "input": path.stat().st_size}


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


def report(mach, docs: list[DocResult], batch: dict | None, args, started: float, generated=()) -> str:
    L = []
    w = L.append
    w("# Benchmark results (issues 6 and 17)")
    w("")
    w(f"Generated by `bench/run.py` on {time.strftime('%Y-%m-%d %H:%M')} in {time.time() - started:.0f} s; "
      f"re-running overwrites this file. Repetitions per command: {args.reps} after "
      f"{'one warm-up run' if not args.quick else 'no warm-up (quick mode)'}; commands alternate "
      "(check, DOCX, PDF, both, PDF with caches off, LibreOffice, then the reverse order, …). Times are whole-process wall "
      "times; peak RSS is the largest resident set of one process of the command (GNU time `%M`; a PDF render is the main process and one pool process per core); for the generated 部门 it is the sum over all processes of the command.")
    w("")
    w("Conditions: the on-disk caches of `disclosure-gen` (compiled templates, drawn charts, laid-out sections; "
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

    # issue 17
    if gp and gp.rev_ratios:
        r = statistics.median(gp.rev_ratios)
        target("gaoping PDF, warm, after a one-figure revision ≤ 0.5× LibreOffice (issue 17)",
               f"{r:.2f}× (pairwise median; {fs(gp.series['pdf_rev'].med())} s vs {fs(gp.series['lo'].med())} s)",
               r <= TARGETS["rev_vs_lo"])
    if gp and gp.cold_ratios:
        r = statistics.median(gp.cold_ratios)
        target("gaoping PDF, caches off ≤ 1.2× LibreOffice (issue 17)",
               f"{r:.2f}× (pairwise median; {fs(gp.series['pdf_cold'].med())} s vs {fs(gp.series['lo'].med())} s)",
               r <= TARGETS["cold_vs_lo"])
    gp_pages = pdf_pages(gp.pdf) if gp and gp.pdf else None
    gp_cold = gp.series["pdf_cold"].med() if gp else None
    for g in generated:
        r, n = g["run"], g["projects"]
        if r.rc != 0 or not g["pages"]:
            target(f"部门 of {n} projects renders within 1 GB (issue 17)", f"failed: {_cell(r.err)}", None)
            continue
        target(f"部门 of {n} projects: peak RSS ≤ 1 GB, all processes (issue 17)",
               f"{r.rss_mb:.0f} MB ({r.err.split(';')[0]}); {g['pages']} pages in {r.wall:.0f} s",
               r.rss_mb <= TARGETS["large_rss_mb"])
        if n == 1000 and gp_pages and gp_cold:
            ratio = (r.wall / g["pages"]) / (gp_cold / gp_pages)
            target("部门 of 1 000 projects: time per page ≤ 1.5× gaoping's (both caches off; issue 17)",
                   f"{ratio:.2f}× ({r.wall / g['pages'] * 1000:.0f} ms vs {gp_cold / gp_pages * 1000:.0f} ms per page; "
                   "not the same moment of load)", ratio <= TARGETS["per_page_vs_gaoping"])
    if batch and batch.get("speedups"):
        sp = statistics.median(batch["speedups"])
        target("batch --jobs 2 ≥ 1.8× --jobs 1 (issue 17)", f"{sp:.2f}×", sp >= TARGETS["batch_speedup_17"])

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
                why = f"failed: {_cell(s.failed)}" if s.failed else "not run (measured on gaoping only)"
                w(f"| {d.label} | {LABELS[k]} | — | — | — | {why} |")
                continue
            note = f"{len(s.ok)}" + (f" (then failed: {_cell(s.failed)})" if s.failed else "")
            w(f"| {d.label} | {LABELS[k]} | {fs(s.med())} | {fs(lo)}–{fs(hi)} | "
              f"{s.rss_med():.0f} / {s.rss_max():.0f} | {note} |")
    w("")
    w("## Ours / LibreOffice (PDF render vs `soffice --convert-to pdf` of our DOCX, run i against run i)")
    w("")
    w("| document | ours | median ratio | min–max | ours median s | LibreOffice median s |")
    w("|---|---|---|---|---|---|")
    for d in docs:
        for key, ratios in (("pdf", d.ratios), ("pdf_rev", d.rev_ratios), ("pdf_cold", d.cold_ratios)):
            if ratios:
                w(f"| {d.label} | {LABELS[key]} | {statistics.median(ratios):.2f}× | {min(ratios):.2f}–{max(ratios):.2f} | "
                  f"{fs(d.series[key].med())} | {fs(d.series['lo'].med())} |")
    w("")
    if generated:
        w("## Generated 部门 (bench/make_large.py --projects N; one first render each, caches off)")
        w("")
        w("| projects | input | wall s | PDF pages | ms per page | PDF size | peak RSS, all processes | largest process |")
        w("|---|---|---|---|---|---|---|---|")
        for g in generated:
            r = g["run"]
            per = f"{r.wall / g['pages'] * 1000:.0f}" if g["pages"] else "—"
            size = f"{g['size'] / MB:.1f} MB" if g["size"] else "—"
            w(f"| {g['projects']} | {g['input'] / MB:.1f} MB | {r.wall:.1f} | {g['pages'] or '—'} | {per} | {size} | "
              f"{r.rss_mb:.0f} MB | {r.err.split(';')[0].replace('largest process ', '')} |")
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
## How the PDF is made (issue 17)

- Every `<section>` of the markup starts a page, so each one (short ones grouped up to 30 000
  characters of markup, a long one cut at its own forced page breaks into pieces of at most 40 000,
  a table longer than 400 000 characters of rows split at row boundaries under a copy of its header)
  is laid out as a WeasyPrint document of its own, with WeasyPrint's public API only (`HTML`, `CSS`,
  `Document`, `Page.anchors`, `Page.bookmarks`, `write_pdf`), without its page margin boxes
  (`src/disclosure_gen/writers/sections.py`).
- Each laid-out group is kept in the cache (`cache.py`, `sections/`) under the hash of its markup,
  the style sheets, the assets it names, this machine's fonts (fontconfig) and the WeasyPrint
  version: a revision lays out again only the groups whose markup changed. The groups are large
  because every WeasyPrint document costs about a tenth of a second besides its pages (font
  subsets, style cascade, PDF writing): gaoping is four groups, and a 项 revision lays out two.
- Each group is written uncompressed (`write_pdf(uncompressed_pdf=True)`), its font programs are
  dropped, and what is kept is compressed once (pikepdf, object streams): compressing the subsets
  WeasyPrint cuts, only to drop them, was a fifth of a small group's layout.
- The font programs are dropped from each group in the pool process (the join embeds each font
  once), and the join's font subsets are cached by glyph set.
- Charts are SVG written by `render/charts.py`; matplotlib draws only the DOCX's PNG fallback, and
  only when a DOCX is made. The chart-size trials of `render/pagefill.py` are probes: the section
  laid out alone at every size at once, without writing a PDF (where its anchors land is known
  once WeasyPrint has laid it out; 0.1–0.25 s, where a written trial took 0.4–0.7 s); the size
  chosen is then laid out with the other sections.
- The main process does not import WeasyPrint unless it lays out itself; WeasyPrint's library
  search is answered from one `ldconfig -p` (`pdfpool.import_weasyprint`), instead of a run of
  ldconfig, gcc and ld per unknown library name.
- The sections go to a pool of processes, one per core, forked at the start of `render` so that they
  import WeasyPrint while the budget is read and checked (`writers/pdfpool.py`). In `batch` each
  worker renders whole documents; their sections go to one queue shared by the workers: a worker
  waiting for a layout lays out queued ones (its own document's or another's), and a worker without
  a document left serves the queue, so that a last large document's sections spread over the cores
  (`commands/batchpool.py`).
- What depends on the whole document is laid out last, in one light *frame* document: the sections
  whose links point into other sections (the contents) with their markup, every other section as one
  empty page per laid-out page in a copy of its opening tag (so the same `@page` rules apply),
  carrying that page's anchors. WeasyPrint numbers the frame's pages with the style's own `@page`
  rules, so the page numbers and every `target-counter()` of the contents come out as in a whole
  layout. An absolutely placed marker per frame page gives its page counter as a bookmark (the
  page labels).
- The join (pikepdf): each section page keeps its own content, its frame page drawn under it (an
  artifact); one structure tree (tagged PDF, writers/pdftags.py; a document of more than 1 000 000
  characters of markup is laid out and joined untagged: qpdf holds ~1.5 KB per structure element,
  one per table cell, and 1 000 projects held 1.4 GB at the join); named destinations, the
  outline (from the pages' bookmarks, nested as WeasyPrint nests them) and the page labels are
  written; every font is embedded once, cut with HarfBuzz (uharfbuzz) from this machine's font file
  to the glyphs all parts use, glyph ids kept (`writers/pdffonts.py`).
- tests/test_sections.py compares the joined file of every input with the same markup laid out
  whole: text, page sizes, pixels, outline, links and fonts are the same; named destinations too,
  except where the whole layout puts a table's anchor on the page before the table (there the
  joined file points at the table's own page). The bytes do not depend on the cache or the pool.
- Retired with this design: the two-part layout with predicted page numbers and the CSS analysis
  deciding where a cut was safe (`pdfparts.py`), the patched font dictionary, the replayed page
  counter, the edited copy of WeasyPrint's cffi module (`fastffi.py`), the cached font subsets
  (`fontcache.py`) and the single PDF process (`pdfworker.py`).
- A pool process gives the memory a layout freed back to the system (`malloc_trim`), and the
  style sheets are parsed once per process and style (the frame's too); each layout fetches its
  images from its own document's assets.
- `check` of a large 部门 is O(n log n) in its figures (the 元-in-万元 comparison with the peers'
  median, per-unit totals in one pass), and a file beyond one render is refused before its other
  rules run.

## Earlier speed work (issue 6)

- `check` imports no rendering module (tests/test_bench.py asserts it).
- Compiled Jinja templates and drawn charts are cached; the cyclic garbage collector is paused while
  rendering; a command-line render ends with `os._exit` once its files are written and synced.
- `batch` submits the largest files first, so that no worker idles at the end.

## What is left

- Every laid-out group pays WeasyPrint's fixed costs again (the font subsets WeasyPrint cuts for it,
  which the join throws away, the style cascade, writing the PDF); the groups are large for that
  reason, so a change re-lays out the 概况 or the glossary with the tables of its group.
- Why a revision cannot reach 0.5× LibreOffice on two cores in this design: a 项 amount is shown by
  the totals of nearly every table, so a gaoping 项 revision lays out 18 of its 24 pages again
  (7 + 9 pages of tables, the chart section's 2); at ~0.2 s of CPU per table page that is ~3 s of
  CPU, ≥ 1.5 s on two cores, after ~1.1 s until the pool has imported WeasyPrint (0.6–0.8 s per
  process, while the main process imports, reads, checks and writes the markup) and before ~0.4 s
  of join. Half of LibreOffice's conversion is ~1.2 s.
- The frame (contents and one empty page per page) is laid out after the sections, in one process;
  its contents page alone (dot leaders: one drawn box per dot) is about 0.7 s of its 1.1 s.
- Where a gaoping 项 revision spends its time: ~1.1 s before the first layout (start-up, read,
  check, markup; the pool importing WeasyPrint meanwhile), one probe of the chart section (~0.1 s),
  then both cores busy laying out the three changed groups (the totals' tables and explanations and
  the chart section) for ~1.8 s, then ~0.4 s joining. Of a table page's layout, HTML parsing is
  ~7 %, the style cascade ~17 %, layout ~30 %, drawing ~19 %, writing ~10 % (profile of gaoping's
  largest group).
- 4 700 projects are refused up front (input over 5 MB; `size.too-large` over 1 000 projects): the
  main process (the read YAML, model and markup: 459 MB at 1 000 projects), the frame and the join
  each grow with the document.
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
    ap.add_argument("--large-dept", action="store_true", help="also the 80-project 部门, every command")
    ap.add_argument("--projects", nargs="*", type=int, default=[1000, 4700],
                    help="generated 部门 sizes rendered once each (default 1000 4700)")
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
    # a cache of this run's own, empty at its start: "warm" means warmed by this run's warm-up,
    # and a revision's figures were never laid out before (not by an earlier run or by hand)
    cache_dir = WORK / "cache"
    shutil.rmtree(cache_dir, ignore_errors=True)
    os.environ["DISCLOSURE_GEN_CACHE"] = str(cache_dir)
    docs_in = [(p.stem, p) for p in inputs]
    if args.large_dept and not (args.quick or args.no_large):
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
        generated = []
        if not (args.quick or args.no_large):
            for n in args.projects:
                generated.append(bench_generated(n, log))
    finally:
        shutil.rmtree(profile_dir, ignore_errors=True)
    text = report(mach, docs, batch, args, started, generated)
    Path(args.results).write_text(text, encoding="utf-8")
    log(f"results: {args.results}")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
