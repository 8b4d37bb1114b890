"""Issue 13: styles are data — registered from the package and from the user's folders, inheritable,
and the package renders when installed from a wheel (not only from this checkout)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from disclosure_gen.render import styles

ROOT = Path(__file__).resolve().parents[1]
GAOPING = ROOT / "inputs" / "gaoping-bigdata-2026.yaml"
BUILTIN = styles.builtin_root()
EPOCH = "1700000000"


def run(*args, cwd=None, timeout=300, **extra):
    e = {k: v for k, v in os.environ.items() if k not in ("DISCLOSURE_GEN_STYLES", "DISCLOSURE_GEN_DEBUG")}
    e["SOURCE_DATE_EPOCH"] = EPOCH
    e.update(extra)
    return subprocess.run([sys.executable, "-m", "disclosure_gen", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, cwd=cwd or ROOT, env=e)


def with_style(tmp_path: Path, style: str, source: Path = GAOPING, name: str = "x.yaml", extra: str = "") -> Path:
    text = source.read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if not ln.startswith("style:")]
    p = tmp_path / name
    p.write_text("\n".join(lines) + f"\nstyle: {style}\n" + extra, encoding="utf-8")
    return p


def html_of(folder: Path) -> str:
    """The one HTML document in `folder`, without the body's style-name class."""
    import re
    return re.sub(r'class="style-[^" ]+', 'class="style-', next(folder.glob("*.html")).read_text(encoding="utf-8"))


def docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read("word/document.xml").decode("utf-8")


def test_no_province_is_named_in_python():
    """Styles are found, listed and validated from the registry: no style folder's name appears in
    the package's Python code (the model, the command line, rollover…)."""
    names = [n for n in styles.available()]
    assert len(names) >= 2
    offenders = []
    for py in (ROOT / "src" / "disclosure_gen").rglob("*.py"):
        text = py.read_text(encoding="utf-8")
        for n in names:
            if f'"{n}"' in text or f"'{n}'" in text:
                offenders.append(f"{py.relative_to(ROOT)}: {n}")
    assert not offenders, offenders


def test_a_copied_style_folder_is_a_new_style(tmp_path):
    """A province folder copied out of the package under a new name: listed by --help, accepted by
    `style:` and by `new --style`, and it renders the same document as the original."""
    user = tmp_path / "mystyles"
    shutil.copytree(BUILTIN / "shanxi", user / "cityx")
    help_ = run("render", "-h", "--styles", user)
    assert help_.returncode == 0 and "cityx" in help_.stdout and "shanxi" in help_.stdout
    assert "cityx" not in run("render", "-h").stdout
    # through the environment variable as well
    assert "cityx" in run("-h", DISCLOSURE_GEN_STYLES=str(user)).stdout

    src = with_style(tmp_path, "cityx")
    assert run("check", src).returncode == 1          # not registered without the folder
    chk = run("check", src, "--styles", user)
    assert chk.returncode == 0, chk.stdout + chk.stderr
    out = tmp_path / "out"
    r = run("render", src, "--styles", user, "--format", "html,docx", "-o", out)
    assert r.returncode == 0, r.stderr
    assert list(out.glob("*-cityx.html"))
    ref = tmp_path / "ref"
    assert run("render", GAOPING, "--format", "html", "-o", ref).returncode == 0
    assert html_of(out) == html_of(ref)
    assert "高平市大数据中心" in docx_text(next(out.glob("*-cityx.docx")))

    new = tmp_path / "new.yaml"
    n = run("new", "--name", "某某市测试局", "--kind", "单位", "--year", 2027, "--style", "cityx",
            "--styles", user, "-o", new)
    assert n.returncode == 0, n.stderr
    assert "style: cityx" in new.read_text(encoding="utf-8")
    assert run("check", new, "--styles", user).returncode == 0
    assert run("new", "--name", "某局", "--kind", "单位", "--year", 2027, "--style", "cityx").returncode == 2


def test_styles_folder_beside_the_input(tmp_path):
    shutil.copytree(BUILTIN / "henan", tmp_path / "styles" / "countyy")
    src = with_style(tmp_path, "countyy")
    r = run("check", src)
    assert r.returncode == 0, r.stdout
    out = tmp_path / "out"
    assert run("render", src, "--format", "html", "-o", out).returncode == 0
    assert list(out.glob("*-countyy.html"))


