"""Helpers of the chaos app tests: the environment its stack sets."""

TABLE_NAME = "chaos-test"
REGION = "us-east-1"
