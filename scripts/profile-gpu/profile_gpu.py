#!/usr/bin/env python3
"""Operator profiles on one NVIDIA GPU, in the reference profiler's (Vidur's) CSV format.

For a catalog model and its tensor-parallel (TP) degrees, times every per-layer operator with the
shapes one TP shard runs, on one GPU: the GEMMs (QKV, output, gated up and down projections), the
activation, the norms, the rotary embedding, the residual add and the embedding gather (mlp.csv,
against num_tokens), and the attention kernels (attention.csv): causal prefill of a chunk over a KV
prefix, decode of a batch over a KV length, and the KV-cache write. Each time is taken with CUDA
events after warm-up runs, with the L2 cache flushed before every run (a real model's next layer
has other weights), and the rows record the min, max, mean, median and std over the repeats, in
milliseconds, as the reference does.

Output, under --out (default profiles/measured/): <sku>/<org>/<model>/mlp.csv, attention.csv and
metadata.json (GPU, driver, library versions, kernel choices, grid, wall time); with --matmul-peak
also <sku>/matmul_peak.json. llmcap reads such a folder with `--profiles profiles/measured`.

--dry-run needs no GPU and no PyTorch: it prints the plan (every shape and the number of
measurements) and exits. Exit status 2 with one `error:` line for any bad argument.
"""

import argparse
import datetime
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import time

TOOL_VERSION = "1.0"
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_CATALOG = os.path.join(ROOT, "profiles", "catalog")
DEFAULT_OUT = os.path.join(ROOT, "profiles", "measured")

STATS = ("min", "max", "mean", "median", "std")
# mlp.csv ops in the reference's column order; post_attention_layernorm only for models that have
# a separate norm before the MLP (as the reference's phi-2 profile lacks the column).
MLP_OPS = (
    "emb",
    "input_layernorm",
    "attn_pre_proj",
    "attn_rope",
    "attn_post_proj",
    "post_attention_layernorm",
    "mlp_up_proj",
    "mlp_act",
    "mlp_down_proj",
    "add",
)
MLP_SHAPE_COLUMNS = (
    "n_head",
    "n_kv_head",
    "n_embd",
    "n_expanded_embd",
    "vocab_size",
    "use_gated_mlp",
    "num_tokens",
    "num_tensor_parallel_workers",
)
ATTENTION_OPS = (
    "attn_input_reshape",
    "attn_kv_cache_save",
    "attn_prefill",
    "attn_decode",
    "attn_output_reshape",
)
ATTENTION_SHAPE_COLUMNS = (
    "n_embd",
    "n_q_head",
    "n_kv_head",
    "block_size",
    "num_tensor_parallel_workers",
    "max_model_len",
    "batch_size",
    "prefill_chunk_size",
    "kv_cache_size",
    "is_prefill",
    "attention_backend",
)
BLOCK_SIZE = 16
# Profiles reach the model's context length, but at least this far (as the reference profiles every
# model) and at most MAX_TOKENS: an iteration's tokens stay within the schedulers' token budgets.
MIN_TOKENS_GRID_END = 4096
MAX_TOKENS = 16384
# Decode points whose KV tokens (batch x length) exceed what 90% of the SKU's memory holds for
# the whole model's KV cache cannot occur in serving; the reference's profiler drops them too.
KV_MEMORY_FRACTION = 0.9
GRIDS = ("coarse", "default", "dense")


class UserError(Exception):
    """A mistake in the arguments or the catalog: one `error:` line, exit status 2."""


# ------------------------------------------------------------------------------------------------
# Catalog


def _scalar(text, where):
    text = text.strip()
    if text.startswith('"'):
        end = text.find('"', 1)
        while end > 0 and text[end - 1] == "\\":
            end = text.find('"', end + 1)
        if end < 0:
            raise UserError(f"{where}: unterminated string")
        return text[1:end].replace('\\"', '"')
    text = re.sub(r"\s+#.*$", "", text).strip()
    if text in ("true", "false"):
        return text == "true"
    if text in ("null", "~", ""):
        return None
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+(\.\d*)?([eE][-+]?\d+)?", text):
        return float(text)
    return text


def read_catalog_list(path, key):
    """The list of flat mappings under top-level `key` of a catalog YAML file.

    The catalog files hold only that structure (comments, `key:` then `  - field: value` items
    with `    field: value` continuation lines), which this reads without a YAML library so that
    --dry-run runs on a bare Python.
    """
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise UserError(f"{path}: cannot read: {e.strerror}") from None
    items, current, inside = [], None, False
    for n, line in enumerate(lines, 1):
        where = f"{path}:{n}"
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            inside = line.split(":", 1)[0].strip() == key
            continue
        if not inside:
            continue
        m = re.fullmatch(r"  - (\w+):(.*)", line) or re.fullmatch(r"    (\w+):(.*)", line)
        if m is None:
            raise UserError(f"{where}: expected '  - field: value' or '    field: value'")
        if line.startswith("  - "):
            current = {}
            items.append(current)
        elif current is None:
            raise UserError(f"{where}: field outside a list item")
        current[m.group(1)] = _scalar(m.group(2), where)
    if not items:
        raise UserError(f"{path}: no '{key}:' list")
    return items


MODEL_FIELDS = {
    "name": str,
    "num_layers": int,
    "num_q_heads": int,
    "num_kv_heads": int,
    "embedding_dim": int,
    "mlp_hidden_dim": int,
    "vocab_size": int,
    "use_gated_mlp": bool,
    "max_position_embeddings": int,
    "norm": str,
    "activation": str,
    "post_attn_norm": bool,
    "no_tensor_parallel": bool,
}
SKU_FIELDS = {"name": str, "fp16_tflops": float, "memory_gb": float}


def _checked(item, fields, path, what):
    out = {}
    for field, kind in fields.items():
        value = item.get(field)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise UserError(
                f"{path}: {what} {item.get('name')!r}: field '{field}' is {value!r};"
                f" expected {kind.__name__}"
            )
        out[field] = value
    return out


def load_model(catalog, name):
    path = os.path.join(catalog, "models.yaml")
    models = read_catalog_list(path, "models")
    for item in models:
        if item.get("name") == name:
            model = _checked(item, MODEL_FIELDS, path, "model")
            if model["norm"] not in ("rms_norm", "layer_norm"):
                raise UserError(f"{path}: model {name}: norm '{model['norm']}'; allowed: rms_norm, layer_norm")
            if model["activation"] not in ("silu", "gelu"):
                raise UserError(
                    f"{path}: model {name}: activation '{model['activation']}'; allowed: silu, gelu"
                )
            return model
    allowed = ", ".join(str(m.get("name")) for m in models)
    raise UserError(f"--model: unknown model '{name}'; allowed: {allowed}")


def load_sku(catalog, name):
    path = os.path.join(catalog, "skus.yaml")
    skus = read_catalog_list(path, "skus")
    for item in skus:
        if item.get("name") == name:
            return _checked(item, SKU_FIELDS, path, "sku")
    allowed = ", ".join(str(s.get("name")) for s in skus)
    raise UserError(f"--sku: unknown GPU SKU '{name}'; allowed: {allowed}")