def test_unknown_style_is_a_finding_at_its_line(tmp_path):
    src = with_style(tmp_path, "nosuch")
    r = run("check", src)
    assert r.returncode == 1
    line = next(i for i, ln in enumerate(src.read_text(encoding="utf-8").splitlines(), 1) if ln.startswith("style:"))
    assert f"x.yaml:{line}:" in r.stdout and "style.unknown" in r.stdout and "nosuch" in r.stdout
    assert "shanxi" in r.stdout and "henan" in r.stdout       # the choices are listed


def test_extends_inherits_everything_it_does_not_override(tmp_path):
    """`extends:` with nothing overridden renders exactly the parent's document; the merged settings
    keep the parent's keys and take the child's."""
    user = tmp_path / "u"
    (user / "kid").mkdir(parents=True)
    (user / "kid" / "style.yaml").write_text("extends: shanxi\nlabel: 某市\nnumbers:\n  text_zero: \"0.00\"\n",
                                             encoding="utf-8")
    reg = styles.Registry((user, BUILTIN))
    kid, parent = reg.get("kid"), reg.get("shanxi")
    assert kid.config["numbers"]["text_zero"] == "0.00"
    assert kid.config["numbers"]["table_zero"] == parent.config["numbers"]["table_zero"]
    assert kid.config["tables"] == parent.config["tables"] and kid.config["name"] == "kid"
    assert kid.css() == parent.css()
    (user / "loop").mkdir()
    (user / "loop" / "style.yaml").write_text("extends: loop\n", encoding="utf-8")
    with pytest.raises(styles.StyleError, match="循环"):
        reg.get("loop")
    (user / "orphan").mkdir()
    (user / "orphan" / "style.yaml").write_text("extends: nowhere\n", encoding="utf-8")
    with pytest.raises(styles.StyleError, match="nowhere"):
        reg.get("orphan")


def test_extends_may_override_one_template_block(tmp_path):
    """A variant replaces one template by a file that `{% extends "shanxi/…" %}` the parent's."""
    user = tmp_path / "u"
    (user / "kid").mkdir(parents=True)
    (user / "kid" / "style.yaml").write_text("extends: shanxi\n", encoding="utf-8")
    entry = styles.Registry((user, BUILTIN)).get("kid").config.get("entry", "document.html.j2")
    (user / "kid" / entry).write_text('{% extends "shanxi/' + entry + '" %}', encoding="utf-8")
    src = with_style(tmp_path, "kid")
    out = tmp_path / "out"
    r = run("render", src, "--styles", user, "--format", "html", "-o", out)
    assert r.returncode == 0, r.stderr
    ref = tmp_path / "ref"
    assert run("render", GAOPING, "--format", "html", "-o", ref).returncode == 0
    assert html_of(out) == html_of(ref)


