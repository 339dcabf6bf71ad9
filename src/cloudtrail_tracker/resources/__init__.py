"""Resources students leave running: which CloudTrail calls create, stop, start, resize and delete them
(catalog.py, resource_types.yaml), the changes one record makes (extract.py), and a resource's state
folded from its changes (lifecycle.py). Pure: no AWS calls."""

from __future__ import annotations

from .catalog import Catalog, EventRule, ResourceType, load_catalog
from .extract import ResourceChange, changes_of, handles, mentioned_ids
from .lifecycle import Interval, ResourceState, fold, lives

__all__ = [
    "Catalog",
    "EventRule",
    "Interval",
    "ResourceChange",
    "ResourceState",
    "ResourceType",
    "changes_of",
    "fold",
    "handles",
    "lives",
    "load_catalog",
    "mentioned_ids",
]
