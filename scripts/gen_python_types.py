#!/usr/bin/env python3
"""Generates bindings-python/python/ghpkg/retention_types.py from the JSON
Schemas in schemas/ (which the core writes): a TypedDict for every object,
a Literal for every set of string constants, a Union for every tagged or
untagged choice. `--check` fails when the committed file differs.

Only the JSON Schema the core's schemars output uses is understood; anything
else is an error, so a new construct cannot be dropped silently.
"""
import json
import keyword
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "bindings-python" / "python" / "ghpkg" / "retention_types.py"
# (schema file, the name of its top-level type)
SCHEMAS = [
    ("policy.schema.json", "PolicyDict"),
    ("plan.schema.json", "PlanDict"),
    ("event.schema.json", "Event"),
    ("report.schema.json", "Report"),
    ("journal.schema.json", "JournalRecord"),
    ("plan-options.schema.json", "PlanOptions"),
    ("apply-options.schema.json", "ApplyOptions"),
    ("undo-options.schema.json", "UndoOptions"),
]
# Python names of schema definitions: `Policy` and `Plan` are the classes of
# `ghpkg.retention`, and `Warning` is a builtin.
RENAMES = {"Record": "JournalRecord", "Policy": "PolicyDict", "Plan": "PlanDict", "Warning": "PlanWarning"}


def paragraph(text):
    """The first paragraph of a description, on one line."""
    if not text:
        return ""
    return " ".join(text.strip().split("\n\n")[0].split())


def docstring(text, width=88):
    """A class docstring, wrapped; raw when it holds a backslash."""
    if not text:
        return []
    quotes = '"' * 3
    words, lines, line = text.replace(quotes, "'''").split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width - 8:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    opening = ("r" if "\\" in text else "") + quotes
    if len(lines) == 1:
        return [f"    {opening}{lines[0]}{quotes}"]
    return [f"    {opening}{lines[0]}"] + [f"    {w}" for w in lines[1:]] + [f"    {quotes}"]


