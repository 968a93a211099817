"""Generate ``book/equation-map.md`` from the chapters' source labels.

Every numbered equation and figure of the four source texts is linked to the
section of the book that derives or reproduces it.

The map is built from labels in the chapters, never by hand. A section that
derives Eq. N (or reproduces Fig. N) of a source carries, on the line(s) right
before its heading, a MyST target::

    (src-liu2026triplon-eq-5)=
    (src-liu2026triplon-fig-2)=
    ## Fig. 2: bands and Fermi surfaces
    % computes: nickelates.bands.dispersion, nickelates.bands.fermi_surface

* ``<paperkey>`` is the source's key in ``references.bib``: ``liu2026triplon``
  (v3), ``liu2026triplonv1``, ``guo2025andreev``, ``borchia2025mixd``;
* ``<kind>`` is ``eq``, ``fig`` or ``tab``; ``<N>`` is the source's number in
  lower case (``5``, ``b7``, ``a14``, ``ed3`` for Guo's Extended Data Fig. 3,
  ``m4`` for the 4th of Guo's unnumbered Methods equations); a range
  ``eq-b7-b20`` covers B7 … B20 in the source's order;
* labels are unique in the book: a second section on the same item adds a
  suffix after a double hyphen, ``(src-borchia2025mixd-fig-4--exact)=``;
* an optional MyST comment ``% computes: ...`` right after the heading names
  the library functions shown in the map.

The numbers of each source come from ``data/source_numbering.json``
(committed; ``--extract`` regenerates it from the plain texts in
``shared/papers``). Only chapters listed in ``_toc.yml`` give links (so
``-W`` never sees a dangling reference); labels in chapters not yet in the
table of contents are listed as "in preparation".

Usage::

    python tools/equation_map.py            # write book/equation-map.md
    python tools/equation_map.py --check    # exit 1 if the file is out of date
    python tools/equation_map.py --extract [PAPERS_DIR]   # rewrite the JSON
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NUMBERING = ROOT / "data" / "source_numbering.json"
OUTPUT = ROOT / "book" / "equation-map.md"
KINDS = {"eq": "Eq.", "fig": "Fig.", "tab": "Table"}

LABEL_RE = re.compile(r"^\((src-([a-z0-9]+)-(eq|fig|tab)-([a-z0-9]+)(?:-([a-z0-9]+))?(?:--[a-z0-9-]+)?)\)=\s*$")
HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
COMPUTES_RE = re.compile(r"^%\s*computes:\s*(.+?)\s*$")
STATUS_RE = re.compile(r"^%\s*status:\s*(.+?)\s*$")
#: what a section does with a source item (``% status: <word>`` after the heading)
STATUSES = {
    "derived": "derived (SymPy, asserted equal to the printed form)",
    "solved": "solved numerically, checked against the source's numbers",
    "checked": "checked numerically (not derived)",
    "reproduced": "figure/table reproduced from the library",
    "used": "used as printed",
}
TARGET_RE = re.compile(r"^\(([^()\s]+)\)=\s*$")

# --------------------------------------------------------------------------- extraction
SOURCES = {
    "liu2026triplon": ("liu-khaliullin-triplon-pairing-v3.txt",
                       "H. Liu & G. Khaliullin, triplon-mediated pairing (arXiv:2602.23989 v3)"),
    "liu2026triplonv1": ("liu-khaliullin-triplon-pairing-v1.txt",
                         "H. Liu & G. Khaliullin, same paper, v1"),
    "guo2025andreev": ("guo-andreev-reflection-btk.txt",
                       "J. Guo et al., Andreev reflection spectroscopy of La₃Ni₂O₇₋δ (arXiv:2509.12601)"),
    "borchia2025mixd": ("borchia-lange-grusdt-mixd-feshbach.txt",
                        "P. Borchia, H. Lange & F. Grusdt, MixD+V bilayer, emergent Feshbach resonance"),
}

_EQ_TAG = re.compile(
    r"(?:\\tag\{\s*([A-Z]?\d+[a-z]?)\s*\}"            # \tag{B8}
    r"|\\q?quad\s*\(\s*(?:\\text\{)?\s*([A-Z]?\d+[a-z]?)\s*\}?\s*\)"  # \quad (5), \quad (\text{A7})
    r")"
)
_EQ_V3 = re.compile(r"^(?!\s*•)(?=.*\\[a-zA-Z]+).*[\s,.;]\((\d{1,2})\)\s*$")   # v3 (HTML conversion): "... (5)" at line end
_FIG = re.compile(r"^\s*(?:\*\*)?(?:FIG\.|Figure)\s*(\d+)[.:]")
_ED_FIG = re.compile(r"^\s*Extended [Dd]ata Fig\.\s*(\d+)\.")
_ED_TAB = re.compile(r"^\s*Extended Data Table\s*(\d+)\.")


def _order_key(n: str):
    m = re.fullmatch(r"([A-Za-z]*)(\d+)([a-z]?)", n)
    return (m.group(1).upper(), int(m.group(2)), m.group(3)) if m else (n, 0, "")


def extract(papers: Path) -> dict:
    """Numbered equations, figures and tables of each source, with their line in the text."""
    out = {}
    for key, (fname, title) in SOURCES.items():
        lines = (papers / fname).read_text(encoding="utf-8").splitlines()
        items, seen = [], set()

        def add(kind, n, line, note=None, seen=seen, items=items):
            if (kind, n.lower()) in seen:
                return
            seen.add((kind, n.lower()))
            it = {"kind": kind, "n": n, "line": line}
            if note:
                it["note"] = note
            items.append(it)

        in_methods = False
        m_count = 0
        for i, line in enumerate(lines, 1):
            if key == "guo2025andreev":
                # main text: Eq. (1) only; the BTK formulas of the Methods are unnumbered:
                # number them M1, M2, ... in order of appearance.
                if re.search(r"BTK|Blonder", line) and "$$" not in line and i > 200:
                    in_methods = True
                if "$$" in line:
                    m = _EQ_TAG.search(line)
                    if m:
                        add("eq", m.group(1) or m.group(2), i)
                    elif in_methods:
                        m_count += 1
                        add("eq", f"M{m_count}", i, "unnumbered in the source; numbered here in order")
                if (m := _FIG.match(line)) and not line.lstrip().startswith("Figure."):
                    add("fig", m.group(1), i)
                if m := _ED_FIG.match(line):
                    n = m.group(1)
                    note = None
                    if n == "38":  # printed "Fig.38" between Figs. 7 and 9
                        n, note = "8", "printed as 'Fig.38' in the text"
                    add("fig", "ED" + n, i, note)
                if m := _ED_TAB.match(line):
                    add("tab", "ED" + m.group(1), i)
                continue
            for m in _EQ_TAG.finditer(line):
                add("eq", m.group(1) or m.group(2), i)
            if key == "liu2026triplon" and (m := _EQ_V3.search(line)):
                add("eq", m.group(1), i)
            if m := _FIG.match(line):
                add("fig", m.group(1), i)
        items.sort(key=lambda it: (list(KINDS).index(it["kind"]), _order_key(it["n"])))
        out[key] = {"file": fname, "title": title, "items": items}
    return {"_doc": "Numbered equations/figures/tables of the source texts (tools/equation_map.py --extract). "
                    "line = line in shared/papers/<file>.", "sources": out}


# --------------------------------------------------------------------------- scanning
def toc_files(root: Path = ROOT) -> set[str]:
    """Docnames (e.g. 'book/01-bands') listed in _toc.yml."""
    text = (root / "_toc.yml").read_text(encoding="utf-8")
    names = set(re.findall(r"^\s*(?:-\s*)?(?:file|root):\s*([^\s#]+)", text, flags=re.M))
    return {re.sub(r"\.(md|ipynb)$", "", n) for n in names}


def scan_chapters(root: Path = ROOT) -> tuple[list[dict], list[str]]:
    """All ``src-...`` labels in book/*.md with their section; plus problems found."""
    found, problems = [], []
    for md in sorted((root / "book").glob("*.md")):
        if md.name == OUTPUT.name:
            continue
        lines = md.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            m = LABEL_RE.match(line.strip())
            if not m:
                if line.strip().startswith("(src-"):
                    problems.append(f"{md.name}:{i + 1}: malformed source label {line.strip()!r}")
                continue
            j = i + 1
            while j < len(lines) and (not lines[j].strip() or TARGET_RE.match(lines[j].strip())):
                j += 1
            h = HEADING_RE.match(lines[j]) if j < len(lines) else None
            if not h:
                problems.append(f"{md.name}:{i + 1}: label {m.group(1)} is not followed by a heading")
                continue
            computes, status = [], []
            k = j + 1
            while k < len(lines) and not lines[k].strip():
                k += 1
            while k < len(lines) and lines[k].strip().startswith("%"):
                text = lines[k].strip()
                if c := COMPUTES_RE.match(text):
                    computes = [s.strip() for s in c.group(1).split(",") if s.strip()]
                elif st := STATUS_RE.match(text):
                    status = [s.strip() for s in st.group(1).split(",") if s.strip()]
                    bad = [s for s in status if s not in STATUSES]
                    if bad:
                        problems.append(f"{md.name}:{k + 1}: unknown status {bad} (allowed: "
                                        f"{', '.join(STATUSES)})")
                k += 1
            found.append({
                "label": m.group(1), "key": m.group(2), "kind": m.group(3), "first": m.group(4),
                "last": m.group(5) or m.group(4), "doc": f"book/{md.stem}", "file": md.name,
                "line": i + 1, "heading": h.group(2), "computes": computes, "status": status,
            })
    return found, problems


def coverage(numbering: dict, labels: list[dict]) -> tuple[dict, list[str]]:
    """Map (key, kind, n) -> list of labels covering it; plus labels that match nothing."""
    cov, problems = defaultdict(list), []
    for lab in labels:
        src = numbering["sources"].get(lab["key"])
        if src is None:
            problems.append(f"{lab['file']}:{lab['line']}: unknown source key {lab['key']!r} "
                            f"(known: {', '.join(numbering['sources'])})")
            continue
        ns = [it["n"].lower() for it in src["items"] if it["kind"] == lab["kind"]]
        if lab["first"] not in ns or lab["last"] not in ns:
            problems.append(f"{lab['file']}:{lab['line']}: {lab['label']}: no {KINDS[lab['kind']]} "
                            f"{lab['first']}{'' if lab['first'] == lab['last'] else '–' + lab['last']} in {lab['key']}")
            continue
        a, b = ns.index(lab["first"]), ns.index(lab["last"])
        if b < a:
            problems.append(f"{lab['file']}:{lab['line']}: {lab['label']}: empty range")
            continue
        for n in ns[a:b + 1]:
            cov[(lab["key"], lab["kind"], n)].append(lab)
    return cov, problems


# --------------------------------------------------------------------------- rendering
_GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
          "zeta": "ζ", "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
          "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "varphi": "φ",
          "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Omega": "Ω",
          "parallel": "∥", "perp": "⊥", "times": "×", "pm": "±", "to": "→", "bk": "k", "bq": "q",
          "Tc": "Tc", "JH": "JH", "JK": "JK"}


_SUPERSCRIPT = str.maketrans("0123456789+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻")
_SUBSCRIPTABLE = "0123456789+-aehijklmnoprstuvx"
_SUBSCRIPT = str.maketrans(_SUBSCRIPTABLE, "₀₁₂₃₄₅₆₇₈₉₊₋ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")


def _subscript(text: str) -> str:
    """A subscript in Unicode where every character has a subscript form, else run in (T_c -> Tc)."""
    return text.translate(_SUBSCRIPT) if all(c in _SUBSCRIPTABLE for c in text) else text


def plain_title(heading: str) -> str:
    """Return a heading as plain text for a link title (inline TeX becomes Unicode-ish text).

    A {ref} to a section would otherwise show the raw TeX of its title.
    """
    def tex(m):
        t = m.group(1)
        t = re.sub(r"\\(?:widetilde|tilde)\s*\{?([A-Za-z])\}?", lambda k: k.group(1) + "\u0303", t)
        t = re.sub(r"\\(?:rm|mathrm|text|mathcal|mathbf|bf|it|left|right)\b\s*", "", t)  # fonts, sizes
        t = re.sub(r"\\([A-Za-z]+)", lambda k: _GREEK.get(k.group(1), k.group(1)), t)
        # powers become superscripts (eta_k^2 -> η_k², not η_k2)
        t = re.sub(r"\^\{?([0-9+\-]+)\}?", lambda k: k.group(1).translate(_SUPERSCRIPT), t)
        # subscripts: Unicode where possible, else written in line (no raw underscore in a link)
        t = re.sub(r"_\{([^{}]*)\}|_(\S)", lambda k: _subscript(k.group(1) or k.group(2) or ""), t)
        return re.sub(r"[{}^\\ ]", "", t)
    text = re.sub(r"\$([^$]+)\$", tex, heading)
    return unicodedata.normalize("NFC", re.sub(r"[`<>*]", "", text)).strip()


def render(numbering: dict, labels: list[dict], toc: set[str]) -> str:
    cov, _ = coverage(numbering, labels)
    out = [
        "<!-- Generated by tools/equation_map.py from data/source_numbering.json and the",
        "     (src-<paper>-<eq|fig|tab>-<N>)= labels of the chapters. Do not edit by hand. -->",
        "",
        "(equation-map)=",
        "# Equation and figure map",
        "",
        "Every numbered equation, figure and table of the four source texts, with the section",
        "of this book that derives or reproduces it and the library functions that compute it.",
        "The map is generated from labels in the chapters at every build, so it cannot go stale;",
        "entries marked *not yet covered* are open work.",
        "",
    ]
    total = done = 0
    body = []
    for key, src in numbering["sources"].items():
        items = src["items"]
        n_cov = sum(1 for it in items if cov.get((key, it["kind"], it["n"].lower())))
        notes = list(dict.fromkeys(it["note"] for it in items if it.get("note")))
        total += len(items)
        done += n_cov
        body += [f"## {src['title']}", "",
                 f"Cite as {{cite:p}}`{key}`; {n_cov} of {len(items)} items covered. Line numbers refer to "
                 f"the plain text `{src['file']}` of the sources.", "",
                 "| item | line in the text | derived / reproduced in | status | computed by |",
                 "|---|---|---|---|---|"]
        for it in items:
            name = f"{KINDS[it['kind']]} {it['n'] if it['kind'] == 'eq' else it['n'].replace('ED', 'ED ')}"
            if it["kind"] == "eq":
                name = f"Eq. ({it['n']})"
            if it["n"].startswith("ED"):
                name = f"Extended Data {KINDS[it['kind']]} {it['n'][2:]}"
            if it.get("note"):
                name += f" [^{key}-note{notes.index(it['note']) + 1}]"
            labs = cov.get((key, it["kind"], it["n"].lower()), [])
            where, funcs, status = [], [], []
            for lab in labs:
                status += [x for x in lab["status"] if x not in status]
                if lab["doc"] in toc:
                    ch = re.match(r"(\d+)-", lab["file"])
                    prefix = f"ch. {int(ch.group(1))}: " if ch else ""
                    where.append(f"{{ref}}`{prefix}{plain_title(lab['heading'])} <{lab['label']}>`")
                else:
                    where.append(f"in preparation ({lab['file']})")
                funcs += [f"`{f}`" for f in lab["computes"] if f"`{f}`" not in funcs]
            body.append(f"| {name} | {it['line']} | {', '.join(where) if where else '*not yet covered*'} | "
                        f"{', '.join(status)} | {', '.join(funcs) if funcs else ''} |")
        body.append("")
        for i, note in enumerate(notes, 1):
            body.append(f"[^{key}-note{i}]: {note[0].upper() + note[1:]}.")
        if notes:
            body.append("")
    out += [f"**Coverage: {done} of {total} items.**", ""] + body
    out += [
        "## How the map is made",
        "",
        "A chapter section that derives Eq. N of a source (or reproduces its Fig. N) carries the",
        "label `(src-<paper>-eq-<N>)=` (or `-fig-`, `-tab-`) right before its heading, where",
        "`<paper>` is the citation key and `<N>` the printed number in lower case (`b7`, `a14`;",
        "`ed3` for Extended Data; `eq-b7-b20` for a range; a second section on the same item adds",
        "a suffix such as `--exact`). An optional comment",
        "`% computes: nickelates.module.function` after the heading fills the last column,",
        "and `% status: <word>` the status column, one of: "
        + "; ".join(f"*{k}*, {v}" for k, v in STATUSES.items()) + ".",
        "`tools/equation_map.py` rewrites this page before every build (`make book`).",
        "",
    ]
    return "\n".join(out)


def build(root: Path = ROOT) -> tuple[str, list[str]]:
    numbering = json.loads((root / "data" / "source_numbering.json").read_text(encoding="utf-8"))
    labels, problems = scan_chapters(root)
    _, cov_problems = coverage(numbering, labels)
    return render(numbering, labels, toc_files(root)), problems + cov_problems


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Generate book/equation-map.md")
    ap.add_argument("--check", action="store_true", help="exit 1 if book/equation-map.md is out of date")
    ap.add_argument("--extract", nargs="?", const=str(ROOT.parent / "shared" / "papers"), metavar="PAPERS_DIR",
                    help="re-extract data/source_numbering.json from the plain-text papers")
    args = ap.parse_args(argv)
    if args.extract:
        data = extract(Path(args.extract))
        NUMBERING.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        counts = {k: len(v["items"]) for k, v in data["sources"].items()}
        print(f"wrote {NUMBERING.relative_to(ROOT)}: {counts}")
        return 0
    text, problems = build()
    for p in problems:
        print("equation_map: " + p, file=sys.stderr)
    if problems:
        return 1
    if args.check:
        if not OUTPUT.is_file() or OUTPUT.read_text(encoding="utf-8") != text:
            print("equation_map: book/equation-map.md is out of date (run make book)", file=sys.stderr)
            return 1
        return 0
    if not OUTPUT.is_file() or OUTPUT.read_text(encoding="utf-8") != text:
        OUTPUT.write_text(text, encoding="utf-8")
    print(f"equation_map: {OUTPUT.relative_to(ROOT)} up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
