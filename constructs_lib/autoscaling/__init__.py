"""App Runner auto scaling configurations as a Lambda-backed custom resource."""

from constructs_lib.autoscaling.construct import AutoScalingConfig

__all__ = ["AutoScalingConfig"]
