#!/usr/bin/python3
"""Exports torchvision architectures with PyTorch's own ONNX exporter, for nnfrust's importer tests.

Two sizes:
  --size small  every architecture with its channel widths divided by a factor (the same modules, the same
                exporter, a few hundred kB per file): the fixtures committed in src/test/resources/torchvision
                and imported by CI (TorchvisionCorpusTest).
  --size full   the real widths at 224x224 (299 for inception_v3): hundreds of MB, for a local check
                (./nnfrust info on each file); not committed.

For every file the manifest (manifest.json) records how it was made and, for the reference variant of each
architecture, the node, edge and parameter counts computed by count_graph() below: an independent counter
written from docs/conventions.md that walks the ONNX graph with onnx's shape inference (it shares no code with
the importer). Weights are random (torch.manual_seed), the architectures are torchvision's.

Usage: /usr/bin/python3 scripts/torchvision_corpus.py --size small --out src/test/resources/torchvision
Needs Debian's python3-torch, python3-torchvision, python3-onnx.
"""
import argparse
import copy
import io
import json
import math
import os
import sys
import warnings

import onnx
import torch
import torch.nn as nn
import torchvision
from onnx import numpy_helper
from torchvision import models

warnings.filterwarnings("ignore")

IN_SCOPE = ["alexnet", "vgg11", "squeezenet1_0", "squeezenet1_1", "googlenet", "inception_v3", "resnet18",
            "resnet50", "densenet121", "mobilenet_v2", "regnet_x_400mf", "shufflenet_v2_x1_0", "mnasnet0_5"]
REFUSED = ["mobilenet_v3_small", "efficientnet_b0", "convnext_tiny"]


class Shrunk:
    """torch.nn seen through a width divisor: every channel count c != 3 becomes c // k (groups too)."""

    def __init__(self, k):
        self.k = k

    def c(self, n):
        return n if n == 3 or n < self.k else n // self.k

    def __getattr__(self, name):
        real = getattr(nn, name)
        c = self.c
        if name == "Conv2d":
            class Conv2d(nn.Conv2d):
                def __init__(self, i, o, *a, groups=1, **kw):
                    super().__init__(c(i), c(o), *a, groups=c(groups) if groups > 1 else 1, **kw)
            return Conv2d
        if name == "Linear":
            class Linear(nn.Linear):
                def __init__(self, i, o, *a, **kw):
                    super().__init__(c(i), c(o), *a, **kw)
            return Linear
        if name in ("BatchNorm2d", "BatchNorm1d"):
            class BatchNorm(real):
                def __init__(self, n, *a, **kw):
                    super().__init__(c(n), *a, **kw)
            return BatchNorm
        return real


def build(arch, size):
    """The torchvision model (random weights, BatchNorm statistics like a trained network's) and its input size."""
    model, hw = build_plain(arch, size)
    g = torch.Generator().manual_seed(2)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.weight.copy_(0.5 + 0.5 * torch.randn(m.weight.shape, generator=g))   # some negative
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=g))
                m.running_mean.copy_(0.1 * torch.randn(m.running_mean.shape, generator=g))
                m.running_var.copy_(0.2 + 2 * torch.rand(m.running_var.shape, generator=g))
    return model, hw


