"""Where the vendors' own manifests are: the shared fixtures beside the checkout (CI has them
there; MESHGATE_SHARED_FIXTURES names another copy). Read from there, never copied here."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[4]
SHARED_FIXTURES = Path(
    os.environ.get("MESHGATE_SHARED_FIXTURES", REPO.parent / "shared" / "fixtures")
)
# The vendor manifests the unit tests detect (not the CRDs or the rendered Helm charts).
VENDOR_DIRS = [SHARED_FIXTURES / d for d in ("controllers", "examples", "upstream")]
