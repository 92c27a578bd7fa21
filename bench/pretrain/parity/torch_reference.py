#!/usr/bin/env python3
"""PyTorch reference of Headstart's encoder, the oracle for bench/pretrain/parity.

The same architecture as libs/model (and as Hugging Face's Megatron-BERT): learned positions, pre-LayerNorm
blocks with separate Q/K/V, exact-erf GELU, final LayerNorm, MLM head (dense -> GELU -> LayerNorm -> tied
decoder + bias) on the masked rows only. Module names equal the checkpoint's tensor names, so the
model.safetensors Headstart wrote loads with load_state_dict(strict=True).

Reads DIR/config.json, DIR/model.safetensors and DIR/batches.json, trains with torch.optim.AdamW (weight
decay on tensors of rank >= 2 only), clip_grad_norm_, and prints one JSON line per step:
{"step": i, "lr": ..., "loss": ..., "gradNorm": ..., "ms": ...}.

Usage: python3 torch_reference.py --dir DIR    (Debian python3-torch; no pip packages needed)
"""

import argparse
import json
import struct
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def load_safetensors(path):
    """The safetensors format by hand: u64 LE header length, JSON header, raw little-endian data."""
    with open(path, "rb") as f:
        blob = f.read()
    (length,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + length])
    header.pop("__metadata__", None)
    tensors = {}
    for name, entry in header.items():
        assert entry["dtype"] == "F32", f"{name}: {entry['dtype']}"
        begin, end = entry["data_offsets"]
        array = np.frombuffer(blob, dtype="<f4", count=(end - begin) // 4, offset=8 + length + begin)
        tensors[name] = torch.from_numpy(array.copy()).reshape(entry["shape"])
    return tensors


class SelfAttention(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.query, self.key, self.value = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)


class DenseOnly(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.dense = nn.Linear(d_in, d_out)


class Attention(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.ln = nn.LayerNorm(d, eps=eps)
        self.self = SelfAttention(d)
        self.output = DenseOnly(d, d)


class Layer(nn.Module):
    def __init__(self, d, ff, eps):
        super().__init__()
        self.attention = Attention(d, eps)
        self.ln = nn.LayerNorm(d, eps=eps)
        self.intermediate = DenseOnly(d, ff)
        self.output = DenseOnly(ff, d)


class Embeddings(nn.Module):
    def __init__(self, vocab, max_len, d):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, d)
        self.position_embeddings = nn.Embedding(max_len, d)
        self.token_type_embeddings = nn.Embedding(1, d)  # one all-zero row, frozen: we have no segments


class Encoder(nn.Module):
    def __init__(self, d, ff, layers, eps):
        super().__init__()
        self.layer = nn.ModuleList([Layer(d, ff, eps) for _ in range(layers)])
        self.ln = nn.LayerNorm(d, eps=eps)


class Bert(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = Embeddings(c["vocab_size"], c["max_position_embeddings"], c["hidden_size"])
        self.encoder = Encoder(c["hidden_size"], c["intermediate_size"], c["num_hidden_layers"], c["layer_norm_eps"])


class Transform(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.dense = nn.Linear(d, d)
        self.LayerNorm = nn.LayerNorm(d, eps=eps)


class Predictions(nn.Module):
    def __init__(self, d, vocab, eps):
        super().__init__()
        self.transform = Transform(d, eps)
        self.bias = nn.Parameter(torch.zeros(vocab))


class Cls(nn.Module):
    def __init__(self, d, vocab, eps):
        super().__init__()
        self.predictions = Predictions(d, vocab, eps)


class BertForMaskedLM(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads = c["num_attention_heads"]
        self.bert = Bert(c)
        self.cls = Cls(c["hidden_size"], c["vocab_size"], c["layer_norm_eps"])
        self.bert.embeddings.token_type_embeddings.weight.requires_grad_(False)

    def attention(self, layer, x, bias):
        batch, seq, d = x.shape
        dh = d // self.heads

        def split(t):
            return t.view(batch, seq, self.heads, dh).permute(0, 2, 1, 3)

        s = layer.attention.self
        q, k, v = split(s.query(x)), split(s.key(x)), split(s.value(x))
        scores = q @ k.transpose(-1, -2) / dh**0.5 + bias
        context = (scores.softmax(-1) @ v).permute(0, 2, 1, 3).reshape(batch, seq, d)
        return layer.attention.output.dense(context)

    def forward(self, input_ids, attention_mask, masked_positions, masked_labels):
        batch, seq = input_ids.shape
        e = self.bert.embeddings
        x = e.word_embeddings(input_ids) + e.position_embeddings.weight[:seq] + e.token_type_embeddings.weight[0]
        bias = (1.0 - attention_mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.bert.encoder.layer:
            x = x + self.attention(layer, layer.attention.ln(x), bias)
            x = x + layer.output.dense(F.gelu(layer.intermediate.dense(layer.ln(x))))
        x = self.bert.encoder.ln(x)
        rows = x.reshape(batch * seq, -1)[masked_positions]
        t = self.cls.predictions.transform
        h = t.LayerNorm(F.gelu(t.dense(rows)))
        logits = h @ e.word_embeddings.weight.T + self.cls.predictions.bias
        return F.cross_entropy(logits, masked_labels)  # mean over every masked token of the batch


def full_batch(micro_batches):
    """Concatenates micro-batches, re-basing flat masked positions: torch trains on the whole batch at once."""
    ids, mask, positions, labels, offset = [], [], [], [], 0
    for b in micro_batches:
        ids.append(torch.tensor(b["inputIds"]).view(b["batchSize"], b["seqLen"]))
        mask.append(torch.tensor(b["attentionMask"]).view(b["batchSize"], b["seqLen"]))
        positions.extend(p + offset for p in b["maskedPositions"])
        labels.extend(b["maskedLabels"])
        offset += b["batchSize"] * b["seqLen"]
    return torch.cat(ids), torch.cat(mask), torch.tensor(positions), torch.tensor(labels)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    with open(f"{args.dir}/config.json") as f:
        config = json.load(f)
    with open(f"{args.dir}/batches.json") as f:
        run = json.load(f)

    torch.manual_seed(0)
    model = BertForMaskedLM(config)
    model.load_state_dict(load_safetensors(f"{args.dir}/model.safetensors"), strict=True)
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    o = run["optimizer"]
    optimizer = torch.optim.AdamW(
        [
            {"params": [p for _, p in trainable if p.dim() >= 2], "weight_decay": o["weightDecay"]},
            {"params": [p for _, p in trainable if p.dim() < 2], "weight_decay": 0.0},
        ],
        lr=0.0,
        betas=(o["beta1"], o["beta2"]),
        eps=o["epsilon"],
    )
    for step, entry in enumerate(run["steps"]):
        start = time.perf_counter()
        for group in optimizer.param_groups:
            group["lr"] = entry["lr"]
        optimizer.zero_grad(set_to_none=True)
        loss = model(*full_batch(entry["microBatches"]))
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_([p for _, p in trainable], run["maxGradNorm"])
        optimizer.step()
        ms = (time.perf_counter() - start) * 1000
        record = {"step": step, "lr": entry["lr"], "loss": loss.item(), "gradNorm": norm.item(), "ms": ms}
        print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