def build_plain(arch, size):
    torch.manual_seed(0)
    kw = {"weights": None}
    if arch in ("googlenet", "inception_v3"):
        kw.update(aux_logits=False, init_weights=True, transform_input=False)
    if size == "full":
        hw = 299 if arch == "inception_v3" else 224
        return getattr(models, arch)(**kw), hw
    # small: same modules and exporter, narrower channels
    if arch.startswith("shufflenet"):
        from torchvision.models.shufflenetv2 import ShuffleNetV2
        return ShuffleNetV2([2, 2, 2], [8, 16, 32, 64, 128], num_classes=10), 64
    if arch.startswith("mobilenet_v2"):
        return models.mobilenet_v2(width_mult=0.25, num_classes=10), 64
    if arch.startswith("regnet"):
        from torchvision.models.regnet import RegNet, BlockParams
        return RegNet(BlockParams.from_init_params(depth=6, w_0=8, w_a=8.0, w_m=2.0, group_width=8),
                      num_classes=10), 64
    if arch.startswith("densenet"):
        from torchvision.models.densenet import DenseNet
        return DenseNet(growth_rate=4, block_config=(6, 12, 24, 16), num_init_features=8, num_classes=10), 64
    if arch == "efficientnet_b0":
        from torchvision.models.efficientnet import EfficientNet, _efficientnet_conf
        setting, last = _efficientnet_conf("efficientnet_b0", width_mult=0.25, depth_mult=0.25)
        return EfficientNet(setting, 0.2, last_channel=last, num_classes=10), 64
    if arch == "convnext_tiny":
        from torchvision.models.convnext import ConvNeXt, CNBlockConfig
        return ConvNeXt([CNBlockConfig(8, 16, 1), CNBlockConfig(16, None, 1)], num_classes=10), 64
    if arch == "mobilenet_v3_small":
        return models.mobilenet_v3_small(width_mult=0.25, num_classes=10), 64
    k = {"alexnet": 32, "vgg11": 32, "resnet18": 16, "resnet50": 16, "inception_v3": 16}.get(arch, 8)
    module = sys.modules[getattr(models, arch).__module__]
    saved = module.nn
    module.nn = Shrunk(k)
    try:
        model = getattr(models, arch)(num_classes=80, **kw)
    finally:
        module.nn = saved
    hw = {"alexnet": 224, "vgg11": 224, "inception_v3": 128}.get(arch, 64)
    return model, hw


def export(model, hw, mode, opset, dynamic):
    """Exports a copy of the model, so that every variant has the same weights: in training mode the tracing
    forward pass would update BatchNorm's running statistics, so the copy's BatchNorm momentum is set to 0."""
    model = copy.deepcopy(model)
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.momentum = 0.0
    x = torch.randn(1, 3, hw, hw, generator=torch.Generator().manual_seed(0))
    axes = None
    if dynamic == "batch":
        axes = {"input": {0: "batch"}, "logits": {0: "batch"}}
    elif dynamic == "all":
        axes = {"input": {0: "batch", 2: "height", 3: "width"}, "logits": {0: "batch"}}
    if mode == "eval":
        model.eval()
        training = torch.onnx.TrainingMode.EVAL
    else:
        model.train()
        training = torch.onnx.TrainingMode.TRAINING
    buf = io.BytesIO()
    torch.onnx.export(model, x, buf, opset_version=opset, input_names=["input"], output_names=["logits"],
                      dynamic_axes=axes, training=training, do_constant_folding=(mode == "eval"))
    return buf.getvalue()


# ------------------------------------------------------------------ independent counter (docs/conventions.md)