# ------------------------------------------------------------------------------------------------
# Shapes and grids


class Shard:
    """The shapes one tensor-parallel rank runs (as llmcap's ModelSpec shards a model)."""

    def __init__(self, model, tp):
        q, kv, e, f = (
            model["num_q_heads"],
            model["num_kv_heads"],
            model["embedding_dim"],
            model["mlp_hidden_dim"],
        )
        name = model["name"]
        if tp < 1:
            raise UserError(f"--tp: {tp}; allowed: a positive integer")
        if model["no_tensor_parallel"] and tp != 1:
            raise UserError(f"--tp: {tp}; allowed: 1 ({name} cannot be split with tensor parallelism)")
        if q % tp or f % tp:
            raise UserError(
                f"--tp: {tp} does not divide {name}'s {q} query heads and MLP width {f};"
                f" allowed: {', '.join(str(t) for t in (1, 2, 4, 8, 16) if q % t == 0 and f % t == 0)}"
            )
        if e % q:
            raise UserError(f"models.yaml: {name}: embedding_dim {e} is not a multiple of num_q_heads {q}")
        self.model = model
        self.tp = tp
        self.head_dim = e // q
        self.q_heads = q // tp
        self.kv_heads = (kv + tp - 1) // tp  # replicated when there are fewer KV heads than ranks
        self.hidden = e
        self.mlp = f // tp
        self.up_width = (2 if model["use_gated_mlp"] else 1) * self.mlp
        self.vocab = (model["vocab_size"] + tp - 1) // tp
        self.qkv_width = self.head_dim * (self.q_heads + 2 * self.kv_heads)

    def kv_bytes_per_token_per_layer(self, dtype_bytes=2):
        return 2 * self.kv_heads * self.head_dim * dtype_bytes


def context_length(model):
    return min(MAX_TOKENS, model["max_position_embeddings"])


def _segments(segments, first=(1, 2, 4)):
    out = list(first)
    for lo, hi, step in segments:
        out.extend(range(lo, hi, step))
    return out


def token_grid(grid, limit):
    """num_tokens of mlp.csv up to `limit`, ascending."""
    if grid == "dense":  # the reference profiler's grid
        values = _segments(
            [(8, 1024, 8), (1024, 2048, 16), (2048, 4096, 32), (4096, 8192, 64), (8192, 16384, 128)]
        )
    elif grid == "default":  # llmcap's roofline profiles' grid: at most 3.2% apart
        values = _segments(
            [(8, 512, 8), (512, 1024, 16), (1024, 2048, 32), (2048, 4096, 64), (4096, 8192, 128),
             (8192, 16384, 256)]
        )
    else:  # about 1.5x apart: a quick look, too sparse to fit a model on
        values = [1, 2, 4, 8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536,
                  2048, 3072, 4096, 6144, 8192, 12288]
    values.append(MAX_TOKENS)
    return sorted(v for v in set(values) if v <= limit)


DECODE_BATCH = {
    "coarse": [1, 2, 4, 8, 16, 32, 64, 128, 256],
    "default": [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96, 128, 160, 192, 256],
    "dense": list(range(1, 129)) + list(range(136, 257, 8)),
}
DECODE_KV = {
    "coarse": [64, 256, 1024, 2048, 4096, 8192, 16384],
    "default": [64, 128, 192, 256, 384, 512, 768, 1024, 1280, 1536, 2048, 2560, 3072, 4096, 5120,
                6144, 8192, 10240, 12288, 16384],
    "dense": list(range(32, 1024, 32)) + list(range(1024, 4096, 64)) + list(range(4096, 16385, 256)),
}
PREFILL_CHUNKS = {
    "coarse": [16, 64, 256, 512, 1024, 2048, 4096],
    "default": [16, 32, 48, 64, 96, 128, 160, 192, 256, 320, 384, 448, 512, 640, 768, 896, 1024,
                1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096],
}
PREFILL_PREFIXES = {
    "coarse": [0, 1024, 4096, 12288],
    "default": [0, 256, 512, 1024, 1536, 2048, 3072, 4096, 6144, 8192, 12288],
}


def dense_prefill_points(context):
    """The reference profiler's prefill grid: chunks with KV prefixes that are multiples of the
    chunk, and whole prompts of every profiled length without a prefix."""
    chunks = _segments([(64, 128, 16), (128, 1024, 32), (1024, 4096, 64), (4096, 16385, 128)], [])
    points = set()
    for c in chunks:
        for kv in range(0, context - c + 1, c):
            points.add((kv, c))
    for seq in DECODE_KV["dense"]:
        if seq <= context:
            points.add((0, seq))
    return sorted(points)


class Plan:
    """What one (model, TP) profile measures: rows of mlp.csv and attention.csv."""

    def __init__(self, model, sku, tp, grid):
        self.shard = Shard(model, tp)
        self.model = model
        self.tp = tp
        self.context = context_length(model)
        self.mlp_ops = [op for op in MLP_OPS if op != "post_attention_layernorm" or model["post_attn_norm"]]
        self.tokens = token_grid(grid, max(MIN_TOKENS_GRID_END, self.context))
        # KV tokens the SKU's memory holds for the whole model (weights not counted, as in the
        # reference profiler): decode points beyond it are skipped.
        per_token = self.shard.kv_bytes_per_token_per_layer() * model["num_layers"]
        self.kv_capacity = int(KV_MEMORY_FRACTION * sku["memory_gb"] * 2**30 / per_token)
        decode = [
            (kv, b)
            for kv in DECODE_KV[grid]
            if kv <= self.context
            for b in DECODE_BATCH[grid]
        ]
        self.decode = [(kv, b) for kv, b in decode if b * (kv + 1) <= self.kv_capacity]
        self.decode_skipped = len(decode) - len(self.decode)
        if grid == "dense":
            self.prefill = dense_prefill_points(self.context)
        else:
            self.prefill = [
                (kv, c)
                for kv in PREFILL_PREFIXES[grid]
                for c in PREFILL_CHUNKS[grid]
                if kv + c <= self.context
            ]

    def mlp_measurements(self):
        return len(self.tokens) * len(self.mlp_ops)

    def attention_measurements(self):
        return 2 * (len(self.decode) + len(self.prefill))  # the kernel and the KV-cache write

    def measurements(self):
        return self.mlp_measurements() + self.attention_measurements()

    def op_shapes(self):
        """(op, kind, shape with T, B, C, KV symbolic) for the printout."""
        s = self.shard
        e, d = s.hidden, s.head_dim
        norm = self.model["norm"]
        act = "silu_and_mul" if self.model["use_gated_mlp"] else "gelu"
        shapes = {
            "emb": ("embedding", f"[T] rows of [{s.vocab} x {e}]"),
            "input_layernorm": (norm, f"[T x {e}]"),
            "attn_pre_proj": ("gemm", f"[T x {e}] x [{e} x {s.qkv_width}]"),
            "attn_rope": ("rotary", f"q [T x {s.q_heads} x {d}], k [T x {s.kv_heads} x {d}]"),
            "attn_post_proj": ("gemm", f"[T x {d * s.q_heads}] x [{d * s.q_heads} x {e}]"),
            "post_attention_layernorm": (norm, f"[T x {e}]"),
            "mlp_up_proj": ("gemm", f"[T x {e}] x [{e} x {s.up_width}]"),
            "mlp_act": (act, f"[T x {s.up_width}] -> [T x {s.mlp}]"),
            "mlp_down_proj": ("gemm", f"[T x {s.mlp}] x [{s.mlp} x {e}]"),
            "add": ("add", f"[T x {e}] + [T x {e}]"),
        }
        out = [(op,) + shapes[op] for op in self.mlp_ops]
        out.append(
            ("attn_decode", "attention", f"q [B x {s.q_heads} x 1 x {d}], k, v [B x {s.kv_heads} x (KV+1) x {d}]")
        )
        out.append(
            ("attn_prefill", "causal attention",
             f"q [1 x {s.q_heads} x C x {d}], k, v [1 x {s.kv_heads} x (KV+C) x {d}], lower-right mask")
        )
        out.append(
            ("attn_kv_cache_save", "scatter",
             f"k, v [N x {s.kv_heads} x {d}] into a block-{BLOCK_SIZE} cache, N = B (decode) or C (prefill)")
        )
        return out

    def concrete(self):
        """(file, op, shape) for every measurement, in file order."""
        templates = {op: shape for op, _, shape in self.op_shapes()}
        out = []
        for t in self.tokens:
            for op in self.mlp_ops:
                out.append(("mlp", op, templates[op].replace("T", str(t))))
        for kv, b in self.decode:
            out.append(("attention", "attn_decode", _subst(templates["attn_decode"], B=b, KV=kv)))
            out.append(("attention", "attn_kv_cache_save", f"N={b}"))
        for kv, c in self.prefill:
            out.append(("attention", "attn_prefill", _subst(templates["attn_prefill"], C=c, KV=kv)))
            out.append(("attention", "attn_kv_cache_save", f"N={c}"))
        return out


