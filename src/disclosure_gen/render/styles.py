"""The style registry: which styles exist, where their files are, and what each one inherits.

A style is a folder holding `style.yaml` (wording, sentence frames, number formats, table titles,
glossary, DOCX settings) and Jinja templates (entry point `document.html.j2`, or the style's
`entry:`), optionally `print.css` and `reference.docx`. The styles shipped with the package live in
the package data `disclosure_gen.templates` (the repository's top-level templates/ folder); users
add folders of their own:

- `--styles DIR` on the command line (configure()), any number of times;
- the environment variable DISCLOSURE_GEN_STYLES (folders separated by os.pathsep);
- a `styles/` folder beside the input file (roots_for()).

DISCLOSURE_GEN_TEMPLATES, if set, replaces the shipped folder as a whole (a locked-down set of
styles for an office, or a test's tampered copy).

Each of those folders holds style folders (DIR/<name>/style.yaml). A user folder comes before the
built-in styles, so a user may also replace a built-in style under its own name.

`extends: <name>` in style.yaml makes a style a variant of another: its style.yaml is merged over
the parent's (mappings key by key, everything else replaced), its templates shadow the parent's of
the same name (and may `{% extends "<parent>/<file>" %}` to override Jinja blocks only), its
print.css follows the parent's, and a file it lacks (reference.docx) is the parent's.
Nothing here names a province.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ENV_VAR = "DISCLOSURE_GEN_STYLES"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml when present: style files load in ms
SHARED = ("_shared",)            # folders of templates every style may include (macros, base)
MAX_DEPTH = 8                    # `extends` chains longer than this are refused (a cycle, most likely)


class StyleError(Exception):
    """A style that cannot be used; the message is Chinese and names the style and its folder."""


def builtin_root() -> Path:
    """The folder of the styles shipped with the package (a real folder: wheels install unpacked).
    Found through the package disclosure_gen.templates itself (importlib.resources would cost
    `check` a fifth of its time to import)."""
    override = os.environ.get("DISCLOSURE_GEN_TEMPLATES")    # a whole replacement set (tests, admins)
    if override:
        return Path(override).expanduser().resolve()
    import disclosure_gen.templates as shipped
    return Path(next(iter(shipped.__path__)))


_configured: list[Path] = []


def configure(dirs) -> None:
    """Add the folders named on the command line (`--styles DIR`). They are also put into the
    environment, so worker processes (PDF, batch) see the same styles."""
    for d in dirs or ():
        p = Path(d).expanduser().resolve()
        if not p.is_dir():
            raise StyleError(f"样式文件夹“{d}”不存在或不是文件夹")
        if p not in _configured:
            _configured.append(p)
    if _configured:
        env = [e for e in os.environ.get(ENV_VAR, "").split(os.pathsep) if e]
        os.environ[ENV_VAR] = os.pathsep.join([str(p) for p in _configured if str(p) not in env] + env)


def user_roots() -> list[Path]:
    out: list[Path] = []
    for e in os.environ.get(ENV_VAR, "").split(os.pathsep):
        if e:
            p = Path(e).expanduser().resolve()
            if p.is_dir() and p not in out:
                out.append(p)
    for p in _configured:
        if p not in out:
            out.append(p)
    return out


def roots_for(input_path: str | Path | None = None) -> tuple[Path, ...]:
    """Style roots for one input file: a `styles/` folder beside it, the user's, the built-in."""
    roots: list[Path] = []
    if input_path:
        beside = Path(input_path).resolve().parent / "styles"
        if beside.is_dir():
            roots.append(beside)
    for p in user_roots():
        if p not in roots:
            roots.append(p)
    b = builtin_root()
    if b not in roots:
        roots.append(b)
    return tuple(roots)


@dataclass(frozen=True)
class Style:
    name: str
    folder: Path
    chain: tuple[Path, ...]                      # this style's folder, then each it extends
    config: dict = field(hash=False, compare=False)
    shared: tuple[Path, ...] = ()                # _shared folders of the roots involved

    @property
    def search_path(self) -> list[str]:
        """Template folders in lookup order: the style, its parents, then the shared ones."""
        return [str(p) for p in (*self.chain, *self.shared)]

    @property
    def allowed_roots(self) -> tuple[Path, ...]:
        """Every folder a template or file of this style may come from (used by the loader)."""
        return tuple(dict.fromkeys((*self.chain, *self.shared)))

    @property
    def parents(self) -> dict[str, Path]:
        """Parent styles by name, for `{% extends "<parent>/file.html.j2" %}`."""
        return {p.name: p for p in self.chain[1:]}

    def file(self, name: str) -> Path | None:
        """A file of the style (reference.docx …): the style's own, else the nearest parent's."""
        for d in self.chain:
            p = d / name
            if p.is_file():
                if not _inside(p, d):
                    raise StyleError(f"样式“{d.name}”的 {name} 指向样式文件夹以外的文件，已拒绝读取")
                return p
        return None

    def css(self) -> list[str]:
        """print.css of each style in the chain, the most general first."""
        out = []
        for d in reversed(self.chain):
            p = d / "print.css"
            if not p.is_file():
                continue
            if not _inside(p, d):
                raise StyleError(f"样式“{d.name}”的 print.css 指向样式文件夹以外的文件，已拒绝读取")
            out.append(p.read_text(encoding="utf-8"))
        return out


