"""The commented ``llm-tco.toml`` that ``llm-tco init`` writes, generated from the model's field metadata.

Every assumption appears with its default value, unit and source, so the file documents the plan's inputs.
The file is generated, never hand-written: a default changed in ``llm_tco.config.model`` changes the
template, and a test asserts the template parses back to exactly the defaults.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from llm_tco.config.model import Config, WorkloadConfig

__all__ = ["render_template", "toml_string", "toml_value"]

_HEADER = """\
# llm-tco.toml — the assumptions behind `llm-tco plan`.
#
# Every key is optional: delete what you do not need and the default (shown here) applies. Each setting
# says what it means, its unit and where its default comes from; "llm-tco assumption" marks defaults with
# no published figure behind them — replace them with your own numbers. A source such as
# "kshirol-learnai-inference: …" names an entry of the sources file shipped with llm-tco
# (`llm-tco catalog sources` lists them with their URLs, dates and what they say).
#
# Per workload (name as in `llm-tco audit`), add a [workloads.<name>] table; see the example at the end.
"""


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string: quotes, backslashes and every control character escaped.

    Names from logs are untrusted, so the escaping is complete: TOML forbids raw control characters (DEL
    included) in strings, and its ``\\u`` escapes must be Unicode scalar values — so a character is written
    as itself unless it must be escaped (never as a UTF-16 surrogate pair, which ``json.dumps`` would
    produce), and a lone surrogate, which no TOML file can hold, becomes U+FFFD.
    """
    out = ['"']
    for char in text:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\uFFFD")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def toml_value(value: Any) -> str:
    """A TOML literal for a default (strings, numbers, booleans, lists and flat tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, BaseModel):
        return toml_value(value.model_dump(exclude_none=True))
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{toml_string(str(k))} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML form for {value!r}")


def _meta(info: FieldInfo) -> tuple[str, str]:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    return str(extra.get("unit", "")), str(extra.get("source", ""))


def _field_lines(name: str, info: FieldInfo, value: Any, *, commented: bool) -> list[str]:
    unit, source = _meta(info)
    lines = [f"# {info.description}"] if info.description else []
    lines.append(f"#   unit: {unit} · source: {source}")
    if value is None:
        lines.append(f"# {name} =            (unset by default)")
    else:
        lines.append(f"{'# ' if commented else ''}{name} = {toml_value(value)}")
    return lines


def _section(name: str, section: BaseModel) -> list[str]:
    doc = (type(section).__doc__ or "").strip().splitlines()[0]
    lines = ["", f"[{name}]", f"# {doc}"]
    for field_name, info in type(section).model_fields.items():
        lines.extend(_field_lines(field_name, info, getattr(section, field_name), commented=False))
    return lines


def render_template(config: Config | None = None) -> str:
    """The commented TOML for ``config`` (default: the defaults)."""
    config = config or Config()
    lines = [_HEADER.rstrip("\n")]
    for name, info in Config.model_fields.items():
        value = getattr(config, name)
        if isinstance(value, BaseModel):
            lines.extend(_section(name, value))
        elif name == "workloads":
            lines.extend(_workloads(config))
        elif name == "attribution":
            lines.extend(
                [
                    "",
                    f"# {info.description or 'Attribution rules'}: see `llm-tco audit --help`.",
                    "# [[attribution]] tables map usage to workloads (optional).",
                ]
            )
    return "\n".join(lines) + "\n"


def _workloads(config: Config) -> list[str]:
    lines = ["", "# Per-workload requirements. Example (uncomment and rename to a workload of your audit):"]
    example = WorkloadConfig()
    lines.append("# [workloads.support-chat]")
    for field_name, info in WorkloadConfig.model_fields.items():
        for line in _field_lines(field_name, info, getattr(example, field_name), commented=True):
            lines.append(line if line.startswith("#") else f"# {line}")
    for workload, table in config.workloads.items():
        lines.extend(["", f"[workloads.{toml_string(workload)}]"])
        for field_name in table.model_fields_set:
            lines.append(f"{field_name} = {toml_value(getattr(table, field_name))}")
    return lines