def _subst(template, **values):
    text = template
    for k in sorted(values, key=len, reverse=True):
        text = re.sub(rf"\b{k}\b", str(values[k]), text)
    return text


def refinement_order(n):
    """Indices 0..n-1, coarse to fine: the ends, then every 2^k-th for decreasing k. A run stopped
    by its time budget has then measured a spread of points rather than one end of the grid."""
    if n <= 2:
        return list(range(n))

    def level(i):
        return (i & -i).bit_length() if i else 64

    rest = sorted(range(1, n - 1), key=lambda i: (-level(i), i))
    return [0, n - 1] + rest


# ------------------------------------------------------------------------------------------------
# CSV output


def mlp_header(plan):
    cols = [f"time_stats.{op}.{s}" for op in plan.mlp_ops for s in STATS]
    return cols + list(MLP_SHAPE_COLUMNS)


def attention_header():
    cols = [f"time_stats.{op}.{s}" for op in ATTENTION_OPS for s in STATS]
    return cols + list(ATTENTION_SHAPE_COLUMNS)


def fmt(ms):
    return f"{ms:.6g}"


def stat_cells(times):
    """min, max, mean, median and std (population) of a list of milliseconds; empty when None."""
    if times is None:
        return [""] * len(STATS)
    return [
        fmt(min(times)),
        fmt(max(times)),
        fmt(statistics.fmean(times)),
        fmt(statistics.median(times)),
        fmt(statistics.pstdev(times)),
    ]


def mlp_row(plan, tokens, times):
    m = plan.model
    cells = []
    for op in plan.mlp_ops:
        cells += stat_cells(times.get(op))
    cells += [
        m["num_q_heads"], m["num_kv_heads"], m["embedding_dim"], m["mlp_hidden_dim"],
        m["vocab_size"], "True" if m["use_gated_mlp"] else "False", tokens, plan.tp,
    ]
    return [str(c) for c in cells]


def attention_row(plan, kv, batch, chunk, times, backend):
    """One attention.csv row; `chunk` 0 for decode. The reshape ops of the reference's sarathi
    backend do not exist here (tensors are built in the kernels' layout): 0 ms."""
    m = plan.model
    cells = []
    for op in ATTENTION_OPS:
        if op in ("attn_input_reshape", "attn_output_reshape"):
            cells += ["0"] * len(STATS)
        else:
            cells += stat_cells(times.get(op))
    cells += [
        m["embedding_dim"], m["num_q_heads"], m["num_kv_heads"], BLOCK_SIZE, plan.tp, plan.context,
        batch, chunk, kv, "True" if chunk else "False", backend,
    ]
    return [str(c) for c in cells]


