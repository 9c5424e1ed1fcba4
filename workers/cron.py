"""Periodic jobs for production: `rq cron workers.cron` (next to the workers)."""
import os

from rq import cron

from .jobs import sweep_pending_routing
from .queues import ROUTING

cron.register(sweep_pending_routing, ROUTING,
              interval=int(os.environ.get("ROUTING_SWEEP_INTERVAL_SECONDS", "30")))
