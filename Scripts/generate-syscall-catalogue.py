#!/usr/bin/env python3
"""Generates PolicyKit's syscall catalogue from man-pages' syscalls(2).

Reads the troff source of syscalls(2) (Debian's manpages-dev ships it as
/usr/share/man/man2/syscalls.2.gz) and Scripts/syscall-catalogue-supplement.tsv,
and writes Sources/PolicyKit/ABI/SyscallCatalogue+Generated.swift: per syscall,
the kernel version that introduced it, when it was removed or deprecated, and
the page's notes. Output is deterministic, so a test can regenerate it and
compare with the committed file.

Usage: generate-syscall-catalogue.py [--page PATH] [--supplement PATH] [--output PATH|-]

Quirks of the page handled here:
  * "2.6; 2.4.18" and "2.0.26; 2.2": several versions, one per stable series
    (a backport); the highest is where every later kernel has it.
  * an empty Kernel column ("pread64"): the version comes from the notes
    ("Added as "pread" in 2.2").
  * an empty Kernel column with no version anywhere means 1.0 or earlier.
  * "3.x"-style versions: the series' first release (3.0).
  * four-part versions ("2.4.8.1"): the first three parts.
  * multi-line notes in T{ ... T} blocks, font escapes (\\fB...\\fP), \\-.
  * commented-out rows (.\\" ...) are not syscalls.
  * "Removed in 5.5", "IA-64 only; removed in 5.10": removed for good;
    "SPARC (removed in 2.6.26), available on Alpha": a per-arch removal, kept
    in the notes only.
  * "Deprecated since 3.16", "Deprecated (does nothing) since 2.6",
    "IA-64 only; deprecated": deprecated, with or without a version.
  * "x86_64, x86 since 4.12": a later version on one arch (i386 here).
  * the "not implemented in the standard kernel" paragraph: reserved slots.
  * "System calls on removed ports": removed when the port was.
"""

import argparse
import gzip
import re
import sys
from pathlib import Path

DEFAULT_PAGE = "/usr/share/man/man2/syscalls.2.gz"
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SUPPLEMENT = ROOT / "Scripts" / "syscall-catalogue-supplement.tsv"
DEFAULT_OUTPUT = ROOT / "Sources" / "PolicyKit" / "ABI" / "SyscallCatalogue+Generated.swift"

VERSION = r"\d+(?:\.(?:\d+|x))+"
# The man page's arch words → libaudit's arch names, for per-arch versions.
ARCH_WORDS = {"x86": "i386", "x86_64": "x86_64", "arm64": "aarch64"}


class PageError(Exception):
    pass


def parse_version(text):
    """"2.6.16" → (2, 6, 16); "3.x" → (3, 0, 0); "2.4.8.1" → (2, 4, 8)."""
    parts = text.split(".")
    nums = [0 if p == "x" else int(p) for p in parts[:3]]
    while len(nums) < 3:
        nums.append(0)
    return tuple(nums)


def show(version):
    if not isinstance(version, tuple):
        return repr(version)
    return ".".join(str(n) for n in (version if version[2] else version[:2]))


FONT_ESCAPE = re.compile(r"\\f(?:\[[^\]]*\]|\(..|.)")
# Macros that alternate fonts join their arguments without spaces.
ALTERNATING = {".BR", ".RB", ".BI", ".IB", ".IR", ".RI"}


def macro_line(line):
    """'.BR accept (2)' → 'accept(2)'; '.B r0' → 'r0'; other lines unchanged."""
    m = re.match(r"(\.[A-Z]{1,2})(?:\s+(.*))?$", line)
    if not m or m.group(1) not in ALTERNATING | {".B", ".I"}:
        return line
    args = re.findall(r'"[^"]*"|\S+', m.group(2) or "")
    args = [a.strip('"') for a in args]
    return ("" if m.group(1) in ALTERNATING else " ").join(args)


def plain(troff):
    """Troff inline markup (and font macro lines) → plain text."""
    s = "\n".join(macro_line(line) for line in troff.split("\n"))
    s = FONT_ESCAPE.sub("", s)
    s = s.replace("\\-", "-").replace("\\[bu]", "*").replace("\\ ", " ").replace("\\(em", "-")
    s = s.replace("\\&", "").replace("\\%", "")
    return re.sub(r"\s+", " ", s).strip()


class Entry:
    def __init__(self, name):
        self.name = name
        self.introduced = None  # tuple
        self.also_in = []  # tuples (earlier series backports)
        self.removed = None
        self.deprecated = False
        self.deprecated_since = None
        self.unimplemented = False
        self.arch_note = None
        self.arch_introduced = {}  # libaudit arch → tuple
        self.notes = ""
        self.sources = []


def read_page(path):
    raw = Path(path).read_bytes()
    if path.endswith(".gz"):
        raw = gzip.decompress(raw)
    return raw.decode("utf-8")


def page_version(lines):
    for line in lines:
        m = re.match(r'\.TH\s+syscalls\s+2\s+(\S+)\s+"Linux man-pages ([^"]+)"', line)
        if m:
            return m.group(2), m.group(1)
    raise PageError("no .TH line naming 'Linux man-pages VERSION': is this syscalls(2)?")


