"""Stack registry: ``cdk/app.py`` instantiates each, and the test harness gates each.

Adding a stack here is the one line that puts it in ``make synth`` and under every
test gate (cdk-nag, cfn-lint, secret scan, snapshot).
"""

from __future__ import annotations

from cdk.shared.app_stack import AppStack
from cdk.stacks.chaos import ChaosStack
from cdk.stacks.shortener import ShortenerStack
from cdk.stacks.todo_postgres import TodoPostgresStack
from cdk.stacks.users_redis import UsersRedisStack

STACKS: dict[str, type[AppStack]] = {
    "ShortenerStack": ShortenerStack,
    "UsersRedisStack": UsersRedisStack,
    "TodoPostgresStack": TodoPostgresStack,
    "ChaosStack": ChaosStack,
}
