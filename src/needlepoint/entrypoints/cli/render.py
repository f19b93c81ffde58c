"""Readable rendering of reports and knowledge listings with Rich. Presentation only.

Every string that comes from data (a clinic name, a drug, an instruction, a citation) is
escaped before it meets Rich markup, so text typed by a user can neither break the report
nor style it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

Json = dict[str, Any]

DECISION_STYLE = {
    "proceed": "bold white on green",
    "needs_clearance": "bold black on yellow",
    "defer": "bold white on dark_orange3",
    "decline": "bold white on red",
}
SEVERITY_STYLE = {"absolute": "red", "relative": "yellow", "caution": "cyan"}
UNVERIFIED = " [magenta]†unverified[/]"


def consultation(console: Console, report: Json) -> None:
    """The consultation report: decision first, then reasons, scores, plan, care, evidence."""
    console.print(_decision_panel(report))
    _findings(console, report)
    _scores(console, report["scar_scores"])
    _plan(console, report)
    _care(console, report)
    _red_flags(console, report["red_flags"])
    _expectations(console, report["expectations"])
    _adjuncts(console, report["adjuncts"])
    _footer(console, report)


def _decision_panel(report: Json) -> Panel:
    decision = report["decision"]
    lines = [Text(f" {decision.upper().replace('_', ' ')} ", style=DECISION_STYLE[decision])]
    lines.append(Text(report["decision_summary"]))
    eligible = report["earliest_eligible_on"]
    if eligible:
        lines.append(Text(f"Earliest eligible date: {eligible}", style="bold"))
    elif decision == "defer":
        lines.append(Text("No eligible date can be computed yet: re-screen when resolved."))
    elif decision == "decline":
        lines.append(Text("Do not treat the requested zones with microneedling."))
    for item in report["out_of_scope"]:
        lines.append(Text(item["note"], style="italic"))
    title = escape(f"{report['clinic']['name']} · screened {report['screened_on']}")
    return Panel(Group(*lines), title=title, title_align="left")


def _cite(item: Json) -> str:
    sources = escape(", ".join(item.get("sources", [])))
    evidence = item.get("evidence")
    mark = UNVERIFIED if item.get("unverified") else ""
    return f"[dim]{evidence + ' · ' if evidence else ''}{sources}[/]{mark}"


def _findings(console: Console, report: Json) -> None:
    if not report["findings"]:
        console.print("[green]No contraindication found.[/]\n")
        return
    table = Table(title="Why", title_justify="left", expand=True, show_lines=True)
    for column in ("Severity", "Finding", "Reason and action", "Sources"):
        table.add_column(column)
    for f in report["findings"]:
        zones = f" ({', '.join(f['zones'])})" if f["zones"] else ""
        detail = f"\n[dim]{escape(f['detail'])}[/]" if f["detail"] else ""
        clears = f"\n[bold]clears {f['clears_on']}[/]" if f["clears_on"] else ""
        holds = "\n[bold]holds every zone until resolved[/]" if f.get("holds_programme") else ""
        first = f.get("first_session")
        start = f"\n[bold]{escape(first['text'])}[/]" if first else ""
        table.add_row(
            f"[{SEVERITY_STYLE[f['severity']]}]{f['severity']}[/]",
            escape(f"{f['rule_id']}{zones}"),
            f"{escape(f['reason'])}\n[italic]{escape(f['action'])}[/]{detail}{clears}{holds}{start}",
            _cite(f),
        )
    console.print(table)
    for e in report["zone_exclusions"]:
        until = "permanently" if e["permanent"] else f"until {e['until'] or 'resolved'}"
        console.print(f"  ✗ {e['zone']} excluded {until} ({', '.join(e['rule_ids'])})")
    console.print()


def _scores(console: Console, scores: Json) -> None:
    overall = scores["overall"]
    if not scores["zones"]:
        return
    table = Table(title="Scar scores", title_justify="left", expand=True)
    for column in ("Zone", "GB qualitative", "GB quantitative", "ECCA", "Jacob types"):
        table.add_column(column)
    for zone in scores["zones"]:
        table.add_row(zone["zone"], *_score_cells(zone))
    table.add_row("[bold]overall[/]", *_score_cells(overall), end_section=True)
    console.print(table)
    for key in ("gb_qualitative", "gb_quantitative", "ecca"):
        if overall.get(key):
            console.print(f"  [dim]{key}: {escape(overall[key]['explanation'])}[/]")
    console.print()


def _score_cells(block: Json) -> list[str]:
    ql, qn, ecca = block.get("gb_qualitative"), block.get("gb_quantitative"), block.get("ecca")
    jacob = block.get("jacob")
    if jacob is None:
        kinds = ", ".join(f"{k} ×{v}" for k, v in block.get("jacob_counts", {}).items())
    else:
        kinds = ", ".join(f"{j['type']} ×{j['count']}" for j in jacob)
    return [
        "—" if ql is None else f"{ql['grade']} ({ql['level']}){_mark(ql)}",
        "—" if qn is None else f"{qn['total']}/{qn['max_total']}{_mark(qn)}",
        "—" if ecca is None else f"{ecca['total']}/{ecca['max_total']}{_mark(ecca)}",
        kinds or "—",
    ]


def _mark(item: Json) -> str:
    return UNVERIFIED if item.get("unverified") else ""


def _plan(console: Console, report: Json) -> None:
    plan, series = report["plan"], report["series"]
    if not plan["zones"] and not plan["not_planned"]:
        return
    table = Table(title="Plan", title_justify="left", expand=True, show_lines=True)
    for column in ("Zone", "Depth (mm)", "Start", "Endpoint · passes", "Why"):
        table.add_column(column)
    for zone in plan["zones"]:
        step = zone["max_step_per_session_mm"]
        table.add_row(
            f"{zone['zone']}\n[dim]{zone['indication']} · {zone['severity']}[/]",
            _depth(zone["depth_mm"]),
            zone["start_mm"] + (f"\n[dim]+≤{step}/session[/]" if step else ""),
            _technique(zone),
            "\n".join(f"{escape(r['text'])} {_cite(r)}" for r in zone["reasons"]),
        )
    for item in plan["not_planned"]:
        reason = item["reason"]
        table.add_row(item["zone"], "—", "—", "—", f"{escape(reason['text'])} {_cite(reason)}")
    console.print(table)
    if series:
        _series(console, series, report)


def _depth(depth: Json) -> str:
    return depth["min"] if depth["min"] == depth["max"] else f"{depth['min']}–{depth['max']}"


def _technique(zone: Json) -> str:
    passes = zone["passes"]
    return f"{zone['endpoint'].replace('_', ' ')}\n{passes['min']}–{passes['max']} passes"


def _series(console: Console, series: Json, report: Json) -> None:
    sessions, interval = series["sessions"], series["interval_days"]
    cleared_first = series.get("clearance_before_first_session")
    note = " [yellow](subject to clearance before the first session)[/]" if cleared_first else ""
    console.print(
        f"[bold]Series:[/] {sessions['default']} sessions "
        f"(range {sessions['min']}–{sessions['max']}), every {interval['default']} days "
        f"(allowed {interval['min']}–{interval['max']}){note}"
    )
    provisional = " (provisional time)" if report["appointment_provisional"] else ""
    console.print(f"  First session: {report['first_session_at']}{provisional}")
    for s in series["dated"]:
        window = (
            "" if s["number"] == 1 else f"  [dim]window {s['earliest_on']} → {s['latest_on']}[/]"
        )
        console.print(f"  {s['number']}. {s['on']}{window}")
    for reason in series["reasons"]:
        console.print(f"  [dim]{escape(reason['text'])}[/] {_cite(reason)}")
    console.print()


def _care(console: Console, report: Json) -> None:
    for phase, title in (("pre", "Before the session"), ("post", "After the session")):
        items = report["care"][phase]
        if not items:
            continue
        lines = [f"[bold underline]{title}[/]"]
        for item in items:
            late = " [yellow](lead time short)[/]" if item["short_lead_time"] else ""
            lines.append(
                f"• [bold]{_short(item['starts_at'])} → {_short(item['ends_at'])}[/]{late}  "
                f"{escape(item['instruction'])} {_cite(item)}"
            )
        console.print("\n".join(lines))
        if any(item["short_lead_time"] for item in items):
            console.print(
                "[yellow]Some preparation should have begun before the consultation: check the "
                "patient can still follow it, or move the first appointment.[/]"
            )
        console.print()


def _short(moment: str) -> str:
    return moment.replace("T", " ")[:16]


def _red_flags(console: Console, flags: Iterable[Json]) -> None:
    listed = list(flags)
    if not listed:
        return
    table = Table(title="Call the clinic if…", title_justify="left", expand=True)
    for column in ("Sign", "When", "Likely cause", "Urgency"):
        table.add_column(column)
    for flag in listed:
        urgent = "[bold red]EMERGENCY[/]" if flag["urgency"] == "emergency" else "call clinic"
        table.add_row(
            escape(flag["sign"]), escape(flag["window"]), escape(flag["likely_cause"]), urgent
        )
    console.print(table)


def _expectations(console: Console, expectations: Iterable[Json]) -> None:
    for item in expectations:
        name = item["indication"].replace("_", " ")
        console.print(f"[bold]What to expect: {name}[/] (evidence, not a promise)")
        improvement = item["improvement_pct"]
        if improvement:
            shifted = " (shifted down for severity)" if improvement["shifted_for_severity"] else ""
            console.print(
                f"  After {item['after_sessions']} sessions, the modelled reduction of the scar "
                f"score is about {improvement['low']}–{improvement['high']} % "
                f"(centre {improvement['mean']} %){shifted} {_cite(improvement)}"
            )
        timing = item["timing"]
        if timing:
            console.print(f"  Results show: {escape(timing['results_show'])}")
            console.print(f"  Judge after: {escape(timing['judge_after'])}")
            console.print(f"  Remodelling: {escape(timing['remodelling'])}")
            console.print(f"  [italic]{escape(timing['caveat'])}[/] {_cite(timing)}")
        for study in item["studies"]:
            console.print(f"  • {escape(study['summary'])} {_cite(study)}")
        console.print()


def _adjuncts(console: Console, adjuncts: Iterable[Json]) -> None:
    listed = list(adjuncts)
    if not listed:
        return
    console.print("[bold]Adjuncts to consider[/] (suggestions only)")
    for adjunct in listed:
        text = escape(f"{adjunct['suggestion']} — {adjunct['reason']}")
        console.print(f"  • {text} {_cite(adjunct)}")
    console.print()


def _footer(console: Console, report: Json) -> None:
    for note in report["notes"]:
        console.print(f"[yellow]Note:[/] {escape(note['text'])} {_cite(note)}")
    versions = ", ".join(f"{k} {v}" for k, v in report["knowledge_versions"].items())
    console.print(f"[dim]Knowledge: {escape(versions)}[/]")
    listed = "\n".join(f"  {source}: {citation}" for source, citation in report["sources"].items())
    console.print(f"[dim]Sources:\n{escape(listed)}[/]")
    console.print("[magenta]† unverified: an inferred default or a value awaiting verification.[/]")


def tables(console: Console, infos: Iterable[Any]) -> None:
    """The knowledge tables: name, version, rows, unverified rows, sources."""
    table = Table(title="Knowledge tables", title_justify="left", expand=True)
    for column in ("Table", "Version", "Rows", "Unverified", "Sources"):
        table.add_column(column)
    for info in infos:
        table.add_row(
            info.name,
            info.version,
            str(info.rows),
            str(info.unverified_rows),
            escape(", ".join(info.sources)),
        )
    console.print(table)


def rows(console: Console, name: str, items: Iterable[Any]) -> None:
    """The rows of one knowledge table with their provenance."""
    table = Table(title=f"Table {escape(name)}", title_justify="left", expand=True)
    table.add_column("Row", no_wrap=True)
    for column in ("Evidence", "Sources", "Notes"):
        table.add_column(column, overflow="fold")
    for item in items:
        mark = UNVERIFIED if item.unverified else ""
        table.add_row(
            item.row_id, item.evidence + mark, escape(", ".join(item.sources)), escape(item.notes)
        )
    console.print(table)
