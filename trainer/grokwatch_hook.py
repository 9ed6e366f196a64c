"""How a PyTorch training loop tells grokwatch about a new checkpoint (standard library only).

After writing a checkpoint directory, call

    announce_checkpoint(GrokwatchTarget(url, run_id, api_key), step, tokens_seen, checkpoint_dir)

It POSTs the GraphQL mutation `registerCheckpoint` to grokwatch's gateway; grokwatch then reads the
checkpoint from `uri` and computes the routing metrics. Announcing never stops training: any
failure (network, HTTP status, GraphQL error) is logged as a warning and the loop goes on.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Optional

log = logging.getLogger("grokwatch")

MUTATION = "mutation($input: RegisterCheckpointInput!) { registerCheckpoint(input: $input) { id } }"


@dataclass(frozen=True)
class GrokwatchTarget:
    url: str                       # e.g. http://localhost:4000/graphql
    run_id: str
    api_key: Optional[str] = None  # sent as x-api-key when set

    @staticmethod
    def from_args(url: Optional[str], run_id: Optional[str]) -> Optional["GrokwatchTarget"]:
        if not url and not run_id:
            return None
        if not url or not run_id:
            raise ValueError("--grokwatch-url and --grokwatch-run must be given together")
        return GrokwatchTarget(url, run_id, os.environ.get("GROKWATCH_API_KEY") or None)


def announce_checkpoint(target: GrokwatchTarget, step: int, tokens_seen: float, checkpoint_dir: str,
                        timeout_s: float = 10.0, learning_rate: Optional[float] = None,
                        weight_decay: Optional[float] = None) -> Optional[str]:
    """Register the checkpoint; returns grokwatch's checkpoint id, or None (after a warning) on failure.

    learning_rate and weight_decay are the optimizer settings in effect at this step: grokwatch shows
    a step change of either beside any pathway trend near it (it moves every domain's routing)."""
    checkpoint = {"runId": target.run_id, "step": step, "tokensSeen": float(tokens_seen),
                  "uri": os.path.abspath(checkpoint_dir)}
    if learning_rate is not None or weight_decay is not None:
        checkpoint["hyperparameters"] = {"learningRate": learning_rate, "weightDecay": weight_decay}
    variables = {"input": checkpoint}
    body = json.dumps({"query": MUTATION, "variables": variables}).encode("utf-8")
    headers = {"content-type": "application/json", "accept": "application/json"}
    if target.api_key:
        headers["x-api-key"] = target.api_key
    request = urllib.request.Request(target.url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            reply = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as err:
        detail = err.read().decode("utf-8", "replace")[:300]
        log.warning("grokwatch: announcing step %d failed: HTTP %d %s", step, err.code, detail)
        return None
    except (urllib.error.URLError, OSError, ValueError) as err:
        log.warning("grokwatch: announcing step %d to %s failed: %s", step, target.url, err)
        return None
    if reply.get("errors"):
        messages = "; ".join(str(e.get("message")) for e in reply["errors"])
        log.warning("grokwatch: announcing step %d was rejected: %s", step, messages)
        return None
    checkpoint = (reply.get("data") or {}).get("registerCheckpoint") or {}
    log.info("grokwatch: step %d registered as checkpoint %s", step, checkpoint.get("id"))
    return checkpoint.get("id")
