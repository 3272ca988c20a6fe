"""``allygraph timeline``, ``clusters``, ``rank``, ``balance``, ``changes``, ``explain`` and ``viz``: parse, call
``allygraph.analysis`` / ``allygraph.viz``, render. ``app.py`` registers the group."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..render.analysis import (
    balance_blocks,
    changes_blocks,
    clusters_blocks,
    explain_blocks,
    per_year,
    rank_blocks,
    timeline_blocks,
    viz_blocks,
)
from .common import respond
from .options import AsOfOpt, DepthOpt, Reading, TypeOpt, reads_data

group = typer.Typer()

AroundOpt = Annotated[Optional[str], typer.Option("--around", help="Only this entity's neighbourhood (within --depth hops), e.g. --around Japan.", metavar="X")]  # fmt: skip
# the options the analysis commands share: one clock (today by default), roll-up, years
AllTimeOpt = Annotated[bool, typer.Option("--all-time", help="Every relation ever in force (history: ended ties count, and say so), instead of those in force on --as-of (default: today).")]  # fmt: skip
RollUpOpt = Annotated[bool, typer.Option("--roll-up/--no-roll-up", help="Count an agency's ties for the state it is part of (default: on).")]  # fmt: skip
YearsOpt = Annotated[Optional[str], typer.Option("--years", help="One result per year, each read on its last day, e.g. --years 2000:2026.", metavar="Y1:Y2")]  # fmt: skip


@group.command(
    "timeline",
    epilog="Example: allygraph timeline Japan Philippines --from 2015\n\nExample: allygraph timeline --type arms_transfer --from 2020",
)
@reads_data()
def timeline_command(
    x: Annotated[Optional[str], typer.Argument(help="An entity (id, name or alias); none: the whole data set.")] = None,
    y: Annotated[Optional[str], typer.Argument(help="A second entity: the pair's events.")] = None,
    date_from: Annotated[Optional[str], typer.Option("--from", help="Events on or after this date.", metavar="DATE")] = None,
    date_to: Annotated[Optional[str], typer.Option("--to", help="Events on or before this date.", metavar="DATE")] = None,
    types: TypeOpt = None,
    as_of: AsOfOpt = None, all_time: AllTimeOpt = False,  # the day read
    no_roll_up: Annotated[bool, typer.Option("--no-roll-up", help="Count an agency's events (a coast guard, an armed force) for itself only, not for its state.")] = False,
    *,
    reading: Reading,
) -> None:  # fmt: skip
    """Dated events, oldest first: tier upgrades, agreements, memberships, transfers, exercises, incidents.

    Read on a day (today, --as-of DATE, or --all-time): later events are left out and each event
    says its status that day; an agency's events count for its state unless --no-roll-up."""
    from ..analysis import timeline

    respond(reading.as_json, lambda: timeline(reading.store(), x, y, date_from=date_from, date_to=date_to, types=types,
                                   as_of=as_of, all_time=all_time, roll_up=not no_roll_up), timeline_blocks)  # fmt: skip


