"""Where an App Runner service gets its code: a local Dockerfile, ECR, ECR Public or a Git repository."""

from __future__ import annotations

import abc
import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from aws_cdk import Acknowledgment, IgnoreMode, Token, Validations
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_iam as iam
from constructs import Construct

from constructs_lib._validation import check_command, check_interface, check_text, check_type

_ACCESS_ROLE_PRINCIPAL = "build.apprunner.amazonaws.com"
_ECR_PUBLIC_IMAGE = re.compile(r"public\.ecr\.aws/.+/.+")
_RUNTIME_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
# ecr.Repository.grant_pull's repository actions.
_PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
# What App Runner's automatic deployments call to notice a pushed image: without it they never
# fire (aws/aws-cdk#26640, fixed in aws-apprunner-alpha by aws/aws-cdk#30630).
_WATCH_ACTIONS = ["ecr:DescribeImages"]


class ConfigurationSource(enum.Enum):
    """Where App Runner reads a code repository's build and run settings from."""

    #: From the construct's props (``runtime``, ``build_command``, ``start_command``, env, secrets, port).
    API = "API"
    #: From ``apprunner.yaml`` in the repository; the construct passes no configuration values.
    REPOSITORY = "REPOSITORY"


class Runtime:
    """An App Runner managed runtime for code repository sources, e.g. ``Runtime.PYTHON_311``."""

    PYTHON_3: ClassVar[Runtime]
    PYTHON_311: ClassVar[Runtime]
    NODEJS_18: ClassVar[Runtime]
    NODEJS_22: ClassVar[Runtime]
    CORRETTO_11: ClassVar[Runtime]
    GO_1: ClassVar[Runtime]
    DOTNET_6: ClassVar[Runtime]
    PHP_81: ClassVar[Runtime]
    RUBY_31: ClassVar[Runtime]

    def __init__(self, name: str) -> None:
        if not Token.is_unresolved(name) and not _RUNTIME_NAME.fullmatch(name):
            raise ValueError(f"`runtime` must be an App Runner runtime name such as PYTHON_311, got {name!r}")
        self.name = name

    @staticmethod
    def of(name: str) -> Runtime:
        """A runtime by App Runner name, for runtimes newer than this library's constants."""
        return Runtime(name)

    def __repr__(self) -> str:
        return f"Runtime({self.name!r})"


for _name in ("PYTHON_3", "PYTHON_311", "NODEJS_18", "NODEJS_22", "CORRETTO_11", "GO_1", "DOTNET_6",
              "PHP_81", "RUBY_31"):  # fmt: skip
    setattr(Runtime, _name, Runtime(_name))


@dataclass(frozen=True)
class ImageRepository:
    """A bound container image source."""

    identifier: str
    repository_type: str


@dataclass(frozen=True)
class CodeRepository:
    """A bound code repository source."""

    repository_url: str
    branch: str
    connection_arn: str
    configuration_source: ConfigurationSource
    runtime: Runtime | None
    build_command: str | None
    start_command: str | None
    source_directory: str | None


@dataclass(frozen=True)
class SourceConfig:
    """What a ``Source`` contributes to the service once bound to it."""

    image: ImageRepository | None = None
    code: CodeRepository | None = None
    access_role: iam.IRole | None = None
    #: The access role's pull permissions: the service is created only once they exist.
    access_policy: iam.Policy | None = None
    #: False where App Runner cannot watch the source for new versions (ECR Public).
    supports_auto_deployments: bool = True


@dataclass(frozen=True)
class ContainerImage:
    """A bound image, for a platform that pulls it with a role of the service (ECS)."""

    identifier: str
    #: The private ECR repository to grant pull on; None for a public image.
    repository: ecr.IRepository | None = None