def write_atomically(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    os.replace(tmp, path)


def write_csv(path, header, rows, tps, tp_column):
    """Writes rows, keeping an existing file's rows of other TP degrees (so TP degrees can be
    profiled in separate runs); an existing file with another header is replaced."""
    kept = []
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        if lines and lines[0].split(",") == header:
            col = header.index(tp_column)
            kept = [ln.split(",") for ln in lines[1:] if ln and int(ln.split(",")[col]) not in tps]
    col = header.index(tp_column)
    all_rows = sorted(kept + rows, key=lambda r: int(r[col]))  # stable: each TP keeps its order
    write_atomically(path, "\n".join(",".join(r) for r in [header] + all_rows) + "\n")


def profile_dir(out, sku, model):
    return os.path.join(out, sku, *model.split("/"))


# ------------------------------------------------------------------------------------------------
# Dry run


def print_plan(plans, listing, out=None):
    out = out or sys.stdout
    total_rows = 0
    for p in plans:
        s = p.shard
        m = p.model
        print(f"plan {m['name']} TP{p.tp}: per rank {s.q_heads} q heads, {s.kv_heads} kv heads,"
              f" head dim {s.head_dim}, hidden {s.hidden}, MLP {s.mlp}"
              f"{' (gated)' if m['use_gated_mlp'] else ''}, context {p.context}", file=out)
        for op, kind, shape in p.op_shapes():
            print(f"  shape {op:<26} {kind:<17} {shape}", file=out)
        print(f"  num_tokens ({len(p.tokens)}): {' '.join(map(str, p.tokens))}", file=out)
        batches = sorted({b for _, b in p.decode})
        kvs = sorted({kv for kv, _ in p.decode})
        print(f"  decode batch_size ({len(batches)}): {' '.join(map(str, batches))}", file=out)
        print(f"  decode kv_cache_size ({len(kvs)}): {' '.join(map(str, kvs))}", file=out)
        if p.decode_skipped:
            print(f"  decode points skipped: {p.decode_skipped} hold more than the {p.kv_capacity}"
                  f" KV tokens that {KV_MEMORY_FRACTION:.0%} of the SKU's memory holds", file=out)
        print(f"  prefill kv_cache_size+prefill_chunk_size ({len(p.prefill)}):"
              f" {' '.join(f'{kv}+{c}' for kv, c in p.prefill)}", file=out)
        print(f"  mlp.csv: {len(p.tokens)} rows x {len(p.mlp_ops)} ops = {p.mlp_measurements()} measurements",
              file=out)
        print(f"  attention.csv: {len(p.decode)} decode + {len(p.prefill)} prefill rows x 2 ops"
              f" = {p.attention_measurements()} measurements", file=out)
        if listing:
            for file, op, shape in p.concrete():
                print(f"  measure {file} TP{p.tp} {op} {shape}", file=out)
        total_rows += len(p.tokens) + len(p.decode) + len(p.prefill)
    total = sum(p.measurements() for p in plans)
    print(f"total: {total} measurements in {total_rows} rows for {len(plans)} configuration(s)", file=out)
    return total


def write_plan_files(plans, folder, sku):
    """The planned rows with empty times: the exact files a run writes, less the measurements."""
    model = plans[0].model["name"]
    d = profile_dir(folder, sku, model)
    mlp_rows, attn_rows = [], []
    for p in plans:
        mlp_rows += [mlp_row(p, t, {}) for t in p.tokens]
        attn_rows += [attention_row(p, kv, b, 0, {}, "") for kv, b in p.decode]
        attn_rows += [attention_row(p, kv, 1, c, {}, "") for kv, c in p.prefill]
    tps = {p.tp for p in plans}
    write_csv(os.path.join(d, "mlp.csv"), mlp_header(plans[0]), mlp_rows, tps,
              "num_tensor_parallel_workers")
    write_csv(os.path.join(d, "attention.csv"), attention_header(), attn_rows, tps,
              "num_tensor_parallel_workers")
    return d


# ------------------------------------------------------------------------------------------------
# Measuring (PyTorch, imported only here)


class Timer:
    """Times a callable: warm-up runs, then `repeats` runs each between two CUDA events, one
    synchronisation at the end. Before every run the L2 cache is flushed and the GPU is given a
    short sleep kernel, so the CPU enqueues the op while the GPU is still busy and the events
    measure the op's GPU time, not its launch overhead."""

    def __init__(self, torch, device, warmup, repeats, flush_l2):
        self.torch = torch
        self.cuda = device == "cuda"
        self.warmup = warmup
        self.repeats = repeats
        self.flush_bytes = 0
        self.sleep = None
        if self.cuda:
            props = torch.cuda.get_device_properties(0)
            l2 = int(getattr(props, "L2_cache_size", 0) or 64 * 2**20)
            if flush_l2:
                self.flush_bytes = 2 * l2
                self.flush_buf = torch.empty(self.flush_bytes, dtype=torch.uint8, device="cuda")
            sleep = getattr(torch.cuda, "_sleep", None)
            if sleep is not None:
                self.sleep = lambda: sleep(100_000)  # about 50 us at 2 GHz

    def _prepare(self):
        if self.flush_bytes:
            self.flush_buf.zero_()
        if self.sleep is not None:
            self.sleep()

    def measure(self, fn):
        torch = self.torch
        for _ in range(self.warmup):
            self._prepare()
            fn()
        if not self.cuda:
            times = []
            for _ in range(self.repeats):
                start = time.perf_counter()
                fn()
                times.append((time.perf_counter() - start) * 1e3)
            return times
        events = []
        for _ in range(self.repeats):
            self._prepare()
            start = torch.cuda.Event(enable_timing=True)
            end = torch.cuda.Event(enable_timing=True)
            start.record()
            fn()
            end.record()
            events.append((start, end))
        torch.cuda.synchronize()
        return [s.elapsed_time(e) for s, e in events]


def reference_attention(torch, q, k, v, causal):
    """Attention in float32 with explicit GQA expansion and a lower-right causal mask: the
    reference the kernels are checked against, and the kernel of last resort."""
    group = q.shape[1] // k.shape[1]
    kf = k.float().repeat_interleave(group, dim=1)
    vf = v.float().repeat_interleave(group, dim=1)
    scores = torch.matmul(q.float(), kf.transpose(-1, -2)) / math.sqrt(q.shape[-1])
    if causal:
        lq, lk = q.shape[2], k.shape[2]
        i = torch.arange(lq, device=q.device).unsqueeze(1)
        j = torch.arange(lk, device=q.device).unsqueeze(0)
        scores = scores.masked_fill(j > i + (lk - lq), float("-inf"))
    return torch.matmul(torch.softmax(scores, dim=-1), vf).to(q.dtype)


class Kernels:
    """The operators, each as a function of preallocated tensors, with the attention kernels
    chosen per phase: the fastest candidate that agrees with reference_attention on probes."""

    def __init__(self, torch, device, dtype, elementwise, backend, log):
        self.torch = torch
        self.F = torch.nn.functional
        self.device = device
        self.dtype = dtype
        self.log = log
        self.backend = backend
        self.choices = {}
        self.attention = {}
        self._elementwise(elementwise)

    def attention_for(self, shard):
        """(decode name, fn, prefill name, fn) for a shard's heads and head size, chosen once."""
        key = (shard.q_heads, shard.kv_heads, shard.head_dim)
        if key not in self.attention:
            choices = {}
            decode = self._choose("decode", self._decode_candidates(self.backend), key, choices)
            prefill = self._choose("prefill", self._prefill_candidates(self.backend), key, choices)
            self.attention[key] = (decode + prefill, choices)
        return self.attention[key]

    # Elementwise ops: eager PyTorch, or fused by torch.compile (closer to the fused kernels of a
    # serving engine); a function that fails to compile or disagrees with eager stays eager.
    def _elementwise(self, mode):
        torch, F = self.torch, self.F

        def rms_norm(x, w):
            if hasattr(F, "rms_norm"):
                return F.rms_norm(x, (x.shape[-1],), w, 1e-5)
            var = x.float().pow(2).mean(-1, keepdim=True)
            return (x.float() * torch.rsqrt(var + 1e-5)).to(x.dtype) * w

        def layer_norm(x, w):
            return F.layer_norm(x, (x.shape[-1],), w, None, 1e-5)

        def silu_and_mul(x):
            h = x.shape[-1] // 2
            return F.silu(x[..., :h]) * x[..., h:]

        def gelu(x):
            return F.gelu(x, approximate="tanh")

        def rope(q, k, positions, cache):
            cos, sin = cache.index_select(0, positions).unsqueeze(1).chunk(2, dim=-1)

            def rotate(x):
                x1, x2 = x.chunk(2, dim=-1)
                return torch.cat((x1 * cos - x2 * sin, x2 * cos + x1 * sin), dim=-1)

            return rotate(q), rotate(k)

        def add(x, r):
            return x + r

        self.ew = {"rms_norm": rms_norm, "layer_norm": layer_norm, "silu_and_mul": silu_and_mul,
                   "gelu": gelu, "rope": rope, "add": add}
        self.choices["elementwise"] = {name: "eager" for name in self.ew}
        # layer_norm, gelu and add are one kernel each already; the others are several in eager.
        fusable = ("rms_norm", "silu_and_mul", "rope")
        if mode != "compile":
            return
        compile_fn = getattr(torch, "compile", None)
        if compile_fn is None:
            self.choices["elementwise_note"] = f"torch {torch.__version__} has no torch.compile"
            return
        probes = self._elementwise_probes()
        for name in fusable:
            fn = self.ew[name]
            try:
                compiled = compile_fn(fn, dynamic=True)
                for args in probes[name]:
                    got, want = compiled(*args), fn(*args)
                    got = got if isinstance(got, tuple) else (got,)
                    want = want if isinstance(want, tuple) else (want,)
                    for g, w in zip(got, want):
                        if not torch.allclose(g.float(), w.float(), atol=2e-2, rtol=2e-2):
                            raise ValueError("compiled result differs from eager")
                self.ew[name] = compiled
                self.choices["elementwise"][name] = "torch.compile"
            except Exception as e:  # any compile failure: keep the eager function
                self.choices["elementwise"][name] = f"eager (compile failed: {type(e).__name__}: {e})"[:300]
        self.log(f"elementwise ops: {self.choices['elementwise']}")

    def _elementwise_probes(self):
        torch = self.torch
        out = {}
        for name in ("rms_norm", "silu_and_mul", "rope"):
            cases = []
            for t in (1, 37):  # dynamic shapes still specialise a size of 1
                x = self._randn(t, 64)
                if name == "rms_norm":
                    cases.append((x, self._randn(64)))
                elif name == "rope":
                    cache = self._randn(128, 16)
                    pos = torch.randint(0, 128, (t,), device=self.device)
                    cases.append((self._randn(t, 4, 16), self._randn(t, 2, 16), pos, cache))
                else:
                    cases.append((x,))
            out[name] = cases
        return out

    def _randn(self, *shape):
        return self.torch.randn(*shape, device=self.device, dtype=self.dtype)

    # Attention candidates: (name, fn(q, k, v) -> out) for decode, fn(q, k, v) causal for prefill.
    def _sdpa_backends(self):
        try:
            from torch.nn.attention import SDPBackend, sdpa_kernel
        except ImportError:
            return []
        names = ("FLASH_ATTENTION", "CUDNN_ATTENTION", "EFFICIENT_ATTENTION")
        return [(n, getattr(SDPBackend, n), sdpa_kernel) for n in names if hasattr(SDPBackend, n)]

    def _flashinfer(self):
        try:
            import flashinfer
        except ImportError:
            return None
        return flashinfer

    def _decode_candidates(self, backend):
        torch, F = self.torch, self.F
        out = []
        if backend in ("auto", "sdpa") and hasattr(F, "scaled_dot_product_attention"):
            for name, b, ctx in self._sdpa_backends():
                def fn(q, k, v, b=b, ctx=ctx):
                    with ctx([b]):
                        return F.scaled_dot_product_attention(q, k, v, enable_gqa=True)
                out.append((f"TORCH_SDPA_{name}", fn))
        fi = self._flashinfer() if backend in ("auto", "flashinfer") else None
        if fi is not None:
            out.append(("FLASHINFER", self._flashinfer_decode(fi)))
        if backend in ("auto", "math") or not out:
            out.append(("TORCH_MATH", lambda q, k, v: reference_attention(torch, q, k, v, False)))
        return out

    def _prefill_candidates(self, backend):
        torch, F = self.torch, self.F
        out = []
        if backend in ("auto", "sdpa") and hasattr(F, "scaled_dot_product_attention"):
            try:
                from torch.nn.attention.bias import causal_lower_right
            except ImportError:
                causal_lower_right = None
            if causal_lower_right is not None:
                def lower_right(q, k, v):
                    mask = causal_lower_right(q.shape[2], k.shape[2])
                    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, enable_gqa=True)
                out.append(("TORCH_SDPA_CAUSAL_LOWER_RIGHT", lower_right))
            # is_causal=True is lower-right for some backends (FlashAttention's own convention) and
            # upper-left for others: the probe with a KV prefix keeps only the right ones.
            for name, b, ctx in self._sdpa_backends():
                def fn(q, k, v, b=b, ctx=ctx):
                    with ctx([b]):
                        return F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
                out.append((f"TORCH_SDPA_{name}", fn))
        fi = self._flashinfer() if backend in ("auto", "flashinfer") else None
        if fi is not None:
            def flashinfer_prefill(q, k, v):
                # Batch 1: [L, heads, dim] tensors; FlashInfer's causal mask is lower-right.
                o = fi.single_prefill_with_kv_cache(
                    q[0].transpose(0, 1), k[0].transpose(0, 1), v[0].transpose(0, 1), causal=True
                )
                return o.transpose(0, 1).unsqueeze(0)
            out.append(("FLASHINFER", flashinfer_prefill))
        if backend in ("auto", "math") or not out:
            out.append(("TORCH_MATH", lambda q, k, v: reference_attention(torch, q, k, v, True)))
        return out

    def _flashinfer_decode(self, fi):
        """Batch decode over a paged cache (pages of BLOCK_SIZE, NHD layout); the plan (CPU work
        a serving engine does once per step) is made outside the timed call."""
        torch = self.torch
        workspace = torch.empty(128 * 2**20, dtype=torch.uint8, device=self.device)
        wrapper = fi.BatchDecodeWithPagedKVCacheWrapper(workspace, "NHD")
        cache = {}

        def run(q, k, v):
            b, hq, _, d = q.shape
            hk, kv = k.shape[1], k.shape[2]
            key = (b, hq, hk, kv, d, q.data_ptr(), k.data_ptr())
            if key not in cache:
                pages = (kv + BLOCK_SIZE - 1) // BLOCK_SIZE
                padded = pages * BLOCK_SIZE
                paged = torch.zeros(b * pages, 2, BLOCK_SIZE, hk, d, device=q.device, dtype=q.dtype)
                kp = torch.zeros(b, padded, hk, d, device=q.device, dtype=q.dtype)
                vp = torch.zeros_like(kp)
                kp[:, :kv] = k.transpose(1, 2)
                vp[:, :kv] = v.transpose(1, 2)
                paged[:, 0] = kp.reshape(b * pages, BLOCK_SIZE, hk, d)
                paged[:, 1] = vp.reshape(b * pages, BLOCK_SIZE, hk, d)
                indptr = torch.arange(0, b * pages + 1, pages, device=q.device, dtype=torch.int32)
                indices = torch.arange(b * pages, device=q.device, dtype=torch.int32)
                last = torch.full((b,), kv - (pages - 1) * BLOCK_SIZE, device=q.device, dtype=torch.int32)
                plan = getattr(wrapper, "plan", None) or wrapper.begin_forward
                plan(indptr, indices, last, hq, hk, d, BLOCK_SIZE, data_type=q.dtype)
                cache.clear()  # one shape at a time: the wrapper holds one plan
                cache[key] = paged
            forward = getattr(wrapper, "run", None) or wrapper.forward
            return forward(q[:, :, 0, :], cache[key]).unsqueeze(2)

        return run

    def _choose(self, phase, candidates, key, choices):
        """The fastest candidate that matches the reference on probes of the shard's head counts
        and head size; every candidate tried is recorded in `choices`."""
        torch = self.torch
        hq, hk, d = key
        if phase == "decode":  # (batch, KV length incl. the new token)
            shapes = [((b, hq, 1, d), (b, hk, n, d)) for b, n in ((16, 1 + 1000), (3, 1 + 77))]
        else:  # (chunk, KV prefix + chunk): with a prefix, without, and a short chunk
            shapes = [((1, hq, c, d), (1, hk, n, d)) for c, n in ((256, 512), (300, 300), (24, 1024))]
        tried = {}
        best = None
        timer = Timer(torch, self.device, 2, 5, False)
        for name, fn in candidates:
            try:
                for qs, ks in shapes:
                    q, k, v = self._randn(*qs), self._randn(*ks), self._randn(*ks)
                    want = reference_attention(torch, q, k, v, phase == "prefill")
                    got = fn(q, k, v)
                    err = (got.float() - want.float()).abs().max().item()
                    if not err < (2e-2 if self.dtype == torch.float16 else 6e-2):
                        raise ValueError(f"differs from the reference by {err:.3g}")
                qs, ks = shapes[0]
                q, k, v = self._randn(*qs), self._randn(*ks), self._randn(*ks)
                ms = statistics.median(timer.measure(lambda: fn(q, k, v)))
                tried[name] = f"ok, {ms:.4f} ms on the probe"
                if best is None or ms < best[2]:
                    best = (name, fn, ms)
            except Exception as e:  # a kernel that cannot run these shapes is not a candidate
                tried[name] = f"rejected: {type(e).__name__}: {e}"[:300]
        choices[f"{phase}_candidates"] = tried
        if best is None:
            raise RuntimeError(f"no {phase} attention kernel runs heads {hq}/{hk} x {d}: {tried}")
        choices[f"{phase}_kernel"] = best[0]
        self.log(f"{phase} attention for {hq} q / {hk} kv heads x {d}: {best[0]} ({tried[best[0]]})")
        return best[0], best[1]


