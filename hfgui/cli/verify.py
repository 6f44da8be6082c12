"""``hfgui verify``: can these models be downloaded, and with which credentials?"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from hfgui.cli import context, output
from hfgui.core.errors import HfGuiError
from hfgui.core.library.access import AccessReport, TokenCheck, Verdict, check_access, check_token
from hfgui.core.library.catalog import CatalogEntry, load_catalog, parse_model_reference

HELP = "check that models are reachable and downloadable (public, private, gated) with your credentials"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    from hfgui.cli.main import add_global_options

    parser = subparsers.add_parser(
        "verify",
        help=HELP,
        description=HELP + ". With no REPO, every catalog model is checked. Exit status: 0 when every model"
        " is downloadable with the current credentials, 1 when some are not, 2 on usage errors.",
    )
    parser.add_argument(
        "repos",
        nargs="*",
        metavar="REPO",
        help="owner/name, a Hub URL or hf:// address (default: the catalog)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON array with one object per repository instead of the table",
    )
    add_global_options(parser, in_subcommand=True)
    return parser


@dataclass(frozen=True)
class _Target:
    repo_id: str
    revision: str
    files: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()


def _targets(args: argparse.Namespace) -> list[_Target]:
    """What to check: the repos named on the command line (validated before any request) or the catalog."""
    if args.repos:
        endpoint = context.endpoint(args)
        refs = [parse_model_reference(text, endpoint) for text in args.repos]
        known = _catalog_by_repo(required=False)
        targets = []
        for ref in refs:
            if ref.path:
                targets.append(_Target(ref.repo_id, ref.revision, (ref.path,)))
            elif (ref.repo_id, ref.revision) in known:
                targets.append(_target_for(known[ref.repo_id, ref.revision]))
            else:
                targets.append(_Target(ref.repo_id, ref.revision))
        return list(dict.fromkeys(targets))
    return [_target_for(entry) for entry in _catalog_by_repo(required=True).values()]


def _catalog_by_repo(*, required: bool) -> dict[tuple[str, str], CatalogEntry]:
    """The first catalog entry per (repo, revision): each repo is checked once."""
    try:
        entries = load_catalog(context.app_paths())
    except HfGuiError:
        if required:
            raise
        return {}  # naming repos explicitly still works with a broken catalog
    by_repo: dict[tuple[str, str], CatalogEntry] = {}
    for entry in entries:
        by_repo.setdefault((entry.repo, entry.revision), entry)
    return by_repo


def _target_for(entry: CatalogEntry) -> _Target:
    """Probe the entry's first file, or a file its folder / patterns select."""
    include, _ = entry.patterns()
    return _Target(entry.repo, entry.revision, entry.files, () if entry.files else include)


def run(args: argparse.Namespace) -> int:
    targets = _targets(args)  # a malformed id or URL: a usage error (2), reported before any request
    anon = context.client(args, anonymous=True)
    token = context.token(args)
    auth = context.client(args) if token is not None else None
    token_check = check_token(auth) if auth is not None else None

    reports = []
    for target in targets:
        reports.append(
            check_access(
                anon,
                auth,
                target.repo_id,
                revision=target.revision,
                files=target.files,
                patterns=target.patterns,
                token_check=token_check,
            )
        )
        if not args.json:
            _print_report(reports[-1])
    if args.json:
        output.print_json([r.to_dict() for r in reports])
    else:
        _print_summary(reports, token_check)
    return 0 if all(r.downloadable for r in reports) else 1


def _checks(report: AccessReport) -> list[tuple[bool | None, str]]:
    """Each line's mark says whether that fact lets the download happen with the credentials in use:
    never ✅ beside a condition that blocks it, nor ❌ beside one that is fine (a private repository
    your token reads)."""
    works = report.downloadable
    checks: list[tuple[bool | None, str]] = [(report.api_accessible, "Repository API accessible")]
    if report.private is None:
        checks.append((None, "Private or public: could not tell"))
    elif not report.private:
        checks.append((True, "Not private"))
    elif works:
        checks.append((True, "Private: your token can read it"))
    else:
        checks.append((False, "Private: needs a token that can read it"))
    if report.gated is None:
        checks.append((None, "Gated or not: could not tell"))
    elif not report.gated:
        checks.append((True, "Not gated"))
    elif works:
        checks.append((True, f"Gated ({report.gated}): access granted to your token"))
    else:
        checks.append((False, f"Gated ({report.gated}): license acceptance required"))
    if report.anonymous_download is None:
        checks.append((None, "Files downloadable without auth: not checked"))
    elif report.anonymous_download:
        checks.append((True, "Files downloadable without auth"))
    elif works:
        checks.append((True, "Files need a token (yours works)"))
    else:
        checks.append((False, "Files downloadable without auth"))
    if report.has_token:
        checks.append((report.token_download, f"Files downloadable with token ({report.token_source})"))
        checks.append((report.account is not None, f"Account: {report.account or 'token not accepted'}"))
    return checks


def verdict_text(report: AccessReport) -> str:
    """The verdict as shown beside its mark: a gate or a token that is no obstacle is not said as one
    (the JSON keeps the machine value)."""
    if report.downloadable and report.verdict is Verdict.LICENSE_REQUIRED:
        return "license accepted (gated)"
    if report.downloadable and report.verdict is Verdict.TOKEN_REQUIRED:
        return "token required (yours works)"
    return report.verdict.value


def _print_report(report: AccessReport) -> None:
    revision = "" if report.revision == "main" else f" @ {report.revision}"
    print(f"{report.repo_id}{revision}")
    for value, label in _checks(report):
        print(f"  {output.mark(value)} {label}")
    if report.probe_file:
        print(f"     file checked: {report.probe_file}")
    print(f"  Verdict: {verdict_text(report)}")
    print(f"  Next step: {report.next_step}")
    print()


def _print_summary(reports: list[AccessReport], token_check: TokenCheck | None) -> None:
    if token_check is None:
        print("Token: none (checked anonymously; set HF_TOKEN or add a token in Settings for private models)")
    elif token_check.valid:
        print(f"Token: from {token_check.source}, account {token_check.account.name}")  # type: ignore[union-attr]
    else:
        print(f"Token: from {token_check.source}, not usable: {token_check.error}")
    good = sum(r.downloadable for r in reports)
    rows = [(output.mark(r.downloadable), r.repo_id, verdict_text(r)) for r in reports]
    print(output.format_table(("", "Repository", "Verdict"), rows))
    print(f"{good} of {len(reports)} downloadable with the current credentials.")
    sys.stdout.flush()
