"""Runtime secrets: environment variables App Runner resolves from Secrets Manager or SSM."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ssm as ssm

from constructs_lib._validation import check_interface, check_type


@dataclass(frozen=True)
class Secret:
    """A secret App Runner injects as an environment variable when an instance starts.

    The template holds only the secret's ARN, never its value. Build with
    ``Secret.from_secrets_manager`` or ``Secret.from_ssm_parameter``.
    """

    arn: str
    _secret: secretsmanager.ISecret | None = None
    _parameter: ssm.IParameter | None = None

    @staticmethod
    def from_secrets_manager(secret: secretsmanager.ISecret, field: str | None = None) -> Secret:
        """A Secrets Manager secret, or one ``field`` of a JSON secret.

        :param secret: the secret; the service's instance role gets read access to exactly it
            (and decrypt on its KMS key, if it has one).
        :param field: JSON key to extract; non-empty and without ``:`` (which separates the parts
            of App Runner's ``<arn>:<json-key>::`` reference). Default: None (the whole secret string).
        """
        check_interface(
            "secret",
            secret,
            "secret_arn",
            "a secretsmanager.ISecret (secretsmanager.Secret(...) or one imported)",
        )
        check_type("field", field, str, "a str")
        if field is not None and not Token.is_unresolved(field):
            if not field:
                raise ValueError(f"`field` must be a non-empty JSON key or None, got {field!r}")
            if ":" in field:
                raise ValueError(
                    "`field` must not contain ':' (it separates the parts of the reference "
                    f"<arn>:<json-key>::), got {field!r}"
                )
        # App Runner's "<arn>:<json-key>::" form: version stage and id default to AWSCURRENT.
        arn = secret.secret_arn if field is None else f"{secret.secret_arn}:{field}::"
        return Secret(arn=arn, _secret=secret)

    @staticmethod
    def from_ssm_parameter(parameter: ssm.IParameter) -> Secret:
        """An SSM Parameter Store parameter (String or SecureString).

        :param parameter: the parameter; the service's instance role gets read access to exactly it.
        """
        check_interface("parameter", parameter, "parameter_arn", "an ssm.IParameter", required=True)
        return Secret(arn=parameter.parameter_arn, _parameter=parameter)

    def grant_read(self, grantee: iam.IGrantable) -> None:
        """Allow ``grantee`` to read exactly this secret or parameter."""
        if self._secret is not None:
            self._secret.grant_read(grantee)
        if self._parameter is not None:
            self._parameter.grant_read(grantee)
