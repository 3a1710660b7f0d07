"""Print one line per stack of a synthesized cloud assembly: name, resources, template.

``make synth`` runs it after ``cdk synth``; usage: ``python -m tools.synth_summary [cdk.out]``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def summarize(assembly_dir: Path) -> list[tuple[str, int, Path]]:
    manifest = json.loads((assembly_dir / "manifest.json").read_text())
    rows = []
    for artifact in manifest.get("artifacts", {}).values():
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        template_path = assembly_dir / artifact["properties"]["templateFile"]
        template = json.loads(template_path.read_text())
        name = artifact.get("displayName") or artifact["properties"].get("stackName", template_path.stem)
        rows.append((name, len(template.get("Resources", {})), template_path))
    return rows


def main(argv: list[str]) -> int:
    assembly_dir = Path(argv[0] if argv else "cdk.out")
    rows = summarize(assembly_dir)
    if not rows:
        print(f"no stacks in {assembly_dir}", file=sys.stderr)
        return 1
    width = max(len(name) for name, _, _ in rows)
    print(f"{'stack':<{width}}  resources  template")
    for name, count, path in rows:
        print(f"{name:<{width}}  {count:>9}  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
