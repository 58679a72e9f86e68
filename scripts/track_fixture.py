#!/usr/bin/python3
"""Writes the small committed test series of `nnfrust track` into src/test/resources/track (about 20 s):

  series/epoch-000{0,1,3}.onnx  three checkpoints of scripts/train_checkpoints.py's network (true labels, first 600
                                Fashion-MNIST training images, seed 7), exported by PyTorch's own ONNX exporter
  other/wider.onnx              the same layers with 40 instead of 32 channels in the first convolution (another
                                architecture, for the refusal test)
  test-images-idx3-ubyte.gz     the first 100 Fashion-MNIST test images (MIT licence, Zalando SE), as IDX
  test-labels-idx1-ubyte.gz     and their labels
  expected.json                 PyTorch's top-1 hits on those 100 images for each checkpoint (the oracle)

Needs python3-torch, python3-onnx and dataset-fashion-mnist (Debian). Not run by the tests.
"""
import gzip
import json
import os
import struct
import subprocess
import sys

import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import train_checkpoints as tc  # noqa: E402

out = os.path.join(here, "..", "src", "test", "resources", "track")
series = os.path.join(out, "series")
subprocess.run([sys.executable, os.path.join(here, "train_checkpoints.py"), "--regime", "true", "--seed", "7",
                "--train-size", "600", "--epochs", "0,1,3", "--out", series], check=True)
os.remove(os.path.join(series, "metrics.json"))

data = tc.load(tc.DATASETS["fashion-mnist"])
x, y = data["test"]
x, y = x[:100], y[:100]
with gzip.GzipFile(os.path.join(out, "test-images-idx3-ubyte.gz"), "wb", mtime=0) as f:
    f.write(struct.pack(">IIII", 0x803, 100, 28, 28) + (x * 255).round().to(torch.uint8).numpy().tobytes())
with gzip.GzipFile(os.path.join(out, "test-labels-idx1-ubyte.gz"), "wb", mtime=0) as f:
    f.write(struct.pack(">II", 0x801, 100) + y.to(torch.uint8).numpy().tobytes())

import onnx  # noqa: E402
from onnx import numpy_helper  # noqa: E402

expected = {}
for name in sorted(os.listdir(series)):
    m = onnx.load(os.path.join(series, name))
    w = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in m.graph.initializer}
    net = tc.Net()
    # the exporter keeps PyTorch's parameter names as initializer names
    net.load_state_dict({k: w[k] for k in net.state_dict()})
    net.eval()
    with torch.no_grad():
        hits = (net(x).argmax(1) == y).sum().item()
    expected[name] = {"top1": hits, "labelled": 100}

wider = tc.Net()
wider.features[0] = torch.nn.Conv2d(1, 40, 3, padding=1)
wider.features[3] = torch.nn.Conv2d(40, 64, 3, padding=1)
os.makedirs(os.path.join(out, "other"), exist_ok=True)
tc.export(wider, os.path.join(out, "other", "wider.onnx"))
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
print(json.dumps(expected))
