"""Periodic jobs for production: `rq cron workers.cron` (next to the workers)."""
import os

from rq import cron

from .jobs import (sample_lookback, sweep_deadlines, sweep_pending_routing,
                   sweep_processing_photos, sweep_reply_clocks)
from .queues import DEFAULT, MEDIA, ROUTING

cron.register(sweep_pending_routing, ROUTING,
              interval=int(os.environ.get("ROUTING_SWEEP_INTERVAL_SECONDS", "30")))
cron.register(sweep_processing_photos, MEDIA,
              interval=int(os.environ.get("ROUTING_SWEEP_INTERVAL_SECONDS", "30")))
cron.register(sweep_deadlines, DEFAULT,
              interval=int(os.environ.get("SLA_SWEEP_INTERVAL_SECONDS", "300")))
cron.register(sweep_reply_clocks, DEFAULT,   # clues, suggestions, rectification
              interval=int(os.environ.get("SLA_SWEEP_INTERVAL_SECONDS", "300")))
cron.register(sample_lookback, DEFAULT,
              interval=int(os.environ.get("LOOKBACK_INTERVAL_SECONDS", str(24 * 3600))))