class Gen:
    def __init__(self):
        self.defs = {}  # name -> python source
        self.order = []

    def emit(self, name, source):
        if name in self.defs:
            if self.defs[name] != source:
                raise SystemExit(f"two different definitions of {name}")
            return
        self.defs[name] = source
        self.order.append(name)

    def ref(self, schema, defs):
        if schema["$ref"] == "#":
            return f'"{self.top}"'  # the schema's own top-level type
        name = schema["$ref"].split("/")[-1]
        name = RENAMES.get(name, name)
        if name in self.defs:
            return name
        if name in self.pending or name == self.top:
            return f'"{name}"'  # being defined: a forward reference
        self.pending.add(name)
        self.define(name, defs[schema["$ref"].split("/")[-1]], defs)
        return name

    def type_of(self, schema, defs, hint):
        """The Python type expression of `schema`; `hint` names new types."""
        if "$ref" in schema and "properties" not in schema:
            return self.ref(schema, defs)
        if "const" in schema:
            return f"Literal[{json.dumps(schema['const'])}]"
        if "enum" in schema:
            return "Literal[" + ", ".join(json.dumps(v) for v in schema["enum"]) + "]"
        for choice in ("oneOf", "anyOf"):
            if choice in schema:
                parts = []
                for i, s in enumerate(schema[choice]):
                    if s.get("type") == "null":
                        parts.append("None")
                    else:
                        parts.append(self.type_of(s, defs, self.variant_name(hint, s, i)))
                return self.union(parts)
        t = schema.get("type")
        if isinstance(t, list):
            nullable = "null" in t
            rest = [x for x in t if x != "null"]
            if len(rest) != 1:
                raise SystemExit(f"{hint}: type list {t} not understood")
            inner = self.type_of({**schema, "type": rest[0]}, defs, hint)
            return self.union([inner, "None"]) if nullable else inner
        if t == "string":
            return "str"
        if t == "integer":
            return "int"
        if t == "number":
            return "float"
        if t == "boolean":
            return "bool"
        if t == "array":
            return f"List[{self.type_of(schema.get('items', {}), defs, hint + 'Item')}]"
        if t == "object" or "properties" in schema:
            if "properties" not in schema:
                extra = schema.get("additionalProperties", True)
                value = "Any" if extra is True else self.type_of(extra, defs, hint + "Value")
                return f"Dict[str, {value}]"
            self.typed_dict(hint, schema, defs)
            return hint
        if schema == {} or t is None and not schema.keys() - {"description", "default", "examples"}:
            return "Any"
        raise SystemExit(f"{hint}: schema not understood: {json.dumps(schema)[:200]}")

    @staticmethod
    def union(parts):
        seen = []
        for p in parts:
            if p not in seen:
                seen.append(p)
        literals = [p for p in seen if p.startswith("Literal[")]
        if len(literals) > 1:
            merged = "Literal[" + ", ".join(p[len("Literal["):-1] for p in literals) + "]"
            first = seen.index(literals[0])
            seen = [p for p in seen if p not in literals]
            seen.insert(first, merged)
        if len(seen) == 1:
            return seen[0]
        if len(seen) == 2 and "None" in seen:
            return f"Optional[{[p for p in seen if p != 'None'][0]}]"
        return "Union[" + ", ".join(seen) + "]"

    @staticmethod
    def variant_name(hint, schema, i):
        tag = (schema.get("properties") or {}).get("type", {}).get("const")
        if tag is None:
            tag = (schema.get("properties") or {}).get("record", {}).get("const")
        if tag is not None:
            return hint + "".join(w.capitalize() for w in str(tag).split("_"))
        keys = list((schema.get("properties") or {}).keys())
        if len(keys) == 1:
            return hint + keys[0].capitalize()
        return f"{hint}{i}"

    def typed_dict(self, name, schema, defs):
        props = schema["properties"]
        required = set(schema.get("required", []))
        base = None
        if "$ref" in schema:
            base = self.ref(schema, defs)
        lines_req, lines_opt = [], []
        for key, sub in props.items():
            if not key.isidentifier() or keyword.iskeyword(key):
                raise SystemExit(f"{name}.{key}: not usable as a TypedDict key")
            t = self.type_of(sub, defs, name + "".join(w.capitalize() for w in key.split("_")))
            doc = paragraph(sub.get("description"))
            line = f"    {key}: {t}" + (f"  # {doc}" if doc and len(doc) < 80 else "")
            (lines_req if key in required else lines_opt).append(line)
        doc_lines = docstring(paragraph(schema.get("description")))
        parents = base or "TypedDict"
        if lines_opt and lines_req:
            src = [f"class _{name}Required({parents}):"] + (lines_req or ["    pass"])
            src += ["", "", f"class {name}(_{name}Required, total=False):"] + doc_lines + lines_opt
        elif lines_opt:
            src = [f"class {name}({parents}, total=False):"] + doc_lines + lines_opt
        else:
            src = [f"class {name}({parents}):"] + doc_lines + (lines_req or ["    pass"])
        self.emit(name, "\n".join(src))

    def define(self, name, schema, defs):
        if "properties" in schema:
            self.typed_dict(name, schema, defs)
        else:
            self.emit(name, f"{name} = {self.type_of(schema, defs, name)}")

    def schema_file(self, file, top):
        schema = json.loads((ROOT / "schemas" / file).read_text(encoding="utf-8"))
        defs = schema.get("$defs", {})
        self.pending = set()
        self.top = top
        self.define(top, schema, defs)


def render(gen):
    head = '''"""Types of the retention formats: the policy, the plan, the events and the
report of a run, the journal, and the options of plan, apply and undo, as
``TypedDict``s and ``Literal``s.

Generated by scripts/gen_python_types.py from the JSON Schemas in schemas/,
which the core writes; do not edit. The same JSON in every language.
"""

from typing import Any, Dict, List, Literal, Optional, TypedDict, Union

__all__ = [
'''
    names = [n for n in gen.order if not n.startswith("_")]
    body = head + "".join(f'    "{n}",\n' for n in sorted(names)) + "]\n"
    for n in gen.order:
        body += "\n\n" + gen.defs[n] + "\n"
    return body


def main():
    gen = Gen()
    for file, top in SCHEMAS:
        gen.schema_file(file, top)
    text = render(gen)
    if "--check" in sys.argv:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT.relative_to(ROOT)} is stale: run python3 scripts/gen_python_types.py", file=sys.stderr)
            sys.exit(1)
        print(f"{OUT.relative_to(ROOT)}: current ({len(gen.order)} types)")
        return
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(gen.order)} types)")


if __name__ == "__main__":
    main()