@group.command(
    "clusters",
    epilog="Example: allygraph clusters --as-of 2026-06\n\nExample: allygraph clusters --around Japan --type alliance --type partnership",
)
@reads_data()
def clusters_command(
    as_of: AsOfOpt = None, all_time: AllTimeOpt = False,  # the day read
    method: Annotated[str, typer.Option("--method", help="cliques (declared and emergent), kcore or louvain.", metavar="METHOD")] = "cliques",
    min_size: Annotated[int, typer.Option("--min-size", help="At least this many states.", metavar="N")] = 3,
    types: TypeOpt = None,
    layers: Annotated[Optional[list[str]], typer.Option("--layer", "-l", help="Only ties of this layer (repeatable): alliance, access, defence, exercise, arms, deployment, framework; partnership only when named.", metavar="LAYER")] = None,
    around: Annotated[Optional[str], typer.Option("--around", help="Only the clusters that contain this state (the whole-graph clusters, filtered).", metavar="X")] = None,
    rung: Annotated[str, typer.Option("--rung", help="With --type partnership: the lowest rung that counts.", metavar="TIER")] = "strategic_partnership",
    roll_up: RollUpOpt = True,
    years: YearsOpt = None,
    *,
    reading: Reading,
) -> None:  # fmt: skip
    """Security clusters of states on a day: declared (frameworks) and emergent (every pair tied).

    Ties are security layers: alliances, access agreements in force, defence cooperation,
    exercises, arms transfers, deployments and shared minilaterals (--layer picks them; --type picks
    by relation type, e.g. --type partnership adds partnerships at or above --rung); a pair in an
    active dispute is never tied (the output lists those dropped). A declared minilateral is
    emergent only if its members are tied without it."""
    from ..analysis import clusters

    respond(reading.as_json, lambda: clusters(reading.store(), as_of=as_of, min_size=min_size, types=types, rung=rung,
                                   around=around, method=method, all_time=all_time, roll_up=roll_up,
                                   layers=layers, years=years), per_year(clusters_blocks))  # fmt: skip


@group.command(
    "rank",
    epilog="Example: allygraph rank --by betweenness --entity-type state\n\nExample: allygraph rank --by pagerank --as-of 2015 -n 10",
)
@reads_data()
def rank_command(
    by: Annotated[str, typer.Option("--by", help="degree, betweenness, pagerank or eigenvector.", metavar="METRIC")] = "degree",
    types: TypeOpt = None,
    as_of: AsOfOpt = None, all_time: AllTimeOpt = False,  # the day read
    weight: Annotated[bool, typer.Option("--weight", help="Weigh each tie by its strength (a partnership's from its rung).")] = False,
    include_adversarial: Annotated[bool, typer.Option("--include-adversarial", help="Also follow adversarial ties (disputes).")] = False,
    roll_up: RollUpOpt = True,
    years: YearsOpt = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="Show this many.", metavar="N")] = 20,
    entity_type: Annotated[Optional[list[str]], typer.Option("--entity-type", help="Only rank entities of this type (repeatable), e.g. state.", metavar="TYPE")] = None,
    around: AroundOpt = None,
    depth: DepthOpt = 2,
    sample: Annotated[Optional[int], typer.Option("--sample", help="Betweenness: sample this many source nodes (default: exact up to 2,000 entities, else 256).", metavar="K")] = None,
    *,
    reading: Reading,
) -> None:  # fmt: skip
    """Who brokers the network: centrality by networkx over cooperative ties in force (default today)."""
    from ..analysis import rank

    respond(reading.as_json, lambda: rank(reading.store(), by, types=types, as_of=as_of, limit=limit, around=around,
                               depth=depth, sample=sample, entity_types=entity_type, all_time=all_time,
                               include_adversarial=include_adversarial, weight=weight, roll_up=roll_up,
                               years=years), per_year(rank_blocks))  # fmt: skip


@group.command(
    "balance", epilog="Example: allygraph balance --as-of 2024\n\nExample: allygraph balance --json | jq '.unbalanced'"
)
@reads_data()
def balance_command(
    as_of: AsOfOpt = None, all_time: AllTimeOpt = False,  # the day read
    roll_up: RollUpOpt = True,
    *,
    reading: Reading,
) -> None:  # fmt: skip
    """Structural balance: triangles of states, cooperative ties +, disputes -, the unbalanced listed."""
    from ..analysis import balance

    respond(reading.as_json, lambda: balance(reading.store(), as_of=as_of, all_time=all_time, roll_up=roll_up),
            balance_blocks)  # fmt: skip


