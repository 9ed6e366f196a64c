"""The recorder's summaries for a checkpoint of grokwatch's bundled trainer, as JSON on stdout: what
test/src/recorder.test.ts compares with the ONNX capture of the same checkpoint.

Usage: summarize_trainer_checkpoint.py CHECKPOINT_DIR PROBES_JSON
PROBES_JSON: [{"index": i, "ids": [...], "target": [from, to] | null}, ...]
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "trainer"))

from checkpoint import load_checkpoint  # noqa: E402
from grokwatch_recorder import ProbeSample, RoutingRecorder  # noqa: E402


def main() -> None:
    model = load_checkpoint(sys.argv[1])
    rows = json.loads(sys.argv[2])
    probes = [ProbeSample(r["index"], tuple(r["ids"]), None if r["target"] is None else tuple(r["target"])) for r in rows]
    model.train()  # the recorder must switch to eval itself and restore this after
    summaries = RoutingRecorder(model, probes, batch_size=3).summarize()
    assert model.training, "the recorder left the model in eval mode"
    json.dump([s.to_ingest() for s in summaries], sys.stdout)


if __name__ == "__main__":
    main()
