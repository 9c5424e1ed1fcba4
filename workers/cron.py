"""Periodic jobs for production: `rq cron workers.cron` (next to the workers)."""
import os

from rq import cron

from .jobs import sweep_pending_routing
from .queues import ROUTING

cron.register(sweep_pending_routing, ROUTING,
              interval=int(os.environ.get("ROUTING_SWEEP_INTERVAL_SECONDS", "30")))

from .jobs import sweep_processing_photos  # noqa: E402
from .queues import MEDIA  # noqa: E402

cron.register(sweep_processing_photos, MEDIA,
              interval=int(os.environ.get("ROUTING_SWEEP_INTERVAL_SECONDS", "30")))
