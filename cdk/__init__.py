"""The CDK app of this repository: one stack per app in ``apps/``, built on ``constructs_lib``."""
