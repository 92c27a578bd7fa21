#!/usr/bin/env python3
"""PyTorch reference for the sample-efficiency bench (bench/pretrain/src/sample-efficiency.ts).

Trains parity/torch_reference.py's model (the same architecture as libs/model) from DIR/model.safetensors
on the batches in DIR/train.bin (one record per step: its learning rate, input ids and masked positions
and labels, exactly those Headstart's loop draws), with torch.optim.AdamW (decay on rank >= 2 tensors)
and clip_grad_norm_ as set in DIR/run.json. Every evalEvery steps and at the last step it evaluates on
DIR/eval.bin (loss weighted by masked tokens, like Headstart's estimateLoss) and prints one JSON line:
{"step", "tokens", "loss" (this step's training loss), "evalLoss", "seconds"}; step 1 prints its loss too.

Usage: python3 torch_curve.py --dir DIR [--threads N]   (Debian python3-torch; no pip packages)
"""

import argparse
import json
import os
import struct
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "parity"))
from torch_reference import BertForMaskedLM, load_safetensors  # noqa: E402


def read_records(path):
    """Yields (lr, input_ids [B, S], masked_positions, masked_labels) from a batch file."""
    with open(path, "rb") as f:
        while True:
            head = f.read(20)
            if not head:
                return
            lr, batch, seq, masked = struct.unpack("<diii", head)
            body = np.frombuffer(f.read(4 * (batch * seq + 2 * masked)), dtype="<i4")
            ids = torch.from_numpy(body[: batch * seq].astype(np.int64)).view(batch, seq)
            positions = torch.from_numpy(body[batch * seq : batch * seq + masked].astype(np.int64))
            labels = torch.from_numpy(body[batch * seq + masked :].astype(np.int64))
            yield lr, ids, positions, labels


def evaluate(model, eval_batches):
    total, count = 0.0, 0
    with torch.no_grad():
        for ids, mask, positions, labels in eval_batches:
            total += model(ids, mask, positions, labels).item() * len(labels)
            count += len(labels)
    return total / count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    with open(f"{args.dir}/config.json") as f:
        config = json.load(f)
    with open(f"{args.dir}/run.json") as f:
        run = json.load(f)

    model = BertForMaskedLM(config)
    model.load_state_dict(load_safetensors(f"{args.dir}/model.safetensors"), strict=True)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(
        [
            {"params": [p for p in trainable if p.dim() >= 2], "weight_decay": run["weightDecay"]},
            {"params": [p for p in trainable if p.dim() < 2], "weight_decay": 0.0},
        ],
        lr=0.0,
        betas=(run["beta1"], run["beta2"]),
        eps=run["epsilon"],
    )
    eval_batches = [
        (ids, torch.ones_like(ids), positions, labels)
        for _, ids, positions, labels in read_records(f"{args.dir}/eval.bin")
    ]
    start = time.perf_counter()
    step = 0
    for lr, ids, positions, labels in read_records(f"{args.dir}/train.bin"):
        for group in optimizer.param_groups:
            group["lr"] = lr
        model.train()
        optimizer.zero_grad(set_to_none=True)
        loss = model(ids, torch.ones_like(ids), positions, labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, run["clipNorm"])
        optimizer.step()
        step += 1
        record = {"step": step, "tokens": step * run["tokensPerStep"], "loss": loss.item()}
        if step % run["evalEvery"] == 0 or step == run["totalSteps"]:
            model.eval()
            record["evalLoss"] = evaluate(model, eval_batches)
        if "evalLoss" in record or step == 1:
            record["seconds"] = time.perf_counter() - start
            print(json.dumps(record), flush=True)
    if step != run["totalSteps"]:
        raise SystemExit(f"train.bin held {step} steps, run.json says {run['totalSteps']}")


if __name__ == "__main__":
    main()