class Source(abc.ABC):
    """The service's source. Build with one of the static factories."""

    @abc.abstractmethod
    def bind(self, scope: Construct) -> SourceConfig:
        """Create what the source needs on App Runner (asset, access role) under ``scope``."""

    def bind_image(self, scope: Construct) -> ContainerImage:
        """Create what the source needs under ``scope`` and return its image, for a platform
        that pulls it with the service's own role (ECS Express Mode).

        ``ValueError`` for a source that is not an image (a code repository), or that names
        an App Runner access role.
        """
        raise ValueError(f"{self!r} is not a container image source")

    @staticmethod
    def from_asset(
        directory: str,
        *,
        file: str | None = None,
        build_args: Mapping[str, str] | None = None,
        exclude: Sequence[str] | None = None,
        ignore_mode: IgnoreMode | None = None,
        platform: ecr_assets.Platform | None = None,
        target: str | None = None,
        extra_hash: str | None = None,
        display_name: str | None = None,
        asset_name: str | None = None,
        access_role: iam.IRole | None = None,
    ) -> Source:
        """Build ``directory``'s Dockerfile into a CDK image asset (pushed to the bootstrap ECR repository).

        :param directory: the Docker build context.
        :param file: Dockerfile path relative to ``directory``. Default: ``"Dockerfile"``.
        :param build_args: ``--build-arg`` values. Default: none.
        :param exclude: paths left out of the build context and the asset hash. Default: none
            (a ``.dockerignore`` in ``directory`` still applies).
        :param ignore_mode: how ``exclude`` patterns match (``IgnoreMode.DOCKER`` allows ``!`` negation).
            Default: ``IgnoreMode.DOCKER`` (CDK v2's default for Docker image assets).
        :param platform: image platform; App Runner runs x86-64 only. Default: ``Platform.LINUX_AMD64``.
        :param target: multi-stage build target. Default: the last stage.
        :param extra_hash: extra data for the asset hash. Default: none.
        :param display_name: name shown for the asset in CDK output. Default: the construct path.
        :param asset_name: unique asset name, required by ``AppScopedStagingSynthesizer``. Default: none.
        :param access_role: role App Runner assumes to pull the image; it gets pull on the asset
            repository. Default: a new role for ``build.apprunner.amazonaws.com``.
        """
        check_type("directory", directory, str, "a str (the path of the Docker build context)", required=True)
        check_interface("access_role", access_role, "role_arn", "an iam.IRole")
        return _AssetSource(
            directory=directory,
            file=file,
            build_args=dict(build_args) if build_args is not None else None,
            exclude=list(exclude) if exclude is not None else None,
            ignore_mode=ignore_mode,
            platform=platform or ecr_assets.Platform.LINUX_AMD64,
            target=target,
            extra_hash=extra_hash,
            display_name=display_name,
            asset_name=asset_name,
            access_role=access_role,
        )

    @staticmethod
    def from_ecr(
        repository: ecr.IRepository, tag_or_digest: str = "latest", *, access_role: iam.IRole | None = None
    ) -> Source:
        """An image in a private ECR repository of this account.

        :param repository: the repository.
        :param tag_or_digest: image tag, or digest (``sha256:...``). Default: ``"latest"``.
        :param access_role: role App Runner assumes to pull; it gets pull on ``repository``.
            Default: a new role for ``build.apprunner.amazonaws.com``.
        """
        check_interface("repository", repository, "repository_arn", "an ecr.IRepository", required=True)
        check_type("tag_or_digest", tag_or_digest, str, "a str")
        check_interface("access_role", access_role, "role_arn", "an iam.IRole")
        if not Token.is_unresolved(tag_or_digest) and not tag_or_digest:
            raise ValueError(f"`tag_or_digest` must be a non-empty tag or digest, got {tag_or_digest!r}")
        return _EcrSource(repository, tag_or_digest, access_role)

    @staticmethod
    def from_ecr_public(image_identifier: str) -> Source:
        """A public image on ECR Public, e.g. ``"public.ecr.aws/aws-containers/hello-app-runner:latest"``.

        No access role is needed. App Runner cannot auto-deploy new versions of public images.
        """
        check_type("image_identifier", image_identifier, str, "a str", required=True)
        if not Token.is_unresolved(image_identifier) and not _ECR_PUBLIC_IMAGE.fullmatch(image_identifier):
            raise ValueError(
                "`image_identifier` must look like public.ecr.aws/<registry>/<image>[:tag], "
                f"got {image_identifier!r}"
            )
        return _StaticSource(SourceConfig(image=ImageRepository(image_identifier, "ECR_PUBLIC"),
                                          supports_auto_deployments=False))  # fmt: skip

    @staticmethod
    def from_code_repository(
        repository_url: str,
        branch: str,
        connection_arn: str,
        *,
        runtime: Runtime | None = None,
        build_command: str | None = None,
        start_command: str | None = None,
        configuration_source: ConfigurationSource = ConfigurationSource.API,
        source_directory: str | None = None,
    ) -> Source:
        """A GitHub or Bitbucket repository built by an App Runner managed runtime.

        :param repository_url: e.g. ``"https://github.com/owner/repo"``.
        :param branch: branch App Runner deploys (latest commit).
        :param connection_arn: ARN of an App Runner connection whose handshake is completed.
        :param runtime: managed runtime; required with ``ConfigurationSource.API``. Default: None.
        :param build_command: command App Runner builds with: one non-empty line (no CR or LF).
            Default: none.
        :param start_command: command App Runner starts the app with: one non-empty line (no CR or LF).
            Default: none.
        :param configuration_source: ``API`` (the values above) or ``REPOSITORY`` (``apprunner.yaml``;
            then runtime, build and start command must not be given). Default: ``API``.
        :param source_directory: directory of the app inside the repository, 1-4096 characters, no NUL.
            Default: the root.
        """
        required: dict[str, str] = {
            "repository_url": repository_url,
            "branch": branch,
            "connection_arn": connection_arn,
        }
        optional = {
            "build_command": build_command,
            "start_command": start_command,
            "source_directory": source_directory,
        }
        for prop, text in {**required, **optional}.items():
            check_type(prop, text, str, "a str", required=prop in required)
        check_type("runtime", runtime, Runtime, "a Runtime (Runtime.PYTHON_311 or Runtime.of(name))")
        check_type("configuration_source", configuration_source, ConfigurationSource, "a ConfigurationSource")
        given = {"runtime": runtime, "build_command": build_command, "start_command": start_command}
        if configuration_source is ConfigurationSource.REPOSITORY:
            passed = [name for name, value in given.items() if value is not None]
            if passed:
                raise ValueError(
                    f"`configuration_source` REPOSITORY reads apprunner.yaml, so configuration values "
                    f"must not be given, got {', '.join(passed)}"
                )
        elif runtime is None:
            raise ValueError("`runtime` is required with `configuration_source` API, got None")
        for prop, value in (("repository_url", repository_url), ("branch", branch),
                            ("connection_arn", connection_arn)):  # fmt: skip
            if not Token.is_unresolved(value) and not value:
                raise ValueError(f"`{prop}` must not be empty, got {value!r}")
        for prop, command in (("build_command", build_command), ("start_command", start_command)):
            if command is not None:
                check_command(prop, command)
        if source_directory is not None:
            check_text(
                "source_directory",
                source_directory,
                maximum=4096,
                forbidden="\x00",
                rule="not contain a NUL character",
            )
        code = CodeRepository(
            repository_url=repository_url,
            branch=branch,
            connection_arn=connection_arn,
            configuration_source=configuration_source,
            runtime=runtime,
            build_command=build_command,
            start_command=start_command,
            source_directory=source_directory,
        )
        return _StaticSource(SourceConfig(code=code))


