"""Command line: `flask --app backend <group> <command>`."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

divisions_cli = AppGroup("divisions", help="Townships and villages from the division files.")
demo_cli = AppGroup("demo", help="The demo county (沂水县).")
routing_cli = AppGroup("routing", help="Ticket routing.")
tickets_cli = AppGroup("tickets", help="Tickets: the deadline sweep, 回头看, the consistency check.")


@divisions_cli.command("import")
@click.argument("county_code")
@click.option("--source", type=click.Path(path_type=Path), default=Path("../shared/data/divisions"),
              show_default=True, help="Folder with areas.csv, streets.csv(.gz), villages.csv(.gz).")
def import_divisions(county_code, source):
    """Import (or update) one county's townships and villages."""
    from .services.divisions import DivisionsError, import_county

    def bar(rows):
        with click.progressbar(rows, label=f"Importing {county_code}", show_pos=True) as items:
            yield from items
    try:
        click.echo(f"Reading {source} …")
        result = import_county(source, county_code, progress=bar)
    except DivisionsError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"{result['county_name']} ({county_code}): {result['townships']} townships, "
               f"{result['villages']} villages imported or updated.")


def print_accounts(summary: dict, password: str) -> None:
    click.echo(f"Demo county {summary['county_name']} ({summary['county_code']}): "
               f"{summary['townships']} townships, {summary['villages']} villages, "
               f"{summary['departments']} departments, {summary['rules']} routing rules, "
               f"{summary['tasks']} inspection tasks.")
    click.echo(f"Demo accounts (password: {password}):")
    for username, role, department in summary["users"]:
        click.echo(f"  {username:<32} {role:<11} {department or ''}")


@demo_cli.command("load")
def load_demo():
    """Load the demo county, its departments, rules, users and tasks (idempotent)."""
    from .services import demo
    password = current_app.config["DEMO_PASSWORD"]
    print_accounts(demo.load(password), password)


@demo_cli.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=None, type=int, help="Default: $PORT or 5000.")
def run_demo(host, port):
    """Load the demo county, start the jobs and serve the API with gunicorn (`make demo`)."""
    from .serving import run_demo as serve_demo
    serve_demo(host, port)


@routing_cli.command("sweep")
def sweep():
    """Enqueue routing again for tickets left pending_routing."""
    from workers.jobs import sweep_pending_routing
    click.echo(f"{sweep_pending_routing()} tickets enqueued for routing.")


@tickets_cli.command("check")
@click.option("--county", default=None, help="Only this county (6-digit code).")
def check_tickets(county):
    """Check every ticket's state against its event log; exit 1 if any disagrees."""
    from .services.consistency import check
    bad = 0
    for number, problems in check(county):
        bad += 1
        for problem in problems:
            click.echo(f"{number}: {problem}")
    click.echo(f"{bad} tickets with problems.")
    if bad:
        raise SystemExit(1)


@tickets_cli.command("sweep")
@click.option("--now", default=None, help="Pretend it is this moment (ISO, with a timezone).")
def sweep_deadlines(now):
    """Send due reminders (催办), flag overdue tickets and escalate (督办), each once."""
    from workers.jobs import sweep_deadlines as job
    counts = job(now)
    click.echo(", ".join(f"{stage}: {n}" for stage, n in counts.items()))


@tickets_cli.command("lookback")
@click.option("--now", default=None, help="Pretend it is this moment (ISO, with a timezone).")
def lookback(now):
    """回头看: sample closed tickets and create re-inspection tasks."""
    from workers.jobs import sample_lookback
    click.echo(f"{len(sample_lookback(now))} re-inspection tasks created.")


stats_cli = AppGroup("stats", help="The office's counters (pre-aggregated rates).")


@stats_cli.command("rebuild")
@click.option("--county", default=None, help="One county code; default: all counties.")
def rebuild_counters(county):
    """Recompute the counters from the tickets and replace them (run it when no ticket changes)."""
    import time

    from .services import counters
    started = time.perf_counter()
    result = counters.rebuild(county)
    click.echo(f"Counters rebuilt: {result['days']} county-days of {result['counties']} counties "
               f"in {time.perf_counter() - started:.1f} s.")


@stats_cli.command("check")
@click.option("--county", default=None, help="One county code; default: all counties.")
def check_counters(county):
    """Compare the live counters with counters rebuilt from the tickets; exit 1 on a difference."""
    from .services import counters
    problems = counters.check(county)
    for line in problems[:100]:
        click.echo(line)
    if problems:
        raise click.ClickException(f"{len(problems)} differences; `flask stats rebuild` fixes them.")
    click.echo("Counters match the tickets.")


