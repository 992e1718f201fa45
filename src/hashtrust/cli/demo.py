"""The main job as a command."""

from __future__ import annotations

from pathlib import Path

import click

from hashtrust.cli.context import Ctx


@click.command()
@click.option("--no-progress", is_flag=True)
@click.option("--out-dir", type=click.Path(file_okay=False), default=None, help="where the report and plots go (default: reports/)")
@click.pass_obj
def demo(obj: Ctx, no_progress: bool, out_dir: str | None) -> None:
    """Run the main job on the connected chain (see README): deploy, agents, ratings, vault, report."""
    from hashtrust.chain.devnet import require_devnet
    from hashtrust.demo.run import run_demo

    require_devnet(obj.w3, "the demo")  # before any signer is chosen: the reason is the demo itself
    run_demo(obj.w3, obj.sender(), obj.book(), echo=click.echo, progress=not no_progress, out_dir=Path(out_dir) if out_dir else None)
