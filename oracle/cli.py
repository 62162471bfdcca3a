"""``python -m oracle``: the command line over oracle.pipeline (every command has a function behind it).

    python -m oracle [--config oracle.toml] [--rpc-url URL] [-v] COMMAND ...

    ingest   [--installation ID ...]         read new readings (files once, by content hash), check, store
    check    --input FILE --capacity-w W --lat LAT --lon LON [--tz TZ] [--station FILE] --out OUT.csv
    review   list [--installation ID] | show ID DATE | approve ID WHEN [--to WHEN] --reviewer R --reason TEXT
             | reject ID WHEN [--to WHEN] --reviewer R --reason TEXT
    build    [--dry-run]                      the next round from the store and the chain's watermarks
    sign                                      the operator's signature on the round in flight
    cosign   ROUND_FILE [--out FILE]          the verifier re-checks a round file and signs it
    submit   [--round-file FILE]              send the round (signatures from the store and the file)
    claim    [--batch-size N]                 issue the certificates of the submitted round
    run      [--dry-run]                      the cron job: ingest, build, sign, submit, claim
    status                                    what waits, and why
    export   [--out DIR]                      the CADT registry ledger of the chain
    serve    [--host H] [--port P] [--public-rpc-url URL]   the web dashboard (oracle/web)

Exit codes: 0 ok; 1 done, with intervals pending review (or check: some flagged; cosign: refused);
2 bad configuration or input (or another run holds the lock); 3 chain or network error.
Errors are one line on stderr, never a traceback; keys and passwords are never printed.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from oracle.errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_PENDING, ConfigError, OracleError
from oracle.timeutil import DAY_S, INTERVAL_S, iso_utc, iso_utc_minute, parse_utc

DEFAULT_CONFIG = "oracle.toml"
log = logging.getLogger("oracle")


def _parser() -> argparse.ArgumentParser:
    from oracle.check import add_check_arguments

    parser = argparse.ArgumentParser(prog="python -m oracle", description="PV Ledger oracle: readings to certified generation.",
                                     epilog="Exit codes: 0 ok, 1 pending review / flagged / refused, 2 bad config or input, "
                                            "3 chain or network error.")
    parser.add_argument("--config", default=os.environ.get("ORACLE_CONFIG", DEFAULT_CONFIG),
                        help="TOML config (default $ORACLE_CONFIG or ./oracle.toml)")
    parser.add_argument("--rpc-url", help="override the config's network.rpc_url")
    parser.add_argument("--now", help=argparse.SUPPRESS)  # ISO time standing in for the clock (tests, demos)
    parser.add_argument("-v", "--verbose", action="store_true", help="log each step to stderr")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("ingest", help="read new readings, check them, store them")
    p.add_argument("--installation", type=int, action="append", help="only this installation (repeatable)")
    add_check_arguments(commands.add_parser("check", help="check one file (no chain, no store); write a CSV of intervals and flags"))

    review = commands.add_parser("review", help="the review queue of flagged intervals").add_subparsers(
        dest="review_command", required=True, metavar="ACTION")
    p = review.add_parser("list", help="intervals pending review, per installation and day")
    p.add_argument("--installation", type=int)
    p = review.add_parser("show", help="every interval of one installation's UTC day, with flags and decisions")
    p.add_argument("installation", type=int)
    p.add_argument("date", help="UTC date, e.g. 2026-03-01")
    for action in ("approve", "reject"):
        p = review.add_parser(action, help=f"{action} pending intervals (one, a range, or a whole UTC day)")
        p.add_argument("installation", type=int)
        p.add_argument("when", help="an interval start (2026-03-01T12:15Z) or a UTC date (the whole day)")
        p.add_argument("--to", help="last interval start of a range (inclusive)")
        p.add_argument("--reviewer", required=True, help="who decides (recorded)")
        p.add_argument("--reason", required=True, help="why (recorded, shown in the round file)")

    p = commands.add_parser("build", help="build the next round file from the store and the chain")
    p.add_argument("--dry-run", action="store_true", help="plan and print, write nothing")
    commands.add_parser("sign", help="sign the round in flight with the operator's signer key")
    p = commands.add_parser("cosign", help="(verifier) re-check a round file and add your signature")
    p.add_argument("round_file", type=Path)
    p.add_argument("--out", type=Path, help="write the signed file here (default: in place)")
    p = commands.add_parser("submit", help="submit the round in flight")
    p.add_argument("--round-file", type=Path, help="the round file with the verifier's signature (default: the built one)")
    p = commands.add_parser("claim", help="issue the certificates of the submitted round")
    p.add_argument("--batch-size", type=int, default=100)
    p = commands.add_parser("run", help="the cron job: ingest, build, sign, submit, claim")
    p.add_argument("--dry-run", action="store_true", help="ingest nothing, send nothing: show what would happen")
    commands.add_parser("status", help="rounds, reviews and what waits, and why")
    p = commands.add_parser("export", help="write the CADT registry ledger")
    p.add_argument("--out", type=Path, help="output folder (default <data_dir>/exports/<chain-id>)")
    p = commands.add_parser("serve", help="the web dashboard: public explorer, review queue, operator console")
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--public-rpc-url", help="the RPC URL browsers verify certificates against (default: network.rpc_url)")
    p.add_argument("--session-hours", type=float, default=8.0, help="sign-in sessions expire after this long (default 8)")
    return parser


def _now(args: argparse.Namespace) -> int:
    import time

    if args.now:
        try:
            return parse_utc(args.now)
        except ValueError as exc:
            raise ConfigError(f"--now: {exc}") from None
    return int(time.time())


def _when(text: str, what: str) -> int:
    try:
        value = parse_utc(text)
    except ValueError as exc:
        raise ConfigError(f"{what} {text!r}: {exc} (use 2026-03-01 or 2026-03-01T12:15Z)") from None
    if value % INTERVAL_S:
        raise ConfigError(f"{what} {text!r} is not the start of a 15-minute interval")
    return value


# -- commands --------------------------------------------------------------------------------------

def cmd_ingest(args: argparse.Namespace, config, store) -> int:  # noqa: ANN001
    from oracle.pipeline import ingest

    report = ingest(store, config, _now(args), args.installation, say=print)
    print(f"ingest: {report.files} new file(s), {report.skipped_files} seen before, {report.intervals} interval(s) stored, "
          f"{report.flagged} flagged for review, {report.conflicts} conflict(s) with certified intervals left out")
    if report.failed:
        print(f"ingest: {len(report.failed)} file(s) could not be read (see above); they are remembered and skipped")
        return EXIT_BAD_INPUT
    return EXIT_PENDING if len(store.pending()) else EXIT_OK


def _review_list(store, installation: int | None) -> int:  # noqa: ANN001
    from oracle.review import pending_days

    days = pending_days(store, installation)
    if not days:
        print("review: nothing pending")
        return EXIT_OK
    for day in days:
        print(f"installation {day.installation_id}  {iso_utc(day.day_s)[:10]}  {day.intervals:3d} interval(s)  "
              f"{day.energy_wh:10.1f} Wh  {', '.join(day.flags)}")
    print(f"review: {sum(d.intervals for d in days)} interval(s) pending; `review show ID DATE` for details")
    return EXIT_PENDING


def _review_show(store, installation: int, date: str) -> int:  # noqa: ANN001
    from oracle.review import day_detail

    day = _when(date, "date")
    rows, reviews = day_detail(store, installation, day)
    if rows.empty:
        print(f"installation {installation}: no intervals stored for {date}")
        return EXIT_OK
    print(f"installation {installation}, {date} (UTC): {len(rows)} interval(s), {rows['energy_wh'].sum():.1f} Wh")
    for start, wh, cov, flags, status, _ in rows.itertuples(index=False):
        if not flags and status == "accepted":
            continue
        review = reviews.get(int(start))
        note = f"  by {review['reviewer']}: {review['reason']}" if review else ""
        print(f"  {iso_utc_minute(int(start))}  {wh:9.1f} Wh  coverage {cov:4.2f}  {status:8s}  {flags}{note}")
    accepted = int(((rows["flags"] == "") & (rows["status"] == "accepted")).sum())
    print(f"  ({accepted} accepted interval(s) without flags not shown)")
    return EXIT_OK


def _review_decide(store, args: argparse.Namespace) -> int:  # noqa: ANN001
    from oracle.review import DECISIONS, decide

    first = _when(args.when, "when")
    whole_day = len(args.when) == 10
    last = first + DAY_S - INTERVAL_S if whole_day else (_when(args.to, "--to") if args.to else first)
    changed = decide(store, args.installation, first, last, args.review_command, args.reviewer, args.reason)
    print(f"review: {changed} interval(s) of installation {args.installation} {DECISIONS[args.review_command]} by {args.reviewer}")
    return EXIT_OK


def cmd_review(args: argparse.Namespace, config, store) -> int:  # noqa: ANN001
    if args.review_command == "list":
        return _review_list(store, args.installation)
    if args.review_command == "show":
        return _review_show(store, args.installation, args.date)
    return _review_decide(store, args)


def _print_holds(holds) -> None:  # noqa: ANN001
    for hold in holds:
        print(f"  waits: {hold}")


def _no_round(result, store) -> str:  # noqa: ANN001
    """Why a build made no round: nothing ready, or the review it waits for (rounds.wait_for_review)."""
    if result.waits_for_review:
        return f"no round while {len(store.pending())} interval(s) wait for review (rounds.wait_for_review)"
    return "nothing to certify yet"


def cmd_build(args: argparse.Namespace, config, store) -> int:  # noqa: ANN001
    from oracle.pipeline import build, open_chain

    result = build(store, config, open_chain(config), _now(args), dry_run=args.dry_run)
    if result.excluded_by_policy:
        print(f"build: {result.excluded_by_policy} interval(s) pending too long excluded (review.exclude_after_days)")
    if result.in_flight:
        print(f"build: round {result.round_id} is still in flight ({result.path}): submit and claim it first")
    elif result.round_id is None:
        print(f"build: {_no_round(result, store)}")
    else:
        verb = "would build" if args.dry_run else "built"
        print(f"build: {verb} round {result.round_id}: {result.leaves} leaf(s), {result.energy_wh:,} Wh"
              + (f" -> {result.path}" if result.path else ""))
    _print_holds(result.holds)
    return EXIT_PENDING if len(store.pending()) else EXIT_OK


def cmd_sign(args: argparse.Namespace, config, store) -> int:  # noqa: ANN001
    from oracle.pipeline import account_of, sign

    row = store.open_round()
    if row is None:
        print("sign: no round in flight")
        return EXIT_OK
    signer = sign(store, row.round_id, account_of(config.signer, "the round signer"))
    print(f"sign: round {row.round_id} signed by {signer} -> {row.file}")
    return EXIT_OK


def cmd_cosign(args: argparse.Namespace, config, store) -> int:  # noqa: ANN001
    from oracle.chain.manifest import load_manifest
    from oracle.cosign import cosign
    from oracle.pipeline import account_of

    oracle_address = load_manifest(config.manifest).entry("GenerationOracle").address
    result = cosign(args.round_file, config, account_of(config.signer, "the verifier's signer"), oracle_address, args.out)
    if result.problems:
        print(f"cosign: refused {args.round_file} ({len(result.problems)} problem(s)):", file=sys.stderr)
        for problem in result.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_PENDING
    print(f"cosign: {args.round_file} checked and signed by {result.signer} -> {result.written}")
    return EXIT_OK


def cmd_submit(args: argparse.Namespace, config, store) -> int:  # noqa: ANN001
    from oracle.pipeline import open_chain, submit

    outcome = submit(store, config, open_chain(config), args.round_file)
    if outcome is None:
        print("submit: no round in flight")
    else:
        print(f"submit: round {outcome.round_id} {outcome.status}" + (f" (tx {outcome.tx_hash})" if outcome.tx_hash else ""))
    return EXIT_OK


def cmd_claim(args: argparse.Namespace, config, store) -> int:  # noqa: ANN001
    from oracle.pipeline import claim, open_chain

    if args.batch_size < 1:
        raise ConfigError(f"--batch-size must be at least 1, got {args.batch_size}")
    outcome = claim(store, config, open_chain(config), args.batch_size, say=lambda line: print(f"  {line}"))
    if outcome is None:
        print("claim: no submitted round to claim")
    else:
        print(f"claim: round {outcome.round_id} was revoked on chain: nothing of it issues; its days go into the next round"
              if outcome.revoked else
              f"claim: round {outcome.round_id}: {outcome.issued} certificate(s) issued, {outcome.energy_wh:,} Wh")
    return EXIT_OK


def _finish_round(store, config, chain) -> None:  # noqa: ANN001
    """Take the round in flight as far as it goes: sign, merge a cosigned copy, submit, claim."""
    from oracle.chain.reads import signer_set
    from oracle.pipeline import account_of, claim, merge_signatures, sign, submit
    from oracle.roundfile import load_round_file

    row = store.open_round()
    if row is None:
        return
    if row.status == "built":
        sign(store, row.round_id, account_of(config.signer, "the round signer"))
        print(f"run: signed round {row.round_id}")
    cosigned = config.cosigned_dir / row.file.name
    if cosigned.exists():
        added = merge_signatures(store, row.round_id, load_round_file(cosigned))
        if added:
            print(f"run: round {row.round_id}: signature(s) of {', '.join(added)} from {cosigned}")
    if row.status != "confirmed":
        signers, quorum = signer_set(chain)
        valid = [s for s in store.signatures(row.round_id) if s in signers]
        if len(valid) < quorum:
            print(f"run: round {row.round_id} has {len(valid)} of {quorum} signatures: it waits for the verifier "
                  f"(`oracle cosign {row.file}`, the signed copy in {config.cosigned_dir})")
            return
        outcome = submit(store, config, chain)
        if outcome is not None:
            print(f"run: round {outcome.round_id} {outcome.status}")
    claimed = claim(store, config, chain, say=lambda line: print(f"  {line}"))
    if claimed is not None and claimed.revoked:
        print(f"run: round {claimed.round_id} was revoked on chain: its days go into the next round")
    elif claimed is not None:
        print(f"run: round {claimed.round_id}: {claimed.issued} certificate(s) issued, {claimed.energy_wh:,} Wh")


def cmd_run(args: argparse.Namespace, config, store) -> int:  # noqa: ANN001
    """The cron job: finish a round left in flight (a crashed or waiting run resumes there), then
    ingest, build the next round and take it as far as it goes."""
    from oracle.pipeline import build, ingest, open_chain

    now_s = _now(args)
    chain = open_chain(config)
    if args.dry_run:
        result = build(store, config, chain, now_s, dry_run=True)
        if result.in_flight:
            print(f"run (dry): round {result.round_id} is in flight")
        elif result.round_id is None:
            print(f"run (dry): {_no_round(result, store)}")
        else:
            print(f"run (dry): would build round {result.round_id}: {result.leaves} leaf(s), {result.energy_wh:,} Wh")
        _print_holds(result.holds)
        return EXIT_PENDING if len(store.pending()) else EXIT_OK
    _finish_round(store, config, chain)
    report = ingest(store, config, now_s, say=print)
    print(f"run: ingested {report.intervals} interval(s) ({report.flagged} flagged) from {report.files} new file(s)")
    if store.open_round() is None:
        result = build(store, config, chain, now_s)
        _print_holds(result.holds)
        if result.round_id is None:
            print(f"run: {_no_round(result, store)}")
        else:
            print(f"run: built round {result.round_id}: {result.leaves} leaf(s), {result.energy_wh:,} Wh")
            _finish_round(store, config, chain)
    if report.failed:
        return EXIT_BAD_INPUT
    return EXIT_PENDING if len(store.pending()) else EXIT_OK


def cmd_status(args: argparse.Namespace, config, store) -> int:  # noqa: ANN001
    from oracle.errors import ChainError
    from oracle.pipeline import build, open_chain

    for row in store.rounds()[-5:]:
        print(f"round {row.round_id}: {row.status}, {row.leaf_count} leaf(s), {row.total_energy_wh:,} Wh, "
              f"{iso_utc_minute(row.period_start)} to {iso_utc_minute(row.period_end)}")
    counts = store.counts()
    for installation_id in sorted(config.installations):
        c = counts.get(installation_id, {})
        print(f"installation {installation_id}: " + (", ".join(f"{n} {s}" for s, n in sorted(c.items())) or "no intervals"))
    try:
        result = build(store, config, open_chain(config), _now(args), dry_run=True)
    except ChainError as exc:
        print(f"status: chain not reachable ({exc}): what waits is not known")
        return EXIT_PENDING if len(store.pending()) else EXIT_OK
    _print_holds(result.holds)
    if not result.holds and not result.in_flight:
        print("status: nothing waits")
    return EXIT_PENDING if len(store.pending()) else EXIT_OK


def cmd_export(args: argparse.Namespace, config, store) -> int:  # noqa: ANN001
    from oracle.pipeline import open_chain
    from oracle.registry import export_ledger, summary_table

    chain = open_chain(config)
    out = args.out or config.data_dir / "exports" / str(chain.chain_id)
    export = export_ledger(chain, out)
    print(summary_table(export))
    print(f"export: {len(export.projects)} project(s), {len(export.issuances)} issuance(s), {len(export.units)} unit "
          f"block(s) -> {out}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace, config, store) -> int:  # noqa: ANN001
    from oracle.web.server import serve

    return serve(config, host=args.host, port=args.port, public_rpc_url=args.public_rpc_url,
                 session_max_age_s=int(args.session_hours * 3600))


COMMANDS = {"ingest": cmd_ingest, "review": cmd_review, "build": cmd_build, "sign": cmd_sign, "cosign": cmd_cosign,
            "submit": cmd_submit, "claim": cmd_claim, "run": cmd_run, "status": cmd_status, "export": cmd_export,
            "serve": cmd_serve}
LOCKED = {"ingest", "review", "build", "sign", "submit", "claim", "run"}
NO_STORE = {"cosign", "export", "serve"}


def run_command(args: argparse.Namespace) -> int:
    if args.command == "check":
        from oracle.check import run_check_command

        return run_check_command(args)
    from oracle.config import load_config
    from oracle.lock import run_lock
    from oracle.store import open_store

    config = load_config(args.config, args.rpc_url)
    if args.command in NO_STORE:
        return COMMANDS[args.command](args, config, None)
    if args.command in LOCKED:
        with run_lock(config.lock_path):
            store = open_store(config.store_path)
            try:
                return COMMANDS[args.command](args, config, store)
            finally:
                store.close()
    store = open_store(config.store_path)
    try:
        return COMMANDS[args.command](args, config, store)
    finally:
        store.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return run_command(args)
    except OracleError as exc:
        print(f"oracle {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"oracle {args.command}: interrupted; rerun to resume", file=sys.stderr)
        return 130
