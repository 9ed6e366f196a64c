"""grokwatch's recorder: routing summaries taken inside a lab's own PyTorch training loop.

    from grokwatch_recorder import GrokwatchClient, RoutingRecorder

    client = GrokwatchClient("http://grokwatch:4000/graphql", api_key=os.environ.get("GROKWATCH_API_KEY"))
    recorder = RoutingRecorder.for_probe_set(model, client, probe_set_id, tokenize=tokenizer.encode)
    ...
    if step % 500 == 0:
        recorder.record(client, run_id, step, tokens_seen=tokens, hyperparameters={"learningRate": lr})

Standard library and torch only. The summary of each probe sample is the one grokwatch's capture
stores (method.md section 2): token-mean router scores and top-k selection counts per layer (a
leading BOS left out), the mean final-norm hidden state, the NLL, Min-K%++, and with a target its
tokens' routing and NLL. Sending never blocks or fails training: it runs on a background thread,
retries, and logs what it drops.
"""

from .client import GrokwatchClient, GrokwatchError
from .recorder import ProbeSample, RoutingRecorder
from .routers import RouterSpec, find_routers
from .summary import SampleSummary

__all__ = [
    "GrokwatchClient",
    "GrokwatchError",
    "ProbeSample",
    "RoutingRecorder",
    "RouterSpec",
    "SampleSummary",
    "find_routers",
]