clocks_cli = AppGroup("clocks", help="The reply clocks of clues, suggestions and rectification.")


@clocks_cli.command("sweep")
@click.option("--now", default=None, help="Pretend it is this moment (ISO, with a timezone).")
def sweep_reply_clocks(now):
    """催办, 超期 and 督办 of clues' feedback, suggestions' replies and rectification problems;
    late plans and reports of the inspected units; each stage once per deadline."""
    from workers.jobs import sweep_reply_clocks as job
    for kind, counts in job(now).items():
        click.echo(f"{kind}: " + ", ".join(f"{stage}: {n}" for stage, n in counts.items()))


followups_cli = AppGroup("followups", help="Clues, suggestions, accountability: their figures.")


@followups_cli.command("check")
@click.option("--county", default=None, help="One county code; default: all counties.")
def check_followups(county):
    """Compare the figures of clues, suggestions and accountability with recomputed ones."""
    from .services import accountability, clues, suggestions
    problems = [p for tallies in (clues.TALLIES, suggestions.TALLIES, accountability.TALLIES)
                for p in tallies.check(county)]
    for line in problems[:100]:
        click.echo(line)
    if problems:
        raise click.ClickException(f"{len(problems)} differences; `flask followups rebuild` fixes them.")
    click.echo("Figures match the clues, suggestions and decisions.")


@followups_cli.command("rebuild")
@click.option("--county", default=None, help="One county code; default: all counties.")
def rebuild_followups(county):
    """Recompute the figures of clues, suggestions and accountability and replace them."""
    from .services import accountability, clues, suggestions
    for tallies in (clues.TALLIES, suggestions.TALLIES, accountability.TALLIES):
        click.echo(f"{tallies.kind}: {tallies.rebuild(county)} counties")


rounds_cli = AppGroup("rounds", help="Inspection rounds and their rectification (issue 11).")


@rounds_cli.command("check")
@click.option("--county", default=None, help="One county code; default: all counties.")
def check_rounds(county):
    """The round counters against the problems, and every round, 底稿 entry, rectification and
    problem against its event log; exit 1 on a difference."""
    from .services import rectification_counters
    from .services.consistency import check_rounds as lifecycle
    problems = rectification_counters.check(county)
    for label, found in lifecycle(county):
        problems += [f"{label}: {p}" for p in found]
    for line in problems[:100]:
        click.echo(line)
    if problems:
        raise click.ClickException(f"{len(problems)} differences; `flask rounds rebuild` fixes the counters.")
    click.echo("Round counters match the problems; every event log agrees.")


@rounds_cli.command("rebuild")
@click.option("--county", default=None, help="One county code; default: all counties.")
def rebuild_rounds(county):
    """Recompute the round counters from the problems (run it when no problem changes)."""
    from .services import rectification_counters
    click.echo(f"Round counters rebuilt: {rectification_counters.rebuild(county)} rounds.")


backup_cli = AppGroup("backup", help="Backups in mongodump's directory layout (production: deploy/backup.sh).")


@backup_cli.command("dump")
@click.argument("out_dir", type=click.Path(path_type=Path))
def backup_dump(out_dir):
    """Write every collection of the database to OUT_DIR/<database>/ (bson.gz + metadata.json)."""
    import mongoengine

    from .services import backup
    counts = backup.dump(mongoengine.get_db(), out_dir)
    click.echo(f"{sum(counts.values())} documents in {len(counts)} collections written to {out_dir}.")


@backup_cli.command("restore")
@click.argument("dump_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--drop", is_flag=True, help="Empty each collection first.")
def backup_restore(dump_dir, drop):
    """Load DUMP_DIR (one database's folder of a dump, ours or mongodump's) into the database."""
    import mongoengine

    from .services import backup
    try:
        counts = backup.restore(mongoengine.get_db(), dump_dir, drop=drop)
    except ValueError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"{sum(counts.values())} documents in {len(counts)} collections restored; "
               "now run `flask stats check` and `flask tickets check`.")


def register(app) -> None:
    for group in (divisions_cli, demo_cli, routing_cli, tickets_cli, stats_cli, clocks_cli, followups_cli,
                  rounds_cli, backup_cli):
        app.cli.add_command(group)