class Profiler:
    def __init__(self, args, model, sku, log):
        import torch  # noqa: PLC0415 - only a real run needs PyTorch

        self.torch = torch
        self.args = args
        self.model = model
        self.sku = sku
        self.log = log
        self.device = args.device
        self.dtype = {"float16": torch.float16, "bfloat16": torch.bfloat16}[args.dtype]
        torch.manual_seed(args.seed)
        self.timer = Timer(torch, self.device, args.warmup, args.repeats, not args.no_l2_flush)
        self.kernels = Kernels(torch, self.device, self.dtype, args.elementwise, args.backend, log)
        if self.device == "cuda":
            # An idle GPU runs at low clocks: a second of matrix products raises them first.
            a = self.randn(8192, 8192)
            end = time.monotonic() + 1.0
            while time.monotonic() < end:
                for _ in range(20):
                    torch.matmul(a, a)
                torch.cuda.synchronize()
            del a

    def randn(self, *shape):
        return self.torch.randn(*shape, device=self.device, dtype=self.dtype)

    def _is_oom(self, e):
        oom = getattr(self.torch.cuda, "OutOfMemoryError", ())
        return isinstance(e, oom) or "out of memory" in str(e)

    def mlp_rows(self, plan, deadline):
        torch, ew = self.torch, self.kernels.ew
        F = torch.nn.functional
        s = plan.shard
        t_max = max(plan.tokens)
        e = s.hidden
        w = {
            "emb": self.randn(s.vocab, e),
            "norm": self.randn(e),
            "qkv": self.randn(s.qkv_width, e),
            "o": self.randn(e, s.head_dim * s.q_heads),
            "up": self.randn(s.up_width, e),
            "down": self.randn(e, s.mlp),
            "rope": self.randn(plan.context + 1, s.head_dim),
        }
        x = {
            "ids": torch.randint(0, s.vocab, (t_max,), device=self.device),
            "pos": torch.randint(0, plan.context, (t_max,), device=self.device),
            "e": self.randn(t_max, e),
            "r": self.randn(t_max, e),
            "attn": self.randn(t_max, s.head_dim * s.q_heads),
            "up": self.randn(t_max, s.up_width),
            "mlp": self.randn(t_max, s.mlp),
            "q": self.randn(t_max, s.q_heads, s.head_dim),
            "k": self.randn(t_max, s.kv_heads, s.head_dim),
        }
        norm = ew["rms_norm"] if plan.model["norm"] == "rms_norm" else ew["layer_norm"]
        act = ew["silu_and_mul"] if plan.model["use_gated_mlp"] else ew["gelu"]
        ops = {
            "emb": lambda t: F.embedding(x["ids"][:t], w["emb"]),
            "input_layernorm": lambda t: norm(x["e"][:t], w["norm"]),
            "attn_pre_proj": lambda t: F.linear(x["e"][:t], w["qkv"]),
            "attn_rope": lambda t: ew["rope"](x["q"][:t], x["k"][:t], x["pos"][:t], w["rope"]),
            "attn_post_proj": lambda t: F.linear(x["attn"][:t], w["o"]),
            "post_attention_layernorm": lambda t: norm(x["r"][:t], w["norm"]),
            "mlp_up_proj": lambda t: F.linear(x["e"][:t], w["up"]),
            "mlp_act": lambda t: act(x["up"][:t]),
            "mlp_down_proj": lambda t: F.linear(x["mlp"][:t], w["down"]),
            "add": lambda t: ew["add"](x["e"][:t], x["r"][:t]),
        }
        rows, stopped = {}, False
        for i in refinement_order(len(plan.tokens)):
            if time.monotonic() >= deadline:
                stopped = True
                break
            t = plan.tokens[i]
            times = {op: self.timer.measure(lambda op=op: ops[op](t)) for op in plan.mlp_ops}
            rows[t] = mlp_row(plan, t, times)
        return [rows[t] for t in plan.tokens if t in rows], stopped

    def attention_rows(self, plan, deadline):
        torch = self.torch
        s = plan.shard
        (decode_name, decode_fn, prefill_name, prefill_fn), _ = self.kernels.attention_for(s)
        d, hq, hk = s.head_dim, s.q_heads, s.kv_heads
        n_max = max([b for _, b in plan.decode] + [c for _, c in plan.prefill] + [1])
        blocks = 4 * ((n_max + BLOCK_SIZE - 1) // BLOCK_SIZE)
        k_cache = self.randn(blocks * BLOCK_SIZE, hk, d)
        v_cache = self.randn(blocks * BLOCK_SIZE, hk, d)
        # Slots of the new tokens: consecutive within a block, blocks scattered as a paged
        # allocator leaves them.
        block_order = torch.randperm(blocks, device=self.device)
        slot_all = (block_order.repeat_interleave(BLOCK_SIZE) * BLOCK_SIZE
                    + torch.arange(BLOCK_SIZE, device=self.device).repeat(blocks))
        new_k = self.randn(n_max, hk, d)
        new_v = self.randn(n_max, hk, d)

        def save(n):
            slots = slot_all[:n]
            k_cache.index_copy_(0, slots, new_k[:n])
            v_cache.index_copy_(0, slots, new_v[:n])

        points = [("decode", kv, b) for kv, b in plan.decode] + [("prefill", kv, c) for kv, c in plan.prefill]
        rows, skipped, stopped = {}, [], False
        for i in refinement_order(len(points)):
            if time.monotonic() >= deadline:
                stopped = True
                break
            phase, kv, n = points[i]
            try:
                if phase == "decode":
                    q = self.randn(n, hq, 1, d)
                    kk, vv = self.randn(n, hk, kv + 1, d), self.randn(n, hk, kv + 1, d)
                    fn = decode_fn
                else:
                    q = self.randn(1, hq, n, d)
                    kk, vv = self.randn(1, hk, kv + n, d), self.randn(1, hk, kv + n, d)
                    fn = prefill_fn
                times = {
                    f"attn_{phase}": self.timer.measure(lambda: fn(q, kk, vv)),
                    "attn_kv_cache_save": self.timer.measure(lambda: save(n)),
                }
                del q, kk, vv
            except Exception as e:
                if not self._is_oom(e):
                    raise
                skipped.append(f"{phase} kv={kv} n={n}: out of memory")
                if self.device == "cuda":
                    torch.cuda.empty_cache()
                continue
            if phase == "decode":
                rows[points[i]] = attention_row(plan, kv, n, 0, times, "AttentionBackend." + decode_name)
            else:
                rows[points[i]] = attention_row(plan, kv, 1, n, times, "AttentionBackend." + prefill_name)
        return [rows[p] for p in points if p in rows], stopped, skipped


MATMUL_SHAPES = ((4096, 4096, 4096), (8192, 8192, 8192), (16384, 16384, 16384), (16384, 28672, 8192))


def matmul_peak(torch, sku, device, dtype_names, log):
    """Achieved TFLOP/s of large single-GPU matrix products against the catalog's dense peak."""
    timer = Timer(torch, device, 3, 10, False)
    results = []
    for dn in dtype_names:
        dtype = getattr(torch, dn)
        for m, n, kdim in MATMUL_SHAPES:
            a = torch.randn(m, kdim, device=device, dtype=dtype)
            b = torch.randn(kdim, n, device=device, dtype=dtype)
            ms = statistics.median(timer.measure(lambda: torch.matmul(a, b)))
            tflops = 2 * m * n * kdim / (ms * 1e-3) / 1e12
            frac = tflops / sku["fp16_tflops"]
            results.append({"dtype": dn, "m": m, "n": n, "k": kdim, "median_ms": round(ms, 4),
                            "tflops": round(tflops, 1), "fraction_of_catalog_peak": round(frac, 3)})
            log(f"matmul {dn} {m}x{kdim} @ {kdim}x{n}: {ms:.3f} ms, {tflops:.1f} TFLOP/s,"
                f" {frac:.1%} of the catalog's {sku['fp16_tflops']} TFLOP/s")
            del a, b
    return results


def environment(torch, device):
    env = {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cuda": getattr(torch.version, "cuda", None),
        "device": device,
    }
    try:
        import flashinfer
        env["flashinfer"] = getattr(flashinfer, "__version__", "unknown")
    except ImportError:
        env["flashinfer"] = None
    if device == "cuda":
        props = torch.cuda.get_device_properties(0)
        env["gpu"] = torch.cuda.get_device_name(0)
        env["compute_capability"] = f"{props.major}.{props.minor}"
        env["gpu_memory_bytes"] = int(props.total_memory)
        env["multiprocessors"] = int(props.multi_processor_count)
        env["l2_cache_bytes"] = int(getattr(props, "L2_cache_size", 0))
        env["cudnn"] = torch.backends.cudnn.version()
        try:
            smi = subprocess.run(
                ["nvidia-smi", "--query-gpu=driver_version,clocks.max.sm,clocks.max.memory",
                 "--format=csv,noheader", "-i", "0"],
                capture_output=True, text=True, timeout=30, check=True)
            driver, sm, mem = [c.strip() for c in smi.stdout.strip().split(",")]
            env.update({"driver": driver, "max_sm_clock": sm, "max_memory_clock": mem})
        except (OSError, subprocess.SubprocessError, ValueError) as e:
            env["driver"] = f"unknown (nvidia-smi: {type(e).__name__})"
    else:
        env["gpu"] = None
        env["cpu"] = platform.processor() or platform.machine()
    return env


def run(args, model, sku, plans, log):
    started = time.monotonic()
    started_utc = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    try:
        import torch
    except ImportError:
        raise UserError("PyTorch is not installed (pip install -r scripts/profile-gpu/requirements.txt);"
                        " --dry-run works without it") from None
    if args.device == "cuda" and not torch.cuda.is_available():
        raise UserError("no CUDA GPU: torch.cuda.is_available() is False; --dry-run needs none")
    budget_end = started + args.time_budget if args.time_budget else math.inf
    env = environment(torch, args.device)
    log(f"device: {env.get('gpu') or env.get('cpu')}, torch {env['torch']}, CUDA {env['cuda']}")

    if args.matmul_peak:
        path = os.path.join(args.out, args.sku, "matmul_peak.json")
        results = matmul_peak(torch, sku, args.device, ["float16", "bfloat16"], log)
        write_atomically(path, json.dumps({
            "sku": args.sku, "catalog_fp16_tflops": sku["fp16_tflops"], "environment": env,
            "measured_utc": started_utc, "method": "median of 10 timed products after 3 warm-ups,"
            " CUDA events, random normal inputs", "results": results}, indent=2) + "\n")
        log(f"wrote {path}")
    if not plans:
        return

    prof = Profiler(args, model, sku, log)
    mlp_rows, attn_rows, stopped_any = [], [], False
    phases = []
    for p in plans:
        phases += [(p, "mlp", p.mlp_measurements()), (p, "attention", p.attention_measurements())]
    remaining_cost = sum(c for _, _, c in phases)
    info = {}
    for p, kind, cost in phases:
        now = time.monotonic()
        # Each phase gets its share of the time left, in proportion to its measurements; time a
        # phase leaves unused passes on to the next.
        deadline = now + (budget_end - now) * cost / remaining_cost if math.isfinite(budget_end) else math.inf
        remaining_cost -= cost
        t0 = time.monotonic()
        entry = info.setdefault(p.tp, {"tp": p.tp})
        if kind == "mlp":
            rows, stopped = prof.mlp_rows(p, deadline)
            mlp_rows += rows
            entry["mlp_rows"] = {"planned": len(p.tokens), "measured": len(rows)}
        else:
            rows, stopped, skipped = prof.attention_rows(p, deadline)
            attn_rows += rows
            entry["attention_rows"] = {"planned": len(p.decode) + len(p.prefill), "measured": len(rows),
                                       "skipped_out_of_memory": skipped,
                                       "decode_points_beyond_kv_capacity": p.decode_skipped}
        entry[f"{kind}_seconds"] = round(time.monotonic() - t0, 1)
        entry["stopped_by_time_budget"] = entry.get("stopped_by_time_budget", False) or stopped
        stopped_any |= stopped
        log(f"TP{p.tp} {kind}: {len(rows)} rows in {time.monotonic() - t0:.1f} s"
            f"{' (time budget reached)' if stopped else ''}")
    runs = [info[tp] for tp in sorted(info)]
    shards = {p.tp: p.shard for p in plans}

    folder = profile_dir(args.out, args.sku, model["name"])
    tps = {p.tp for p in plans}
    write_csv(os.path.join(folder, "mlp.csv"), mlp_header(plans[0]), mlp_rows, tps,
              "num_tensor_parallel_workers")
    write_csv(os.path.join(folder, "attention.csv"), attention_header(), attn_rows, tps,
              "num_tensor_parallel_workers")
    meta_path = os.path.join(folder, "metadata.json")
    previous = []
    if os.path.isfile(meta_path):
        with open(meta_path, encoding="utf-8") as f:
            try:
                previous = [r for r in json.load(f).get("runs", []) if r.get("tp") not in tps]
            except (json.JSONDecodeError, AttributeError):
                previous = []
    wall = time.monotonic() - started
    for r in runs:
        r.update({
            "measured_utc": started_utc,
            "wall_seconds_of_invocation": round(wall, 1),
            "environment": env,
            "kernels": dict(prof.kernels.choices,
                            attention=prof.kernels.attention_for(shards[r["tp"]])[1]),
            "options": {"grid": args.grid, "dtype": args.dtype, "warmup": args.warmup,
                        "repeats": args.repeats, "l2_flush_bytes": prof.timer.flush_bytes,
                        "time_budget_seconds": args.time_budget, "seed": args.seed,
                        "elementwise": args.elementwise, "backend": args.backend},
        })
    meta = {
        "tool": f"scripts/profile-gpu/profile_gpu.py {TOOL_VERSION}",
        "model": model,
        "sku": args.sku,
        "format": "reference (Vidur) profile CSVs; times in ms: min, max, mean, median and"
                  " population std over the timed repeats; one CUDA-event pair per repeat",
        "runs": sorted(previous + runs, key=lambda r: r["tp"]),
    }
    write_atomically(meta_path, json.dumps(meta, indent=2, sort_keys=False) + "\n")
    log(f"wrote {folder}/mlp.csv, attention.csv, metadata.json in {wall:.1f} s"
        f"{'; the time budget cut the grid short (see metadata.json)' if stopped_any else ''}")


# ------------------------------------------------------------------------------------------------
# Command line


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UserError(message)


def positive_int(name, minimum=1):
    def parse(text):
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name}: '{text}'; allowed: an integer >= {minimum}") from None
        if v < minimum:
            raise argparse.ArgumentTypeError(f"{name}: {v}; allowed: an integer >= {minimum}")
        return v
    return parse