def deep_merge(base: dict, over: dict) -> dict:
    """`over` merged into a copy of `base`: mappings key by key, anything else replaced."""
    out = dict(base)
    for k, v in over.items():
        out[k] = deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _inside(path: Path, root: Path) -> bool:
    """`path`, symlinks followed, lies inside `root` (a style file may not point elsewhere)."""
    real, r = Path(os.path.realpath(path)), Path(os.path.realpath(root))
    return real == r or r in real.parents


def _read_yaml(path: Path) -> dict:
    if not _inside(path, path.parent):
        raise StyleError(f"样式文件 {path} 指向样式文件夹以外的文件，已拒绝读取")
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=_Loader) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise StyleError(f"样式文件 {path} 无法读取（{type(e).__name__}）") from None
    if not isinstance(data, dict):
        raise StyleError(f"样式文件 {path} 应为键值表")
    return data


class Registry:
    def __init__(self, roots: tuple[Path, ...]):
        self.roots = roots
        self._cache: dict[str, Style] = {}

    def folders(self) -> dict[str, Path]:
        """Every style by name → its folder; an earlier root wins over a later one."""
        out: dict[str, Path] = {}
        for root in self.roots:
            try:
                entries = sorted(root.iterdir())
            except OSError:
                continue
            for d in entries:
                if d.name.startswith(("_", ".")) or d.name in out:
                    continue
                if (d / "style.yaml").is_file():
                    out[d.name] = d
        return out

    def names(self) -> list[str]:
        return sorted(self.folders())

    def get(self, name: str) -> Style:
        if name not in self._cache:
            self._cache[name] = self._get(name)
        return self._cache[name]

    def _get(self, name: str) -> Style:
        folders = self.folders()
        if name not in folders:
            raise StyleError(f"未知样式“{name}”；可用样式：{'、'.join(self.names()) or '（无）'}")
        chain: list[Path] = []
        configs: list[dict] = []
        cur = name
        while cur is not None:
            if len(chain) >= MAX_DEPTH or folders.get(cur) in chain:
                raise StyleError(f"样式“{name}”的 extends 形成循环或层级过多")
            if cur not in folders:
                raise StyleError(f"样式“{chain[-1].name}”继承（extends）的样式“{cur}”不存在；"
                                 f"可用样式：{'、'.join(self.names())}")
            folder = folders[cur]
            cfg = _read_yaml(folder / "style.yaml")
            chain.append(folder)
            configs.append(cfg)
            parent = cfg.get("extends")
            if parent is not None and not isinstance(parent, str):
                raise StyleError(f"样式“{cur}”的 extends 应为样式名称")
            cur = parent
        merged: dict = {}
        for cfg in reversed(configs):
            merged = deep_merge(merged, cfg)
        merged.pop("extends", None)
        merged["name"] = name
        shared: list[Path] = []
        for root in {f.parent for f in chain} | {builtin_root()}:
            for s in SHARED:
                if (root / s).is_dir():
                    shared.append(root / s)
        # the style's own root first, the built-in last
        shared.sort(key=lambda p: (p.parent != chain[0].parent, p.parent == builtin_root(), str(p)))
        # sentence frames every style shares (_shared/shared-sentences.yaml); the style's own win
        common: dict = {}
        for s in reversed(shared):
            if (s / "shared-sentences.yaml").is_file():
                common.update(_read_yaml(s / "shared-sentences.yaml").get("sentences") or {})
        if common:
            merged["sentences"] = {**common, **(merged.get("sentences") or {})}
        return Style(name, chain[0], tuple(chain), merged, tuple(shared))


@functools.lru_cache(maxsize=16)
def registry(roots: tuple[Path, ...] | None = None) -> Registry:
    return Registry(roots if roots is not None else roots_for(None))


def available(input_path=None) -> list[str]:
    return registry(roots_for(input_path)).names()


def get(name: str, input_path=None) -> Style:
    return registry(roots_for(input_path)).get(name)


def base_css_path() -> Path:
    return builtin_root() / "_base" / "base.css"


def default_name(input_path=None) -> str | None:
    """The style a file without `style:` gets: the one whose style.yaml says `default: true`
    (the first such by name), else the only style there is."""
    reg = registry(roots_for(input_path))
    names = reg.names()
    for n in names:
        try:
            if reg.get(n).config.get("default") is True:
                return n
        except StyleError:
            continue
    return names[0] if len(names) == 1 else None
