"""The apps' container images, built and run locally with Debian's buildah and podman.

``make images`` (``python -m tools.images build``) builds every image asset of the cloud
assembly as the CDK CLI would; ``make test-images`` runs them (``tests/images/``).
``engine`` holds how buildah and podman are invoked, ``assets`` what the assembly asks
for, ``base`` the stand-in base image, ``container`` one running image.
"""