@group.command(
    "changes",
    epilog="Example: allygraph changes --from 2026-05-27 --to 2026-05-28\n\nExample: allygraph changes --from 2016 --to 2026 --around Philippines",
)
@reads_data()
def changes_command(
    date_from: Annotated[str, typer.Option("--from", help="The earlier day.", metavar="DATE")] = ...,  # type: ignore[assignment]  # typer: ... marks a required option
    date_to: Annotated[str, typer.Option("--to", help="The later day.", metavar="DATE")] = ...,  # type: ignore[assignment]  # typer: ... marks a required option
    around: Annotated[Optional[str], typer.Option("--around", help="Only what touches this entity (an agency counts for its state).", metavar="X")] = None,
    method: Annotated[str, typer.Option("--method", help="How clusters are found: cliques, kcore or louvain.", metavar="METHOD")] = "cliques",
    movers: Annotated[int, typer.Option("--movers", help="Show this many of the largest rank movers.", metavar="N")] = 10,
    roll_up: RollUpOpt = True,
    *,
    reading: Reading,
) -> None:  # fmt: skip
    """What changed between two days: relations formed, ended and upgraded, clusters, rank movers."""
    from ..analysis import changes

    respond(reading.as_json, lambda: changes(reading.store(), date_from, date_to, around=around, method=method,
                                  movers=movers, roll_up=roll_up), changes_blocks)  # fmt: skip


@group.command(
    "explain",
    epilog="Example: allygraph explain Philippines India > brief.md\n\nExample: allygraph explain Japan Australia --routes 2 --as-of 2020",
)
@reads_data()
def explain_command(
    a: Annotated[str, typer.Argument(help="From: an id, name or alias.")],
    b: Annotated[str, typer.Argument(help="To: an id, name or alias.")],
    types: TypeOpt = None,
    as_of: AsOfOpt = None,
    routes: Annotated[int, typer.Option("--routes", "-k", help="At most this many routes.", metavar="N")] = 3,
    max_hops: Annotated[int, typer.Option("--max-hops", help="Routes of at most this many hops.", metavar="N")] = 4,
    all_time: AllTimeOpt = False,
    include_adversarial: Annotated[bool, typer.Option("--include-adversarial", help="Also follow adversarial ties (disputes): never a route by default.")] = False,
    *,
    reading: Reading,
) -> None:  # fmt: skip
    """The best routes between two actors, of distinct kinds of ties, as Markdown with citations.

    Each hop is one sentence with its sources as numbered footnotes, ready to paste into a brief;
    later routes avoid the kinds of tie the earlier ones used. Routes follow cooperative ties in
    force today (or --as-of DATE, or --all-time); confirmed ties before reported ones."""
    from ..analysis import explain

    respond(reading.as_json, lambda: explain(reading.store(), a, b, k=routes, max_hops=max_hops, types=types,
                                  as_of=as_of, all_time=all_time, include_adversarial=include_adversarial),
            explain_blocks)  # fmt: skip


@group.command("viz", epilog="Example: allygraph viz Japan -o japan.html\n\nExample: allygraph viz Japan --depth 2 --as-of 2020 -o japan.svg")  # fmt: skip
@reads_data()
def viz_command(
    x: Annotated[Optional[str], typer.Argument(help="Centre the map on this entity; none: the whole data set (if small).")] = None,
    around: AroundOpt = None,
    depth: DepthOpt = 1,
    as_of: AsOfOpt = None,
    types: TypeOpt = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="FILE.html (interactive, offline) or FILE.svg (static, A4).", metavar="FILE")] = ...,  # type: ignore[assignment]
    *,
    reading: Reading,
) -> None:  # fmt: skip
    """Draw a network map: an offline HTML page (date slider, search, sources) or an SVG.

    With --as-of, the HTML page opens on that date (the slider still replays the rest); the SVG
    draws only the relations in force then."""
    from ..errors import UsageError
    from ..viz import viz

    def compute() -> dict:
        """The centre once (X or --around), then the picture."""
        if x is not None and around is not None:
            raise UsageError("give the centre once: X or --around")
        return viz(
            reading.store(),
            x if x is not None else around,
            out=output,
            depth=depth,
            as_of=as_of,
            types=types,
        )

    respond(reading.as_json, compute, viz_blocks)