def window_edges(n_in, k, s, d, p0, p1, ceil):
    """Number of (output position, tap) pairs of one spatial axis whose input index is inside [0, n_in)."""
    eff = (k - 1) * d + 1
    span = n_in + p0 + p1 - eff
    n_out = (-(-span // s) if ceil else span // s) + 1
    if ceil and (n_out - 1) * s >= n_in + p0:
        n_out -= 1
    count = 0
    for o in range(n_out):
        for t in range(k):
            i = o * s + t * d - p0
            if 0 <= i < n_in:
                count += 1
    return n_out, count


def const_eval(n, val, shapes):
    """Value of a constant-only node (the shape arithmetic exporters write), with numpy."""
    import numpy as np
    a = [val.get(i) for i in n.input]
    op = n.op_type

    def at(name, default=None):
        for x in n.attribute:
            if x.name == name:
                return onnx.helper.get_attribute_value(x)
        return default

    if op == "Constant":
        return numpy_helper.to_array(at("value"))
    if op in ("Identity", "Cast"):
        return a[0]
    if op == "Shape":
        return np.array(shapes[n.input[0]], dtype=np.int64)
    if op == "Gather":
        return np.take(a[0], a[1], axis=at("axis", 0))
    if op in ("Add", "Sub", "Mul"):
        return {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply}[op](a[0], a[1])
    if op == "Div":
        return a[0] // a[1] if a[0].dtype.kind in "iu" else a[0] / a[1]
    if op == "Concat":
        return np.concatenate([np.atleast_1d(x) for x in a], axis=at("axis", 0))
    if op == "Unsqueeze":
        axes = at("axes") if len(a) < 2 else list(a[1])
        return np.expand_dims(a[0], tuple(axes))
    if op == "Squeeze":
        return np.squeeze(a[0])
    if op == "Slice":
        return a[0][slice(int(a[1][0]), int(a[2][0]))]
    raise ValueError("counter: constant " + op)


def count_graph(model_bytes, hw):
    """Nodes, edges, parameters of the signed graph under the default conventions (merge, batchnorm fold),
    counted from docs/conventions.md with numpy shape propagation; shares no code with the importer."""
    import numpy as np
    m = onnx.load_from_string(model_bytes)
    g = m.graph
    inits = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    val = dict(inits)
    inp = [i for i in g.input if i.name not in inits][0]
    shapes = {inp.name: [1, 3, hw, hw]}
    for t, v in inits.items():
        shapes[t] = list(v.shape)
    uses = {}
    for n in g.node:
        for i in n.input:
            uses[i] = uses.get(i, 0) + 1
    producer = {}
    for n in g.node:
        for o in n.output:
            producer[o] = n
    nodes = 3 * hw * hw
    edges = 0
    params = 0
    weight_out = {}   # tensor -> (layer op, bias count) for tensors that are the whole output of a weight layer
    pending = {}      # tensor -> zero padding [top, left, bottom, right] of a Pad, taken by the next window
    nodewise = {"Relu", "Clip", "Dropout", "Identity", "BatchNormalization", "Sigmoid", "Tanh", "LeakyRelu"}

    def numel(t):
        return math.prod(shapes[t][1:])

    def attr(n, name, default):
        for a in n.attribute:
            if a.name == name:
                return onnx.helper.get_attribute_value(a)
        return default

    for n in g.node:
        ins = [i for i in n.input if i]
        op = n.op_type
        if op == "Shape" or all(i in val for i in ins):
            v = const_eval(n, val, shapes)   # constant-only node: folded
            val[n.output[0]] = np.asarray(v)
            shapes[n.output[0]] = list(np.shape(v))
            continue
        x = shapes[n.input[0]]
        out = list(x)
        if op == "Conv":
            w = val[n.input[1]]
            k = list(w.shape[2:])
            s = attr(n, "strides", [1, 1]); d = attr(n, "dilations", [1, 1]); p = attr(n, "pads", [0, 0, 0, 0])
            p = [a + b for a, b in zip(p, pending.get(n.input[0], [0, 0, 0, 0]))]
            oh, eh = window_edges(x[2], k[0], s[0], d[0], p[0], p[2], False)
            ow, ew = window_edges(x[3], k[1], s[1], d[1], p[1], p[3], False)
            out = [1, w.shape[0], oh, ow]
            nodes += w.shape[0] * oh * ow
            edges += w.shape[0] * w.shape[1] * eh * ew
            bias = val[n.input[2]].size if len(n.input) > 2 and n.input[2] else 0
            params += w.size + bias
            weight_out[n.output[0]] = ("Conv", bias)
        elif op in ("Gemm", "MatMul"):
            w = val[n.input[1]]
            fout = w.shape[0] if attr(n, "transB", 0) == 1 else w.shape[1]
            out = [1, fout]
            nodes += fout
            edges += w.size
            bias = val[n.input[2]].size if len(n.input) > 2 and n.input[2] else 0
            params += w.size + bias
            weight_out[n.output[0]] = (op, bias)
        elif op in ("MaxPool", "AveragePool"):
            k = attr(n, "kernel_shape", None); s = attr(n, "strides", [1, 1]); p = attr(n, "pads", [0, 0, 0, 0])
            p = [a + b for a, b in zip(p, pending.get(n.input[0], [0, 0, 0, 0]))]
            ceil = attr(n, "ceil_mode", 0) == 1
            oh, eh = window_edges(x[2], k[0], s[0], 1, p[0], p[2], ceil)
            ow, ew = window_edges(x[3], k[1], s[1], 1, p[1], p[3], ceil)
            out = [1, x[1], oh, ow]
            nodes += x[1] * oh * ow
            edges += x[1] * eh * ew
        elif op in ("GlobalAveragePool", "GlobalMaxPool", "ReduceMean"):
            out = [1, x[1], 1, 1] if attr(n, "keepdims", 1) == 1 else [1, x[1]]
            nodes += x[1]
            edges += x[1] * x[2] * x[3]
        elif op == "BatchNormalization":
            ch = val[n.input[1]].size
            src = n.input[0]
            if src in weight_out and uses.get(src, 0) == 1 and producer[src].op_type in ("Conv", "Gemm", "MatMul"):
                params += ch - weight_out[src][1]   # folded: one bias per output channel
                weight_out[n.output[0]] = (weight_out[src][0], ch)
            else:
                params += 2 * ch
        elif op == "Add" and not any(i in val for i in ins):
            merged = False
            for t in n.input[:2]:
                # a whole weight-layer output reaching the Add only through single-use node-wise operators
                u = t
                ok = uses.get(u, 0) == 1
                while ok and u not in weight_out:
                    pn = producer.get(u)
                    if pn is None or pn.op_type not in nodewise:
                        ok = False
                        break
                    u = pn.input[0]
                    ok = uses.get(u, 0) == 1
                if ok:
                    merged = True
                    break
            size = numel(n.input[0])
            if merged:
                edges += size
            else:
                nodes += size
                edges += 2 * size
        elif op == "Add":
            params += sum(val[i].size for i in ins if i in val)
        elif op == "Pad":
            q = [int(v) for v in (val[n.input[1]] if len(n.input) > 1 else attr(n, "pads", None))]
            pending[n.output[0]] = [q[2], q[3], q[6], q[7]]
        elif op == "Concat":
            ax = attr(n, "axis", 1)
            out[ax] = sum(shapes[i][ax] for i in n.input)
        elif op in ("Flatten",):
            out = [1, math.prod(x[1:])]
        elif op == "Reshape":
            out = list(np.empty(x, dtype=bool).reshape([int(v) for v in val[n.input[1]]]).shape)
        elif op == "Transpose":
            out = [x[i] for i in attr(n, "perm", None)]
        elif op == "Slice":
            sl = [slice(None)] * len(x)
            axes = val[n.input[3]] if len(n.input) > 3 else range(len(val[n.input[1]]))
            for j, ax in enumerate(axes):
                sl[int(ax)] = slice(int(val[n.input[1]][j]), int(val[n.input[2]][j]))
            out = list(np.empty(x, dtype=bool)[tuple(sl)].shape)
        elif op == "Split":
            ax = attr(n, "axis", 0)
            sizes = attr(n, "split", None) if len(n.input) < 2 else list(val[n.input[1]])
            for o, size in zip(n.output, sizes or [x[ax] // len(n.output)] * len(n.output)):
                shapes[o] = x[:ax] + [int(size)] + x[ax + 1:]
            continue
        elif op in ("Squeeze", "Unsqueeze"):
            axes = attr(n, "axes", None) if len(n.input) < 2 else list(val[n.input[1]])
            arr = np.empty(x, dtype=bool)
            out = list((np.squeeze(arr, tuple(axes)) if op == "Squeeze" else np.expand_dims(arr, tuple(axes))).shape)
        # everything else is node-wise: no nodes, no edges, same shape
        for o in n.output:
            shapes[o] = out
        if op in nodewise and n.input[0] in weight_out and op != "BatchNormalization":
            weight_out[n.output[0]] = weight_out[n.input[0]]
    return {"nodes": nodes, "edges": edges, "params": params}


def linear_trunk(arch):
    """The convolutional trunk of a small architecture made linear for the ONNX Runtime oracle: activations and
    pooling replaced by Identity, zero biases, BatchNorms with zero mean and shift and random scale (either sign)
    where they follow a convolution (folded by nnfrust), Identity where they do not (DenseNet's norm, norm1,
    norm5)."""
    model, hw = build(arch, "small")
    if arch == "resnet18":
        trunk = nn.Sequential(model.conv1, model.bn1, model.layer1, model.layer2, model.layer3, model.layer4)
    elif arch.startswith("shufflenet"):
        trunk = nn.Sequential(model.conv1, model.stage2, model.stage3, model.stage4, model.conv5)
    else:
        trunk = model.features

    def strip(module):
        for name, child in module.named_children():
            if isinstance(child, (nn.ReLU, nn.ReLU6, nn.MaxPool2d, nn.AvgPool2d)) or name in ("norm", "norm1", "norm5"):
                setattr(module, name, nn.Identity())
            else:
                strip(child)
    strip(trunk)
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for m in trunk.modules():
            if isinstance(m, nn.Conv2d) and m.bias is not None:
                m.bias.zero_()
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.zero_()
                m.bias.zero_()
                m.weight.copy_(torch.randn(m.weight.shape, generator=g))
                m.running_var.copy_(0.5 + torch.rand(m.running_var.shape, generator=g))
    return trunk.eval(), hw


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", choices=["small", "full"], default="small")
    ap.add_argument("--out", required=True)
    ap.add_argument("--archs", default=",".join(IN_SCOPE + REFUSED))
    ap.add_argument("--variants", default="default",
                    help="'eval': eval mode, opset 13, static only; 'default': eval and train at opset 13 for every architecture, and all of "
                         "opsets 11/13/17 x dynamic none/batch/all for resnet18 and shufflenet; 'all': "
                         "every combination for every architecture")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    manifest = {"torch": torch.__version__, "torchvision": torchvision.__version__, "onnx": onnx.__version__,
                "size": args.size, "files": []}
    for arch in args.archs.split(","):
        model, hw = build(arch, args.size)
        tv_params = sum(p.numel() for p in model.parameters())
        if args.variants == "eval":
            combos = [("eval", 13, "none")]
        elif args.variants == "all" or arch in ("resnet18", "shufflenet_v2_x1_0"):
            combos = [(m, o, d) for m in ("eval", "train") for o in (11, 13, 17) for d in ("none", "batch", "all")]
        elif arch in ("alexnet", "vgg11", "squeezenet1_0", "squeezenet1_1", "convnext_tiny", "mobilenet_v3_small"):
            combos = [("eval", 13, "none")]   # no BatchNorm (or refused anyway): eval only
        else:
            combos = [("eval", 13, "none"), ("train", 13, "none")]
        reference = None
        for mode, opset, dyn in combos:
            name = f"{arch}-{mode}-op{opset}-{dyn}.onnx"
            entry = {"file": name, "arch": arch, "mode": mode, "opset": opset, "dynamic": dyn, "input": hw,
                     "torchvisionParams": tv_params, "inScope": arch in IN_SCOPE}
            try:
                data = export(model, hw, mode, opset, dyn)
            except Exception as e:  # the exporter itself refuses some combinations
                entry["exportError"] = str(e).splitlines()[0][:300]
                manifest["files"].append(entry)
                print(f"{name}: export failed: {entry['exportError']}", file=sys.stderr)
                continue
            with open(os.path.join(args.out, name), "wb") as f:
                f.write(data)
            if arch in IN_SCOPE and mode == "eval" and dyn == "none" and reference is None:
                reference = count_graph(data, hw)
            entry["bytes"] = len(data)
            manifest["files"].append(entry)
            print(f"{name}: {len(data)} bytes", file=sys.stderr)
        for e in manifest["files"]:
            if e["arch"] == arch and reference is not None:
                e["expected"] = reference
    if args.size == "small":
        for arch in ("resnet18", "shufflenet_v2_x1_0", "mobilenet_v2", "densenet121"):
            trunk, hw = linear_trunk(arch)
            for mode in ("eval", "train"):
                data = export(trunk, hw, mode, 13, "none")
                name = f"{arch}-linear-{mode}.onnx"
                with open(os.path.join(args.out, name), "wb") as f:
                    f.write(data)
                manifest.setdefault("linear", []).append({"file": name, "arch": arch, "mode": mode, "input": hw})
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
