"""How cdk-nag prints a resource in a finding id, so an acknowledgement can name it exactly."""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack


def printed_resource(stack: Stack, value: str) -> str | None:
    """``value`` the way cdk-nag prints it in a finding id (``arn:<AWS::Partition>:...``).

    Mirrors cdk-nag's ``flattenCfnReference`` for the intrinsics it renders by name; None for
    any other intrinsic, which cdk-nag prints as JSON we do not try to reproduce.
    """
    return _flatten(stack.resolve(value))


def _flatten(node: Any) -> str | None:
    if isinstance(node, str):
        # cdk-nag shows Fn::Sub's ${...} as <...>, and does so for every string.
        return node.replace("${", "<").replace("}", ">")
    if not isinstance(node, dict) or len(node) != 1:
        return None
    [(function, argument)] = node.items()
    if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
        if not isinstance(argument[1], list):
            return None
        parts = [_flatten(item) for item in argument[1]]
        return None if None in parts else str(argument[0]).join(str(part) for part in parts)
    if function in ("Fn::Sub", "Fn::ImportValue"):
        # Fn::Sub with a variable map is a list, which cdk-nag prints as JSON.
        return None if isinstance(argument, list) else _flatten(argument)
    if function == "Ref":
        inner = _flatten(argument)
        return None if inner is None else f"<{inner}>"
    if function == "Fn::GetAtt" and isinstance(argument, list) and len(argument) == 2:
        parts = [_flatten(part) for part in argument]
        return None if None in parts else f"<{'.'.join(str(part) for part in parts)}>"
    return None