def table_cells(body):
    """Rows of cells from a tbl body; a cell may be a T{ ... T} text block,
    in any column (man-pages 6.03 uses them for notes, later releases for
    names as well)."""
    i = 0
    while i < len(body):
        line = body[i]
        i += 1
        if line.startswith('.\\"') or not line.strip() or line.strip() in ("_", "="):
            continue
        cells = []
        rest = line
        while True:
            parts = rest.split("\t")
            if parts[-1] != "T{":
                cells.extend(parts)
                break
            cells.extend(parts[:-1])
            block = []
            while i < len(body) and not body[i].startswith("T}"):
                if not body[i].startswith('.\\"'):
                    block.append(body[i])
                i += 1
            end = body[i] if i < len(body) else "T}"
            i += 1
            cells.append("\n".join(block))
            rest = end[2:]
            if not rest:
                break
            rest = rest[1:] if rest.startswith("\t") else rest
        yield line, cells


def table_rows(lines):
    """The (name, kernel, notes) rows of the table between .TS and .TE."""
    try:
        start = lines.index(".TS")
        end = lines.index(".TE", start)
    except ValueError:
        raise PageError("no .TS/.TE table: is this syscalls(2)?")
    body = lines[start + 1:end]
    # Skip the format section: it ends with the line ending in '.'.
    i = 0
    while i < len(body) and not body[i].rstrip().endswith("."):
        i += 1
    rows = []
    for line, cells in table_cells(body[i + 1:]):
        name = plain(cells[0])
        m = re.match(r"([A-Za-z0-9_]+) ?\(2\)$", name)
        if not m:
            if name == "System call":
                continue  # the header row
            raise PageError("table row not understood: %r" % line)
        kernel = cells[1].strip() if len(cells) > 1 else ""
        notes = plain(cells[2]) if len(cells) > 2 else ""
        rows.append((m.group(1), kernel, notes))
    return rows


def apply_row(entry, kernel, notes):
    versions = [parse_version(v) for v in re.findall(VERSION, kernel)]
    if kernel and not versions:
        raise PageError("%s: kernel column %r has no version" % (entry.name, kernel))
    if not versions:
        m = re.search(r"\bin (%s)" % VERSION, notes)  # "Added as "pread" in 2.2"
        versions = [parse_version(m.group(1))] if m else [(1, 0, 0)]
    entry.introduced = max(versions)
    entry.also_in = sorted(v for v in versions if v != entry.introduced)
    entry.notes = notes
    m = re.search(r"(?:^|[;,] )[Rr]emoved in (%s)" % VERSION, notes)
    if m:
        entry.removed = parse_version(m.group(1))
    m = re.search(r"(?:^|[;,] )[Dd]eprecated\b(?: \([^)]*\))?(?: since (%s))?" % VERSION, notes)
    if m:
        entry.deprecated = True
        entry.deprecated_since = parse_version(m.group(1)) if m.group(1) else None
    m = re.match(r"(.+?) only\b", notes)
    if m:
        entry.arch_note = m.group(1) + " only"
    elif notes.startswith("Not on "):
        entry.arch_note = notes.split(";")[0]
    for word, version in re.findall(r"\b(\w+) since (%s)" % VERSION, notes):
        if word in ARCH_WORDS:
            entry.arch_introduced[ARCH_WORDS[word]] = parse_version(version)
    entry.sources.append("manPage")


def unimplemented_names(lines):
    """The reserved-but-unimplemented names listed after the table."""
    text = "\n".join(lines)
    m = re.search(r"not implemented in the standard kernel:\n(.*?)\(see also", text, re.S)
    if not m:
        raise PageError("no 'not implemented in the standard kernel' paragraph")
    return re.findall(r"^\.BR (\w+) \(2\)", m.group(1), re.M)


def removed_ports(lines):
    """(name, introduced or None, port, removed) from 'System calls on removed ports'."""
    out = []
    try:
        i = lines.index(".SS System calls on removed ports")
    except ValueError:
        return out
    port = removed = None
    last = None
    while i + 1 < len(lines) and not lines[i + 1].startswith(".SH"):
        i += 1
        line = lines[i]
        m = re.match(r"(\w[\w ]*?) \(port removed in Linux (%s)\)$" % VERSION, line)
        if m:
            port, removed = m.group(1), parse_version(m.group(2))
            continue
        m = re.match(r"\.BR (\w+) \(2\)$", line)
        if m and port:
            last = [m.group(1), None, port, removed]
            out.append(last)
            continue
        m = re.match(r"\(adde?d? in Linux (%s)\)$" % VERSION, line)
        if m and last:
            last[1] = parse_version(m.group(1))
    return out