class _StaticSource(Source):
    """A source that creates nothing in the construct tree."""

    def __init__(self, config: SourceConfig) -> None:
        self._config = config

    def bind(self, scope: Construct) -> SourceConfig:
        return self._config

    def bind_image(self, scope: Construct) -> ContainerImage:
        image = self._config.image
        if image is None:
            raise ValueError(
                "`source` Source.from_code_repository is an App Runner feature (its managed runtimes "
                "build the code); ECS Express Mode runs container images: use Source.from_asset, "
                "Source.from_ecr or Source.from_ecr_public"
            )
        return ContainerImage(image.identifier)

    def __repr__(self) -> str:
        return f"Source({self._config!r})"


def grant_pull(
    scope: Construct, repository: ecr.IRepository, role: iam.IRole, *, watch: bool = False
) -> iam.Policy:
    """What ``repository.grant_pull`` grants, as the policy ``PullPolicy`` under ``scope``
    attached to ``role``: the acknowledgement below then covers only these statements,
    never other ``Resource::*`` statements of a caller's role. ``watch`` adds what App
    Runner's automatic deployments read."""
    policy = iam.Policy(
        scope,
        "PullPolicy",
        statements=[
            iam.PolicyStatement(
                actions=_PULL_ACTIONS + (_WATCH_ACTIONS if watch else []),
                resources=[repository.repository_arn],
            ),
            iam.PolicyStatement(actions=["ecr:GetAuthorizationToken"], resources=["*"]),
        ],
    )
    # Through the role, so an immutable imported role is left alone (the policy is then not rendered).
    role.attach_inline_policy(policy)
    Validations.of(policy).acknowledge(
        Acknowledgment(
            id="AwsSolutions-IAM5[Resource::*]",
            reason="The `ecr:GetAuthorizationToken` action only supports Resource '*'; pulling is limited "
            "to the one image repository.",
        )
    )
    return policy


