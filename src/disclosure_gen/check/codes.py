"""Code rules: every functional and economic code checked against the official names the tool knows
(codetable.builtin) or a complete table the user supplies; the hint names the likely typo first."""
from __future__ import annotations

from ..model import codes
from ..model import codetable
from ..model.codetable import norm, typo_candidates

# 项 names that fix the last two digits of the code in every 款 that has them
GENERIC_ITEMS = {"行政运行": "01", "一般行政管理事务": "02", "机关服务": "03", "事业运行": "50"}
# 部门预算支出经济分类 class → the 政府预算支出经济分类 it is booked under (财政部对应关系: 机关 5xx,
# 事业单位 505 by nature; 对个人和家庭的补助 509 for both; 资本性支出 503 / 506)
GOV_FOR_DEPT = {"301": ("501", "50501"), "302": ("502", "50502"), "303": ("509", "50599"), "310": ("503", "506")}


class CodeRules:
    """Mixed into check.Checker (self.b, self.f, self.err, self.warn, self.table)."""

    table: codetable.CodeTable | None = None

    # -- helpers -------------------------------------------------------------------------------
    def _func_known(self, code: str) -> bool:
        b, u = codetable.builtin(), self.table
        if u is not None and u.complete:
            return code in u.functional
        if len(code) == 7:
            return code in b.functional
        return bool(self.f.func_name(code))

    def _func_name_of(self, code: str) -> str:
        u = self.table
        return (u.functional.get(code) if u else None) or codetable.builtin().functional.get(code) \
            or self.f.func_name(code) or ""

    def _func_hint(self, code: str, name: str) -> str:
        """`是否应为 2130109（21301 农业农村 下的项）？` — the nearest valid code, by name, then by keystroke."""
        tables = [t for t in (self.table, codetable.builtin()) if t]
        by_name = []
        for t in tables:
            by_name += [c for c, n in t.functional.items() if len(c) == 7 and norm(n) == norm(name) and c != code]
        near = typo_candidates(code, lambda s: self._func_known(s))
        near_sub = typo_candidates(code, lambda s: bool(self.f.func_name(s[:5])) and bool(self.f.func_name(s[:3]))) \
            if len(code) == 7 and not (self.table and self.table.complete) else []
        ranked = [c for c in near if c in by_name] + [c for c in by_name if c not in near][:1] + \
            [c for c in near if c not in by_name] + [c for c in near_sub if c not in near]
        seen, out = set(), []
        for c in ranked:
            if c in seen:
                continue
            seen.add(c)
            full = len(c) == 7 and (c in codetable.builtin().functional or bool(self.table and c in self.table.functional))
            out.append(f"{c}（{self._func_name_of(c)}）" if full else f"{c}（属于 {c[:5]} {self._func_name_of(c[:5])}）")
            if len(out) == 2:
                break
        return f"是否应为 {' 或 '.join(out)}？" if out else ""

    def _econ_hint(self, code: str, name: str | None, known: dict[str, str]) -> str:
        by_name = [c for c, n in known.items() if name and norm(n) == norm(name) and c != code]
        near = typo_candidates(code, lambda s: s in known)
        ranked = [c for c in near if c in by_name] + by_name[:1] + [c for c in near if c not in by_name]
        out = []
        for c in ranked:
            if c not in out:
                out.append(c)
        return ("是否应为 " + " 或 ".join(f"{c}（{known[c]}）" for c in out[:2]) + "？") if out else ""

    # -- rules -----------------------------------------------------------------------------------
    def rule_functional_code_names(self):
        rows = [(("expenditure", i, "code"), ln.code, ln.name) for i, ln in enumerate(self.b.expenditure)]
        listed = {ln.code for ln in self.b.expenditure}
        rows += [(("projects", i, "function"), p.function, "") for i, p in enumerate(self.b.projects)
                 if p.function and p.function not in listed]
        for path, code, name in rows:
            self._check_functional(path, code, name)

    def _check_functional(self, path, code, name):
        b, u = codetable.builtin(), self.table
        what = f"科目 {code}" + (f" {name}" if name else "")
        cls, sub, item = code[:3], code[:5], code[5:]
        if u is not None:
            if code not in u.functional:
                self.err(path, "code.not-in-table", f"{what} 不在科目表 {u.path} 中。{self._func_hint(code, name)}")
                return
            if name and norm(u.functional[code]) != norm(name):
                self.warn(path[:-1] + ("name",) if path[0] == "expenditure" else path, "code.official-name",
                          f"科目 {code} 的名称“{name}”与科目表中的名称“{u.functional[code]}”不一致")
        if not self.f.func_name(cls):
            hint = self._func_hint(code, name)
            self.err(path, "code.unknown-class",
                     f"{what}：{cls} 不是支出功能分类的类。" + (hint or "请核对编码的前三位"))
            return
        if not self.f.func_name(sub):
            hint = self._func_hint(code, name)
            sub_name = u.functional.get(sub) if u else None
            tail = (f"科目表中该款为“{sub_name}”，请在“functional_names:”中补充 \"{sub}\": {sub_name}" if sub_name
                    else f"若编码无误，请在“functional_names:”中补充款 {sub} 的名称")
            self.err(path, "code.unknown-subclass",
                     f"{what}：工具不认识 {cls} {self.f.func_name(cls)} 下的款 {sub}。" + (hint if hint else "") + tail)
            return
        if u is not None:
            return
        official = b.functional.get(code)
        if official is not None:
            if name and norm(official) != norm(name):
                self.warn(path[:-1] + ("name",), "code.official-name",
                          f"科目 {code} 的名称“{name}”与官方名称“{official}”不一致；请核对编码或名称")
            return
        if not name:
            return
        others = [c for c in b.names_to_codes().get(norm(name), []) if c != code]
        want = GENERIC_ITEMS.get(norm(name))
        if want is not None and item != want:
            self.warn(path, "code.unknown-item",
                      f"{what}：“{name}”的项编号应为 {want}（{sub}{want}），而不是 {item}；是否应为 {sub}{want}？")
        elif others and want is None and not name.startswith("其他"):
            self.warn(path, "code.official-name",
                      f"{what}：“{name}”是科目 {others[0]} 的官方名称，而 {code} 属于 {sub} {self.f.func_name(sub)}；"
                      f"是否应为 {others[0]}？")
        elif item != "99" and 60 <= int(item) <= 98:
            known = sorted(c for c in b.functional if len(c) == 7 and c.startswith(sub))
            near = [c for c in typo_candidates(code, lambda s: s in known)]
            hint = ("是否应为 " + " 或 ".join(f"{c}（{b.functional[c]}）" for c in near[:2]) + "？") if near else ""
            seen = "本款已知的项：" + "、".join(f"{c} {b.functional[c]}" for c in known[:4]) if known \
                else self._func_hint(code, name)
            self.warn(path, "code.unknown-item",
                      f"{what}：款 {sub} {self.f.func_name(sub)} 下没有编号为 {item} 的项（项编号一般为 01–59 和 99）。"
                      + (hint or seen))

    def rule_economic_correspondence(self):
        """A 部门经济分类 class and the 政府经济分类 it is booked under that do not correspond (30201 办公费
        under 50501 工资福利支出): the 一般公共预算基本支出表 by 政府经济分类 would print it in the wrong row."""
        for i, ln in enumerate(self.b.economic):
            want = GOV_FOR_DEPT.get(ln.code[:3])
            if want is None or not ln.gov or ln.gov[:3] not in codes.ECON_GOV_CLASSES or any(
                    ln.gov.startswith(w) for w in want):
                continue
            dept = f"{ln.code} {ln.name or codes.ECON_DEPT.get(ln.code, '')}".strip()
            gov = f"{ln.gov} {ln.gov_name or codes.ECON_GOV.get(ln.gov) or codes.ECON_GOV_CLASSES[ln.gov[:3]]}".strip()
            options = "或".join(f"{w}××（{codes.ECON_GOV_CLASSES[w]}）" if len(w) == 3 else
                                f"{w}（{codes.ECON_GOV_CLASSES[w[:3]]}—{codes.ECON_GOV[w]}）" for w in want)
            self.warn(("economic", i, "gov"), "code.econ-correspondence",   # a warning: local practice varies
                     f"经济分类 {dept}（{codes.ECON_DEPT_CLASSES[ln.code[:3]]}）对应的政府经济分类应为{options}，"
                     f"而不是 {gov}；请核对这一行的经济分类编码（“code:”）和“gov:”")

    def rule_economic_code_names(self):
        b, u = codetable.builtin(), self.table
        for i, ln in enumerate(self.b.economic):
            for fld, nfld, code, name, known, classes, label, top in (
                    ("code", "name", ln.code, ln.name, codes.ECON_DEPT, codes.ECON_DEPT_CLASSES, "经济分类", 40),
                    ("gov", "gov_name", ln.gov, ln.gov_name, codes.ECON_GOV, codes.ECON_GOV_CLASSES, "政府经济分类", 20)):
                path = ("economic", i, fld)
                what = f"{label} {code}" + (f" {name}" if name else "")
                if u is not None:
                    table = u.econ if fld == "code" else u.gov
                    if table and code not in table:
                        self.err(path, "code.not-in-table",
                                 f"{what} 不在科目表 {u.path} 中。{self._econ_hint(code, name, table)}")
                        continue
                    if name and code in table and norm(table[code]) != norm(name):
                        self.warn(("economic", i, nfld), "code.official-name",
                                  f"{label} {code} 的名称“{name}”与科目表中的名称“{table[code]}”不一致")
                        continue
                if code[:3] not in classes:
                    hint = self._econ_hint(code, name, known)
                    self.err(path, "code.unknown-class",
                             f"{what}：{code[:3]} 不是{'部门' if fld == 'code' else '政府'}预算支出经济分类的类。"
                             + (hint or "请核对编码"))
                elif code not in known:
                    suffix = int(code[3:])
                    hint = self._econ_hint(code, name, known)
                    if top < suffix < 99:
                        self.err(path, "code.unknown-econ",
                                 f"{what}：{code[:3]} {classes[code[:3]]} 下没有编号为 {code[3:]} 的款"
                                 f"（款编号为 01–{top} 和 99）。" + hint)
                    elif name is None and (u is None or code not in (u.econ if fld == "code" else u.gov)):
                        self.err(path, "code.unknown-subclass",
                                 f"{what}：工具不知道这个款的名称。" + (hint if hint else "")
                                 + f"若编码无误，请在同一行写上名称（“{nfld}: …”）")
                elif name and norm(known[code]) != norm(name):
                    self.warn(("economic", i, nfld), "code.official-name",
                              f"{label} {code} 的名称“{name}”与官方名称“{known[code]}”不一致；请核对编码或名称")
