"""GrokwatchClient: grokwatch's GraphQL API over urllib. Reads (the probe set) are synchronous and
raise GrokwatchError; checkpoints recorded during training are sent by one background thread, in
batches of samples, retried with backoff, and on final failure logged and dropped: training never
waits on grokwatch and never fails because of it."""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Dict, List, Optional, Sequence

log = logging.getLogger("grokwatch")

REGISTER = "mutation($input: RegisterCheckpointInput!) { registerCheckpoint(input: $input) { id } }"
INGEST = "mutation($input: IngestRoutingInput!) { ingestRouting(input: $input) { stored skipped } }"
PROBE_ROWS = "query($id: ID!, $o: Int!, $l: Int!) { probeSet(id: $id) { sampleCount samples(offset: $o, limit: $l) { index text target { start end } } } }"


class GrokwatchError(Exception):
    """grokwatch answered with an error, or could not be reached; `retryable` says whether trying again can help."""

    def __init__(self, message: str, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


# Answers that will be the same on every try.
FINAL_CODES = {"BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED", "NOT_FOUND", "UNAUTHENTICATED", "FORBIDDEN", "CONFLICT"}


class GrokwatchClient:
    def __init__(self, url: str, api_key: Optional[str] = None, *, timeout: float = 30.0, retries: int = 4, backoff: float = 1.0,
                 samples_per_request: int = 64, max_pending: int = 16) -> None:
        self.url = url
        self.api_key = api_key
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.samples_per_request = samples_per_request
        self._jobs: "queue.Queue[Optional[dict]]" = queue.Queue()
        self._max_pending = max_pending
        self._thread: Optional[threading.Thread] = None
        self._lock = threading.Lock()
        self.sent: List[dict] = []     # what each finished checkpoint sent: {step, checkpointId, stored}
        self.dropped: List[dict] = []  # what could not be sent: {step, error}

    def request(self, query: str, variables: Dict[str, Any]) -> Dict[str, Any]:
        body = json.dumps({"query": query, "variables": variables}).encode("utf-8")
        headers = {"content-type": "application/json", "accept": "application/json"}
        if self.api_key:
            headers["x-api-key"] = self.api_key
        req = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as response:
                reply = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as err:
            detail = err.read().decode("utf-8", "replace")[:2000]
            try:
                reply = json.loads(detail)
            except ValueError:
                reply = None
            # A GraphQL refusal comes with errors (read below); anything else is the HTTP status.
            if not isinstance(reply, dict) or not reply.get("errors"):
                raise GrokwatchError(f"HTTP {err.code}: {detail[:300]}", retryable=err.code >= 500 or err.code == 429) from None
        except (urllib.error.URLError, OSError, ValueError) as err:
            raise GrokwatchError(f"{self.url}: {err}") from None
        if reply.get("errors"):
            codes = {(e.get("extensions") or {}).get("code") for e in reply["errors"]}
            raise GrokwatchError("; ".join(str(e.get("message")) for e in reply["errors"]), retryable=not codes <= FINAL_CODES)
        return reply.get("data") or {}

    def probe_set_rows(self, probe_set_id: str, page: int = 100) -> List[dict]:
        rows: List[dict] = []
        while True:
            data = self.request(PROBE_ROWS, {"id": probe_set_id, "o": len(rows), "l": page})
            probe_set = data.get("probeSet")
            if probe_set is None:
                raise GrokwatchError(f"probe set {probe_set_id} does not exist")
            rows.extend(probe_set["samples"])
            if len(rows) >= probe_set["sampleCount"] or not probe_set["samples"]:
                return rows

    def submit_checkpoint(self, run_id: str, step: int, probe_set_id: str, summaries: Sequence, *, tokens_seen: Optional[float] = None,
                          hyperparameters: Optional[dict] = None, uri: Optional[str] = None) -> None:
        """Queue one checkpoint's routing for the sender thread; the oldest is dropped (logged) past max_pending."""
        checkpoint: Dict[str, Any] = {"runId": run_id, "step": int(step), "uri": uri or f"recorder://{run_id}/step{int(step)}"}
        if tokens_seen is not None:
            checkpoint["tokensSeen"] = float(tokens_seen)
        if hyperparameters:
            checkpoint["hyperparameters"] = hyperparameters
        job = {"checkpoint": checkpoint, "probeSetId": probe_set_id, "samples": [s.to_ingest() for s in summaries]}
        with self._lock:
            while self._jobs.qsize() >= self._max_pending:
                try:
                    old = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if old is not None:
                    self._drop(old, "too many checkpoints waiting to be sent")
                self._jobs.task_done()
            self._jobs.put(job)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="grokwatch-sender", daemon=True)
                self._thread.start()

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Wait until every queued checkpoint was sent or dropped; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._jobs.unfinished_tasks:
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def _drop(self, job: dict, error: str) -> None:
        step = job["checkpoint"]["step"]
        self.dropped.append({"step": step, "error": error})
        log.warning("grokwatch: routing of step %d not sent: %s", step, error)

    def _run(self) -> None:
        while True:
            try:
                job = self._jobs.get(timeout=5.0)
            except queue.Empty:
                return
            try:
                if job is not None:
                    self._send(job)
            except Exception as err:  # noqa: BLE001 - the sender must outlive any failure
                self._drop(job, str(err))
            finally:
                self._jobs.task_done()

    def _with_retries(self, what: str, fn):
        for attempt in range(self.retries + 1):
            try:
                return fn()
            except GrokwatchError as err:
                if attempt == self.retries or not err.retryable:
                    raise
                log.info("grokwatch: %s failed (%s); retrying", what, err)
                time.sleep(self.backoff * 2 ** attempt)
        raise AssertionError("unreachable")

    def _send(self, job: dict) -> None:
        checkpoint = job["checkpoint"]
        step = checkpoint["step"]
        registered = self._with_retries(f"registering step {step}", lambda: self.request(REGISTER, {"input": checkpoint}))
        checkpoint_id = registered["registerCheckpoint"]["id"]
        stored = 0
        samples = job["samples"]
        for at in range(0, len(samples), self.samples_per_request):
            part = samples[at:at + self.samples_per_request]
            reply = self._with_retries(f"sending step {step}'s routing", lambda: self.request(INGEST, {"input": {"checkpointId": checkpoint_id, "probeSetId": job["probeSetId"], "samples": part}}))
            stored += reply["ingestRouting"]["stored"]
        self.sent.append({"step": step, "checkpointId": checkpoint_id, "stored": stored})
        log.info("grokwatch: step %d sent (%d samples stored)", step, stored)
