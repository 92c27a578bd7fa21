"""PyTorch reference for bench/pretrain: the same BERT MLM step as src/model.ts, timed the same way.

Reads the batches the TF.js side generated (so both train on identical data) and prints one JSON line:
{"ms": [...], "cpuMs": [...], "losses": [...], "threads": N, "blas": "..."}.

Usage: python3 torch_bench.py --batches FILE --vocab V --d D --heads H --ff F --layers L --seq S
                              --batch B --masked M --warmup W --steps N [--threads T]
"""

import argparse
import json
import os
import math
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


class Block(nn.Module):
    def __init__(self, d, heads, ff):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(d, eps=1e-12)
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)
        self.v = nn.Linear(d, d)
        self.o = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d, eps=1e-12)
        self.w1 = nn.Linear(d, ff)
        self.w2 = nn.Linear(ff, d)

    def attention(self, h, batch, seq):
        d = h.shape[-1]
        dh = d // self.heads

        def split(t):
            return t.view(batch, seq, self.heads, dh).transpose(1, 2)

        q, k, v = split(self.q(h)), split(self.k(h)), split(self.v(h))
        scores = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(dh))
        context = torch.matmul(torch.softmax(scores, dim=-1), v)
        return self.o(context.transpose(1, 2).reshape(batch * seq, d))

    def forward(self, x, batch, seq):
        x = x + self.attention(self.ln1(x), batch, seq)
        return x + self.w2(F.gelu(self.w1(self.ln2(x))))


class Mlm(nn.Module):
    def __init__(self, vocab, d, heads, ff, layers, seq):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.zeros(seq, d))
        self.blocks = nn.ModuleList([Block(d, heads, ff) for _ in range(layers)])
        self.lnf = nn.LayerNorm(d, eps=1e-12)
        self.head = nn.Linear(d, d)
        self.head_ln = nn.LayerNorm(d, eps=1e-12)
        self.out_bias = nn.Parameter(torch.zeros(vocab))
        for p in self.parameters():
            if p.dim() > 1 or p is self.pos:
                nn.init.trunc_normal_(p, std=0.02, a=-0.04, b=0.04)

    def forward(self, ids, positions, labels, batch, seq):
        d = self.tok.weight.shape[1]
        x = (self.tok(ids).view(batch, seq, d) + self.pos).view(batch * seq, d)
        for block in self.blocks:
            x = block(x, batch, seq)
        rows = self.lnf(x)[positions]
        h = self.head_ln(F.gelu(self.head(rows)))
        logits = h @ self.tok.weight.t() + self.out_bias
        return F.cross_entropy(logits, labels)


def main():
    p = argparse.ArgumentParser()
    for name in ["vocab", "d", "heads", "ff", "layers", "seq", "batch", "masked", "warmup", "steps"]:
        p.add_argument("--" + name, type=int, required=True)
    p.add_argument("--batches", required=True)
    p.add_argument("--count", type=int, required=True, help="number of batches in the file")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)

    tokens = a.batch * a.seq
    per_batch = tokens + 2 * a.masked
    raw = np.fromfile(a.batches, dtype=np.int32).reshape(a.count, per_batch)
    batches = [
        (
            torch.from_numpy(r[:tokens].astype(np.int64)),
            torch.from_numpy(r[tokens : tokens + a.masked].astype(np.int64)),
            torch.from_numpy(r[tokens + a.masked :].astype(np.int64)),
        )
        for r in raw
    ]

    model = Mlm(a.vocab, a.d, a.heads, a.ff, a.layers, a.seq)
    # AdamW as the TF.js side: decay on matrices only, the rest undecayed.
    decay = [p for p in model.parameters() if p.dim() > 1]
    no_decay = [p for p in model.parameters() if p.dim() <= 1]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
    )
    ms, cpu_ms, losses = [], [], []
    for i in range(a.warmup + a.steps):
        ids, positions, labels = batches[i % len(batches)]
        cpu_start = time.process_time()
        start = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = model(ids, positions, labels, a.batch, a.seq)
        loss.backward()
        opt.step()
        value = loss.item()
        elapsed = (time.perf_counter() - start) * 1000
        cpu = (time.process_time() - cpu_start) * 1000
        if i >= a.warmup:
            ms.append(elapsed)
            cpu_ms.append(cpu)
            losses.append(value)
    # Debian's torch links the generic libblas.so.3; the alternatives system decides which BLAS that is.
    blas = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    print(json.dumps({"ms": ms, "cpuMs": cpu_ms, "losses": losses, "threads": torch.get_num_threads(), "blas": blas}))


if __name__ == "__main__":
    main()