def test_unknown_wording_key_is_an_error_at_its_line(tmp_path):
    src = with_style(tmp_path, "shanxi", extra="wording:\n  no_such_sentence: 文字\n")
    r = run("check", src)
    n = len(src.read_text(encoding="utf-8").splitlines())
    assert r.returncode == 1 and f"x.yaml:{n}:" in r.stdout and "wording.unknown-key" in r.stdout, r.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("wheel")
    # built from a copy, so that the build leaves nothing in the checkout (build/, *.egg-info)
    tree = d / "tree"
    tree.mkdir()
    for part in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / part, tree / part)
    for part in ("src", "templates", "schema"):
        shutil.copytree(ROOT / part, tree / part, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    p = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                        "-w", str(d), str(tree)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    return next(d.glob("disclosure_gen-*.whl"))


def test_the_wheel_ships_the_styles_and_the_schema(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for style in styles.available():
        assert f"disclosure_gen/templates/{style}/style.yaml" in names
    assert "disclosure_gen/templates/_base/base.css" in names
    assert "disclosure_gen/schemas/disclosure.schema.json" in names
    # every package of the source tree is in the wheel (pyproject lists them by name)
    for init in (ROOT / "src" / "disclosure_gen").rglob("__init__.py"):
        rel = init.relative_to(ROOT / "src").as_posix()
        assert rel in names, f"{rel} missing: add its package to [tool.setuptools] packages"


def test_installed_wheel_renders_from_an_empty_folder(wheel, tmp_path):
    """A fresh venv outside the checkout with the wheel installed (not editable) renders gaoping to
    DOCX and PDF from an empty folder. The venv takes the third-party packages already installed for
    the tests (a .pth line: no download), but disclosure_gen only from the wheel."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    ours = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    # the .pth adds the test venv's site-packages as a plain path: its own .pth files (the editable
    # install's finder) are not processed, so the checkout cannot leak in
    Path(site, "deps.pth").write_text("\n".join(ours) + "\n", encoding="utf-8")
    inst = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps",
                           "--no-index", str(wheel)], capture_output=True, text=True, timeout=300)
    assert inst.returncode == 0, inst.stdout + inst.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    shutil.copy(GAOPING, empty / "g.yaml")
    e = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DISCLOSURE_GEN_STYLES")}
    e["SOURCE_DATE_EPOCH"] = EPOCH
    where = subprocess.run([str(py), "-c", "import disclosure_gen; print(disclosure_gen.__file__)"],
                           capture_output=True, text=True, cwd=empty, env=e)
    assert where.stdout.strip().startswith(site), where.stdout + where.stderr
    r = subprocess.run([str(py), "-m", "disclosure_gen", "render", "g.yaml", "-o", "out"], capture_output=True,
                       text=True, cwd=empty, env=e, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    pdf = next((empty / "out").glob("*.pdf"))
    txt = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "高平市大数据中心" in txt and "1,157.13" in txt
    assert "高平市大数据中心" in docx_text(next((empty / "out").glob("*.docx")))


def test_the_lock_file_pins_every_dependency():
    """scripts/setup.sh installs requirements.lock (hashes): every dependency pyproject.toml declares
    is pinned there (else run scripts/lock.sh after the tests pass)."""
    import re
    import tomllib
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pinned = {re.sub(r"[-_.]+", "-", m.lower()) for m in re.findall(r"^([A-Za-z0-9_.\-]+)==", lock, re.M)}
    wanted = meta["dependencies"] + meta["optional-dependencies"]["test"]
    for req in wanted:
        name = re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.\-]+", req).group(0).lower())
        assert name in pinned, f"{name} is not in requirements.lock: run scripts/lock.sh"
    assert "--hash=sha256:" in lock


def test_a_document_may_override_one_sentence_frame(tmp_path):
    """`wording:` in the data file replaces one sentence frame of its style for that document only;
    everything else is the style's. A placeholder the frame does not have is an error at its line."""
    key, new = "running_none_institution", "我单位是公益一类事业单位，无机关运行经费。"
    frames = styles.get("shanxi").config["sentences"]
    assert key in frames
    src = with_style(tmp_path, "shanxi", extra=f"wording:\n  {key}: {new}\n")
    out, ref = tmp_path / "out", tmp_path / "ref"
    assert run("render", src, "--format", "html", "-o", out).returncode == 0
    assert run("render", GAOPING, "--format", "html", "-o", ref).returncode == 0
    old = "本单位为全额事业单位,无机关运行经费。"        # the frame {who}为{funding}事业单位… filled
    assert str(frames[key]).startswith("{who}") and old in html_of(ref)
    assert new in html_of(out) and html_of(out).replace(new, old) == html_of(ref)

    bad = with_style(tmp_path, "shanxi", name="bad.yaml", extra=f"wording:\n  {key}: 无{{nosuch}}\n")
    r = run("check", bad)
    n = len(bad.read_text(encoding="utf-8").splitlines())
    assert r.returncode == 1 and f"bad.yaml:{n}:" in r.stdout and "wording.bad-placeholder" in r.stdout, r.stdout


def test_a_font_face_in_a_style_is_a_warning_and_leaves_no_temporary_folder(tmp_path):
    """A style's @font-face cannot load a font (the PDF reads no file the style names): the check
    says so at `style:`, and the PDF renders with the system's fonts, leaving nothing in the
    temporary folder (WeasyPrint makes one for @font-face fonts, removed by a finalizer that the
    processes laying out the PDF never run)."""
    kid = tmp_path / "styles" / "kid"
    kid.mkdir(parents=True)
    (kid / "style.yaml").write_text("extends: shanxi\n", encoding="utf-8")
    (kid / "print.css").write_text('@font-face { font-family: 仿宋; src: url(fangsong.ttf) }\n'
                                   'body { font-family: 仿宋, "Noto Serif CJK SC", serif; }\n', encoding="utf-8")
    src = with_style(tmp_path, "kid")
    r = run("check", src)
    line = next(i for i, ln in enumerate(src.read_text(encoding="utf-8").splitlines(), 1) if ln.startswith("style:"))
    assert r.returncode == 0 and f"x.yaml:{line}:" in r.stdout and "style.font-face" in r.stdout, r.stdout
    batch = tmp_path / "batch"         # two documents: the batch's workers share their layouts
    shutil.copytree(tmp_path / "styles", batch / "styles")
    shutil.copy(src, batch / "a.yaml")
    (batch / "b.yaml").write_text(src.read_text(encoding="utf-8").replace("name: 高平市大数据中心", "name: 某某中心"),
                                  encoding="utf-8")
    for n, (how, pool) in enumerate((("render", "on"), ("render", "off"), ("batch", "on"))):
        tmp, out = tmp_path / f"tmp{n}", tmp_path / f"out{n}"
        tmp.mkdir()
        args = (src if how == "render" else batch, "--format", "pdf", "-o", out)
        r = run(how, *args, TMPDIR=str(tmp), DISCLOSURE_GEN_CACHE="off", DISCLOSURE_GEN_PDF_POOL=pool)
        assert r.returncode == 0, r.stderr
        assert len(list(out.glob("*-kid.pdf"))) == (1 if how == "render" else 2), (how, pool)
        assert not list(tmp.iterdir()), (how, pool)


# -- a text the chosen style never prints is a warning at it, never lost in silence --------------------------
MARKED = {("overview", "duties_intro"): "标记DI", ("performance_overall",): "标记PO", ("purchased_services",): "标记PS",
          ("assets", "vehicles_text"): "标记AV", ("assets", "housing_text"): "标记AH", ("assets", "other_text"): "标记AO",
          ("notes", "purchase_services"): "标记NPS", ("notes", "other"): "标记NOT",
          ("notes", "key_project_evaluation"): "标记NKP", ("notes", "special_transfer"): "标记NST",
          ("notes", "running_costs_use"): "标记NRU"}
# printed only where the budget has what they describe (running costs of a 行政 unit; no vehicle counts)
CONDITIONAL = {("shanxi", ("notes", "running_costs_use")), ("henan", ("assets", "vehicles_text"))}


@pytest.mark.parametrize("style", ["shanxi", "henan", "hubei"])
def test_a_text_the_style_never_prints_is_a_warning_at_it(style, tmp_path):
    import re

    from disclosure_gen.check import rules as check
    from disclosure_gen.check import styles as check_styles
    from disclosure_gen.derive import facts as derive
    from disclosure_gen.render import document as render
    assert {p for p, _l, _r in check_styles.OPTIONAL_TEXTS} == set(MARKED)
    text = GAOPING.read_text(encoding="utf-8").replace("style: shanxi ", f"style: {style} ", 1)
    text = re.sub(r"\nnotes:.*?\n(?=\n)", "\nnotes:\n" + "".join(
        f"  {p[1]}: {m}\n" for p, m in MARKED.items() if p[0] == "notes"), text, count=1, flags=re.S)
    text = re.sub(r"\nperformance_overall:[^\n]*", f"\nperformance_overall: {MARKED[('performance_overall',)]}\n"
                  f"purchased_services: [{{name: {MARKED[('purchased_services',)]}, amount: 0.50}}]", text, count=1)
    text = text.replace("  office_area_m2: 200 ", "".join(f"  {p[1]}: {m}\n" for p, m in MARKED.items()
                                                          if p[0] == "assets") + "  office_area_m2: 200 ", 1)
    text = text.replace("  organization:", f"  duties_intro: {MARKED[('overview', 'duties_intro')]}\n  organization:", 1)
    f = tmp_path / "x.yaml"
    f.write_text(text, encoding="utf-8")
    loaded = check.load(str(f))
    assert loaded.budget is not None and loaded.budget.style == style, [x.format() for x in loaded.errors]
    lines = f.read_text(encoding="utf-8").splitlines()
    warned = {}
    for x in loaded.findings:
        if x.rule == "style.unused-field":
            warned[next(p for p, m in MARKED.items() if m in lines[x.line - 1] or p[-1] + ":" in lines[x.line - 1])] = x
    html = render.render_html(derive.Facts(loaded.budget), styles.get(style))[0]
    for p, m in MARKED.items():
        if p in warned:
            assert m not in html, (style, p, "warned as not printed, but printed")
        elif (style, p) not in CONDITIONAL:
            assert m in html, (style, p, "not printed, and not warned")
    assert warned        # every built-in style leaves some of these texts out