def apply_supplement(entries, path):
    for number, line in enumerate(Path(path).read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 7:
            raise PageError("%s:%d: expected 7 tab-separated columns, got %d" % (path, number, len(cols)))
        name, introduced, removed, deprecated, unimplemented, notes, source = [
            None if c == "-" else c for c in cols]
        e = entries.get(name)
        if e is None:
            e = entries[name] = Entry(name)
        where = "%s:%d: %s" % (path, number, name)

        def fill(attr, value):
            old = getattr(e, attr)
            if old not in (None, False) and old != value:
                raise PageError("%s: %s %s contradicts the page's %s" % (where, attr, show(value), show(old)))
            setattr(e, attr, value)

        if introduced:
            fill("introduced", parse_version(introduced))
        if removed:
            fill("removed", parse_version(removed))
        if deprecated:
            e.deprecated = True
            if deprecated != "yes":
                fill("deprecated_since", parse_version(deprecated))
        if unimplemented == "yes":
            e.unimplemented = True
        if notes:
            e.notes = notes if not e.notes else e.notes + "; " + notes
        if notes and e.arch_note is None:
            m = re.match(r"(.+?) only\b", notes)
            if m:
                e.arch_note = m.group(1) + " only"
        e.sources.append("supplement")
        e.supplement_source = source


def build(page_path, supplement_path):
    lines = read_page(page_path).splitlines()
    version, date = page_version(lines)
    entries = {}
    for name, kernel, notes in table_rows(lines):
        if name in entries:
            raise PageError("%s listed twice in the table" % name)
        entries[name] = Entry(name)
        apply_row(entries[name], kernel, notes)
    for name in unimplemented_names(lines):
        e = entries.setdefault(name, Entry(name))
        e.unimplemented = True
        e.notes = "Reserved slot, not implemented in the standard kernel"
        e.sources.append("manPage")
    ports = {}  # name → the removed ports it lived on
    for name, introduced, port, removed in removed_ports(lines):
        if name in entries and name not in ports:
            continue  # a table entry of that name is the live one
        e = entries.setdefault(name, Entry(name))
        if name not in ports:
            e.sources.append("manPage")
        ports.setdefault(name, []).append(port)
        e.arch_note = "%s only" % " and ".join(ports[name])
        e.notes = "%s only; the port was removed" % " and ".join(ports[name])
        if introduced and (e.introduced is None or introduced < e.introduced):
            e.introduced = introduced
        if e.removed is None or removed > e.removed:
            e.removed = removed
    apply_supplement(entries, supplement_path)
    for e in entries.values():
        if e.introduced is None and not e.unimplemented and e.removed is None:
            raise PageError("%s: no kernel version from the page or the supplement" % e.name)
    return version, date, [entries[k] for k in sorted(entries)]


def swift_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def swift_version(v):
    return "nil" if v is None else "KernelVersion(%d, %d, %d)" % v


def render(version, date, entries, supplement_name):
    out = []
    out.append("// Generated by Scripts/generate-syscall-catalogue.py from syscalls(2) of")
    out.append("// man-pages %s (%s) and %s — do not edit." % (version, date, supplement_name))
    out.append("// Regenerate with `make syscall-catalogue` (needs python3 and manpages-dev).")
    out.append("")
    out.append("extension SyscallCatalogue {")
    out.append("    /// The man-pages release the catalogue was generated from.")
    out.append("    public static let manPagesVersion = %s" % swift_string(version))
    out.append("")
    out.append("    /// One entry per syscall, sorted by name.")
    out.append("    static let generatedEntries: [Entry] = [")
    for e in entries:
        args = ["name: %s" % swift_string(e.name), "introduced: %s" % swift_version(e.introduced)]
        if e.also_in:
            args.append("alsoIn: [%s]" % ", ".join(swift_version(v) for v in e.also_in))
        if e.arch_introduced:
            args.append("archIntroduced: [%s]" % ", ".join(
                "%s: %s" % (swift_string(k), swift_version(v)) for k, v in sorted(e.arch_introduced.items())))
        if e.removed:
            args.append("removed: %s" % swift_version(e.removed))
        if e.deprecated:
            args.append("deprecated: true")
            if e.deprecated_since:
                args.append("deprecatedSince: %s" % swift_version(e.deprecated_since))
        if e.unimplemented:
            args.append("unimplemented: true")
        if e.arch_note:
            args.append("archNote: %s" % swift_string(e.arch_note))
        if e.notes:
            args.append("notes: %s" % swift_string(e.notes))
        source = {("manPage",): ".manPage", ("supplement",): ".supplement"}.get(
            tuple(sorted(set(e.sources))), ".manPageAndSupplement")
        args.append("source: %s" % source)
        out.append("        Entry(%s)," % ", ".join(args))
    out.append("    ]")
    out.append("}")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--page", default=DEFAULT_PAGE)
    ap.add_argument("--supplement", default=str(DEFAULT_SUPPLEMENT))
    ap.add_argument("--output", default=str(DEFAULT_OUTPUT), help="file to write, or - for stdout")
    args = ap.parse_args()
    try:
        version, date, entries = build(args.page, args.supplement)
    except (OSError, PageError) as err:
        print("generate-syscall-catalogue: %s" % err, file=sys.stderr)
        return 2
    supplement = Path(args.supplement).resolve()
    shown = supplement.relative_to(ROOT) if supplement.is_relative_to(ROOT) else supplement
    text = render(version, date, entries, str(shown))
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
