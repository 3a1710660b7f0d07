"""IAM plumbing shared by the services: grants that land in a policy of their own."""

from __future__ import annotations

from typing import cast

import jsii
from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import Construct


@jsii.implements(iam.IPrincipal)
class PolicyPrincipal:
    """``role`` as a principal whose identity-policy statements go to ``policy``, not its default policy.

    Resource policies see ``role`` itself. If ``role`` did not take ``policy`` (an immutable imported
    role), statements go to ``role`` as they would without this wrapper, so it decides what happens
    to them (e.g. ``add_grants_to_resources``).
    """

    def __init__(self, role: iam.IRole, policy: iam.Policy) -> None:
        self._role = role
        self._policy = policy
        # The Policy renders its Roles from the roles it is attached to: None if there are none.
        roles = Stack.of(policy).resolve(cast(iam.CfnPolicy, policy.node.default_child).roles)
        self._attached = bool(roles)

    @property
    def grant_principal(self) -> iam.IPrincipal:
        return self

    @property
    def assume_role_action(self) -> str:
        return self._role.grant_principal.assume_role_action

    @property
    def policy_fragment(self) -> iam.PrincipalPolicyFragment:
        return self._role.grant_principal.policy_fragment

    @property
    def principal_account(self) -> str | None:
        return self._role.grant_principal.principal_account

    def add_to_policy(self, statement: iam.PolicyStatement) -> bool:
        return self.add_to_principal_policy(statement).statement_added

    def add_to_principal_policy(self, statement: iam.PolicyStatement) -> iam.AddToPrincipalPolicyResult:
        if not self._attached:
            return self._role.add_to_principal_policy(statement)
        self._policy.add_statements(statement)
        return iam.AddToPrincipalPolicyResult(statement_added=True, policy_dependable=self._policy)


def secrets_reader(scope: Construct, role: iam.IRole, service: Construct) -> iam.IGrantable:
    """``role`` as a grantee whose statements land in the policy ``SecretsPolicy`` under ``scope``,
    which ``service`` is created after.

    The platform resolves the secrets when the first instance or task starts, while the
    service is created. Only this policy: the role's default policy may hold statements that
    reference the service (its ARN), and depending on it would then be a cycle.
    """
    policy = iam.Policy(scope, "SecretsPolicy")
    # Through the role, so an immutable imported role is left alone (the policy is then not rendered).
    role.attach_inline_policy(policy)
    service.node.add_dependency(policy)
    return PolicyPrincipal(role, policy)