def parse_args(argv):
    p = Parser(
        prog="profile_gpu.py",
        description="Measure operator profiles of a catalog model on one NVIDIA GPU in the"
                    " reference profile format (mlp.csv, attention.csv) that llmcap reads.")
    p.add_argument("--model", help="catalog model name, e.g. meta-llama/Meta-Llama-3-8B")
    p.add_argument("--sku", required=True, help="catalog GPU SKU of this GPU, e.g. h200 (output folder,"
                   " KV-capacity bound of the decode grid, peak of --matmul-peak)")
    p.add_argument("--tp", action="append", default=None, metavar="N[,N...]",
                   help="tensor-parallel degree(s) whose shard shapes are profiled; repeatable or"
                        " comma-separated (default 1)")
    p.add_argument("--out", default=DEFAULT_OUT, help="profile root (default: profiles/measured)")
    p.add_argument("--catalog", default=DEFAULT_CATALOG, help="catalog folder (default: profiles/catalog)")
    p.add_argument("--grid", choices=GRIDS, default="default",
                   help="grid density: coarse (a quick look), default (llmcap's roofline grid),"
                        " dense (the reference profiler's grid; long)")
    p.add_argument("--time-budget", type=float, default=0, metavar="SECONDS",
                   help="stop measuring after this many seconds and write what was measured"
                        " (points are taken coarse to fine); 0: no limit")
    p.add_argument("--repeats", type=positive_int("--repeats"), default=10, help="timed runs per measurement")
    p.add_argument("--warmup", type=positive_int("--warmup", 0), default=3, help="untimed runs first")
    p.add_argument("--dtype", choices=("float16", "bfloat16"), default="float16")
    p.add_argument("--elementwise", choices=("compile", "eager"), default="compile",
                   help="norms, rotary, activation and add: fused by torch.compile (falls back to"
                        " eager per op when compiling fails) or eager PyTorch")
    p.add_argument("--backend", choices=("auto", "sdpa", "flashinfer", "math"), default="auto",
                   help="attention kernels to consider; auto: scaled_dot_product_attention's"
                        " backends and FlashInfer if importable, the fastest correct one per phase")
    p.add_argument("--no-l2-flush", action="store_true", help="do not flush the L2 cache before runs")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", choices=("cuda", "cpu"), default="cuda",
                   help="cpu only checks the code path (times are CPU times); needs an explicit --out")
    p.add_argument("--matmul-peak", action="store_true",
                   help="also time large matrix products against the SKU's catalog peak"
                        " (<out>/<sku>/matmul_peak.json)")
    p.add_argument("--dry-run", action="store_true", help="print the plan and exit; needs no GPU or PyTorch")
    p.add_argument("--list", action="store_true", help="with --dry-run: one line per measurement")
    p.add_argument("--write-plan", metavar="DIR",
                   help="with --dry-run: write the planned mlp.csv and attention.csv, times empty, under DIR")
    args = p.parse_args(argv)
    tps = []
    for item in args.tp or ["1"]:
        for part in item.split(","):
            try:
                tps.append(int(part))
            except ValueError:
                raise UserError(f"--tp: '{part}'; allowed: positive integers, e.g. --tp 2,4,8") from None
    args.tp = sorted(set(tps))
    if args.time_budget < 0:
        raise UserError(f"--time-budget: {args.time_budget}; allowed: seconds >= 0")
    if args.model is None and not args.matmul_peak:
        raise UserError("--model: missing; allowed: a catalog model (or --matmul-peak alone)")
    if (args.list or args.write_plan) and not args.dry_run:
        raise UserError("--list and --write-plan go with --dry-run")
    if args.device == "cpu" and not args.dry_run and os.path.abspath(args.out) == os.path.abspath(DEFAULT_OUT):
        raise UserError("--device cpu: give an --out other than profiles/measured (CPU times are no GPU profile)")
    return args


def main(argv=None):
    def log(msg):
        print(msg, flush=True)

    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
        sku = load_sku(args.catalog, args.sku)
        model = load_model(args.catalog, args.model) if args.model else None
        plans = [Plan(model, sku, tp, args.grid) for tp in args.tp] if model else []
        if args.dry_run:
            if plans:
                print_plan(plans, args.list)
                if args.write_plan:
                    log(f"wrote the plan under {write_plan_files(plans, args.write_plan, args.sku)}")
            if args.matmul_peak:
                log("matmul peak: " + ", ".join(f"{m}x{k} @ {k}x{n}" for m, n, k in MATMUL_SHAPES)
                    + " in float16 and bfloat16")
            return 0
        run(args, model, sku, plans, log)
        return 0
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