def _private_ecr(scope: Construct, image: ContainerImage, role: iam.IRole | None) -> SourceConfig:
    """``image`` pulled by App Runner with ``role`` (or a new access role) through a policy
    that allows exactly its repository."""
    assert image.repository is not None
    if role is None:
        role = iam.Role(
            scope,
            "AccessRole",
            assumed_by=iam.ServicePrincipal(_ACCESS_ROLE_PRINCIPAL),
            description="Lets App Runner pull the service image from ECR.",
        )
    policy = grant_pull(scope, image.repository, role, watch=True)
    return SourceConfig(
        image=ImageRepository(image.identifier, "ECR"), access_role=role, access_policy=policy
    )


class _EcrSource(Source):
    def __init__(self, repository: ecr.IRepository, tag_or_digest: str, role: iam.IRole | None) -> None:
        self._repository = repository
        self._tag_or_digest = tag_or_digest
        self._role = role

    def bind(self, scope: Construct) -> SourceConfig:
        return _private_ecr(scope, self._image(), self._role)

    def bind_image(self, scope: Construct) -> ContainerImage:
        _no_access_role(self._role)
        return self._image()

    def _image(self) -> ContainerImage:
        return ContainerImage(
            self._repository.repository_uri_for_tag_or_digest(self._tag_or_digest), self._repository
        )


@dataclass(frozen=True)
class _AssetSource(Source):
    directory: str
    file: str | None
    build_args: dict[str, str] | None
    exclude: list[str] | None
    ignore_mode: IgnoreMode | None
    platform: ecr_assets.Platform
    target: str | None
    extra_hash: str | None
    display_name: str | None
    asset_name: str | None
    access_role: iam.IRole | None

    def bind(self, scope: Construct) -> SourceConfig:
        return _private_ecr(scope, self._asset(scope), self.access_role)

    def bind_image(self, scope: Construct) -> ContainerImage:
        _no_access_role(self.access_role)
        return self._asset(scope)

    def _asset(self, scope: Construct) -> ContainerImage:
        asset = ecr_assets.DockerImageAsset(
            scope,
            "ImageAsset",
            directory=self.directory,
            file=self.file,
            build_args=self.build_args,
            exclude=self.exclude,
            ignore_mode=self.ignore_mode,
            platform=self.platform,
            target=self.target,
            extra_hash=self.extra_hash,
            display_name=self.display_name,
            asset_name=self.asset_name,
        )
        return ContainerImage(asset.image_uri, asset.repository)


def _no_access_role(role: iam.IRole | None) -> None:
    if role is not None:
        raise ValueError(
            "`access_role` is App Runner's; ECS Express Mode pulls the image with the service's "
            "`execution_role`, got an access role"
        )
