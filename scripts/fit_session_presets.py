#!/usr/bin/env python3
"""Fits llmcap's session preset mooncake_conversation to the public Mooncake conversation trace.

The trace (github.com/kvcache-ai/Mooncake, FAST25-release/traces/conversation_trace.jsonl,
Apache-2.0) may not ship with llmcap, so only the fitted numbers go into SessionPreset.java.
Each row is one request: timestamp (ms), input_length, output_length and hash_ids, one id per
512-token block of the prompt, equal ids meaning equal content and everything before it.

Sessions are inferred from hash-id prefix chains: a request continues the earlier request with
which it shares the longest run of leading ids, if that run is longer than the system prompt's
ids (the ids every request starts with); otherwise it starts a session. Then, per session and turn:
turns per session, the first turn's new tokens (its input less the system prompt), a later turn's
new tokens (its input less the previous turn's input and output, so that the simulated context
grows by the trace's mean), output tokens, and the gap between a turn's arrival and the next one's.

Standard library only. Usage: python3 scripts/fit_session_presets.py PATH/TO/conversation_trace.jsonl
"""

import json
import statistics
import sys

BLOCK = 512


def cv(values):
    return statistics.pstdev(values) / statistics.mean(values)


def main(path):
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    # The leading ids all requests share are the system prompt.
    shared = 0
    while all(len(r["hash_ids"]) > shared and r["hash_ids"][shared] == rows[0]["hash_ids"][shared]
              for r in rows):
        shared += 1
    latest = {}  # id prefix -> latest request holding it
    parent = [None] * len(rows)
    hits = 0  # blocks found earlier: the trace's prefix reuse, for comparison with the paper
    for i, r in enumerate(rows):
        ids = tuple(r["hash_ids"])
        k = 0
        while k < len(ids) and ids[: k + 1] in latest:
            k += 1
        hits += k
        if k > shared:
            parent[i] = latest[ids[:k]]
        for j in range(1, len(ids) + 1):
            latest[ids[:j]] = i
    root = list(range(len(rows)))
    for i in range(len(rows)):
        if parent[i] is not None:
            root[i] = root[parent[i]]
    turns = {}
    for r in root:
        turns[r] = turns.get(r, 0) + 1
    system = shared * BLOCK
    first = [rows[i]["input_length"] - system for i in range(len(rows)) if parent[i] is None]
    new, gaps = [], []
    for i, r in enumerate(rows):
        p = parent[i]
        if p is None:
            continue
        a = rows[p]
        new.append(r["input_length"] - a["input_length"] - a["output_length"])
        gaps.append((r["timestamp"] - a["timestamp"]) / 1000)
    out = [r["output_length"] for r in rows]
    span = (rows[-1]["timestamp"] - rows[0]["timestamp"]) / 1000
    positive = [x for x in new if x > 0]
    print(f"requests {len(rows)}, span {span:.0f} s, {len(rows) / span:.3f} req/s")
    blocks = sum(len(r["hash_ids"]) for r in rows)
    print(f"blocks seen before: {hits / blocks:.3f} (the FAST'25 paper's Table 2: 40%)")
    print(f"system prompt: {shared} shared block(s) = {system} tokens")
    print(f"sessions {len(turns)}, mean turns {statistics.mean(turns.values()):.4f}, "
          f"max {max(turns.values())}")
    print(f"first-turn new tokens: mean {statistics.mean(first):.1f}, cv {cv(first):.3f}")
    print(f"later-turn new tokens: mean {statistics.mean(new):.1f} "
          f"(share <= 0: {1 - len(positive) / len(new):.3f}), cv of the positive ones "
          f"{cv(positive):.3f}")
    print(f"output tokens: mean {statistics.mean(out):.1f}, cv {cv(out):.3f}")
    print(f"gap between turns' arrivals: mean {statistics.mean(gaps):.1f} s, "
          f"median {statistics.median(gaps):.1f} s, cv {cv(gaps):.3f}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
