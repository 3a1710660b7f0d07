"""Runtime code shared by every app image: the app factory base, JSON errors, logging.

Each image is built with context ``apps/`` and copies only ``common/`` and its own
package, so nothing here may import an app package, CDK or ``constructs_lib``.
"""

from common.errors import ApiError, BackendUnavailable, BadRequest, NotFound
from common.factory import create_base_app
from common.requests import json_object

__all__ = [
    "ApiError",
    "BackendUnavailable",
    "BadRequest",
    "NotFound",
    "create_base_app",
    "json_object",
]
