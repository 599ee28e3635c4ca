"""Unit tests of profile_gpu.py: `python3 -m unittest discover -s scripts/profile-gpu`.

The plan, grid and CSV tests need only Python; the end-to-end test runs the real measuring code on
the CPU with a tiny catalog model and is skipped where PyTorch is not installed. (CI runs the
JUnit test GpuProfilerDryRunTest, which drives --dry-run.)
"""

import contextlib
import csv
import importlib.util
import io
import json
import os
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("profile_gpu", os.path.join(HERE, "profile_gpu.py"))
pg = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pg)

TINY_MODELS = """\
# a model small enough to profile on a CPU
models:
  - name: test/tiny
    num_layers: 2
    num_q_heads: 4
    num_kv_heads: 2
    embedding_dim: 64
    mlp_hidden_dim: 96
    vocab_size: 500
    use_gated_mlp: true
    max_position_embeddings: 256  # shorter than the 4096-token grid end
    norm: rms_norm
    activation: silu
    post_attn_norm: true
    no_tensor_parallel: false
    source: "made up: a # inside quotes is not a comment"
"""
TINY_SKUS = """\
skus:
  - name: tiny
    fp16_tflops: 1.0
    memory_gb: 0.001
"""


def run_main(args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = pg.main(args)
    return status, out.getvalue(), err.getvalue()


class CatalogTest(unittest.TestCase):
    def test_reads_the_shipped_catalog(self):
        qwen = pg.load_model(pg.DEFAULT_CATALOG, "Qwen/Qwen-2-7B")
        self.assertEqual((28, 28, 4, 3584, 18944), (qwen["num_layers"], qwen["num_q_heads"],
                         qwen["num_kv_heads"], qwen["embedding_dim"], qwen["mlp_hidden_dim"]))
        self.assertIs(qwen["use_gated_mlp"], True)
        self.assertEqual(989.0, pg.load_sku(pg.DEFAULT_CATALOG, "h200")["fp16_tflops"])

    def test_unknown_names_are_user_errors(self):
        with self.assertRaisesRegex(pg.UserError, "unknown model 'nope'; allowed: .*Qwen/Qwen-2-7B"):
            pg.load_model(pg.DEFAULT_CATALOG, "nope")
        with self.assertRaisesRegex(pg.UserError, "unknown GPU SKU 'z100'; allowed: .*h200"):
            pg.load_sku(pg.DEFAULT_CATALOG, "z100")

    def test_quoted_hash_and_comments(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "models.yaml"), "w") as f:
                f.write(TINY_MODELS)
            items = pg.read_catalog_list(os.path.join(d, "models.yaml"), "models")
            self.assertEqual(256, items[0]["max_position_embeddings"])
            self.assertEqual("made up: a # inside quotes is not a comment", items[0]["source"])


class PlanTest(unittest.TestCase):
    def plan(self, name, tp, grid="default"):
        model = pg.load_model(pg.DEFAULT_CATALOG, name)
        return pg.Plan(model, pg.load_sku(pg.DEFAULT_CATALOG, "h200"), tp, grid)

    def test_shard_shapes_follow_the_model_spec(self):
        s = self.plan("meta-llama/Llama-2-70b-hf", 8).shard
        # 64 q / 8 kv heads of 128 over 8 ranks: 8 q heads and one KV head each.
        self.assertEqual((8, 1, 128, 3584, 8192), (s.q_heads, s.kv_heads, s.head_dim, s.mlp, s.hidden))
        self.assertEqual(128 * (8 + 2), s.qkv_width)
        self.assertEqual(2 * 3584, s.up_width)

    def test_token_grid_is_the_roofline_profiles_grid(self):
        # RooflineProfileWriter.tokenGrid: 3 + 63 + 32 + 32 + 32 per doubling from 512 on.
        self.assertEqual(163, len(self.plan("meta-llama/Llama-2-70b-hf", 2).tokens))
        self.assertEqual(195, len(self.plan("meta-llama/Meta-Llama-3-8B", 1).tokens))
        tokens = self.plan("Qwen/Qwen-2-7B", 1).tokens
        self.assertEqual((227, 1, 16384), (len(tokens), tokens[0], tokens[-1]))
        from512 = tokens[tokens.index(512):]
        self.assertTrue(all(b / a <= 1.032 for a, b in zip(from512, from512[1:])))

    def test_grids_stay_within_the_context_and_kv_capacity(self):
        for grid in pg.GRIDS:
            p = self.plan("meta-llama/Llama-2-70b-hf", 2, grid)
            self.assertTrue(all(kv + c <= 4096 for kv, c in p.prefill), grid)
            self.assertTrue(all(kv <= 4096 and b * (kv + 1) <= p.kv_capacity for kv, b in p.decode))
            self.assertEqual(len(p.decode) + len(p.prefill), len(set(p.decode)) + len(set(p.prefill)))
        coarse, default, dense = (self.plan("Qwen/Qwen-2-7B", 1, g).measurements() for g in pg.GRIDS)
        self.assertLess(coarse, default)
        self.assertLess(default, dense)

    def test_concrete_shapes_count_the_measurements(self):
        p = self.plan("meta-llama/Meta-Llama-3-8B", 1)
        rows = p.concrete()
        self.assertEqual(p.measurements(), len(rows))
        self.assertIn(("mlp", "mlp_up_proj", "[16 x 4096] x [4096 x 28672]"), rows)
        self.assertIn(("attention", "attn_decode", "q [8 x 32 x 1 x 128], k, v [8 x 8 x (1024+1) x 128]"), rows)

    def test_refinement_order_is_a_spread_permutation(self):
        for n in (0, 1, 2, 3, 10, 227):
            order = pg.refinement_order(n)
            self.assertEqual(list(range(n)), sorted(order))
        order = pg.refinement_order(227)
        self.assertEqual([0, 226, 128, 64, 192], order[:5])


class CsvTest(unittest.TestCase):
    def test_rows_of_other_tp_degrees_are_kept(self):
        header = ["time_stats.x.median", "num_tensor_parallel_workers"]
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "a", "mlp.csv")
            pg.write_csv(path, header, [["1", "2"], ["2", "2"]], {2}, header[1])
            pg.write_csv(path, header, [["3", "1"]], {1}, header[1])
            pg.write_csv(path, header, [["4", "2"]], {2}, header[1])
            with open(path) as f:
                self.assertEqual("time_stats.x.median,num_tensor_parallel_workers\n3,1\n4,2\n", f.read())
            self.assertEqual(["mlp.csv"], os.listdir(os.path.dirname(path)))  # no temporary left

    def test_stats_are_the_reference_five(self):
        self.assertEqual(["1", "3", "2", "2", "0.816497"], pg.stat_cells([1.0, 2.0, 3.0]))
        self.assertEqual([""] * 5, pg.stat_cells(None))


class CommandLineTest(unittest.TestCase):
    def test_errors_are_one_line_with_status_two(self):
        for args, message in [
            (["--dry-run", "--model", "x/y", "--sku", "h200"], "error: --model: unknown model 'x/y'"),
            (["--dry-run", "--model", "Qwen/Qwen-2-7B", "--sku", "h200", "--tp", "two"], "error: --tp: 'two'"),
            (["--dry-run", "--sku", "h200"], "error: --model: missing"),
            (["--model", "Qwen/Qwen-2-7B", "--sku", "h200", "--list"], "error: --list and --write-plan"),
            (["--dry-run", "--model", "Qwen/Qwen-2-7B", "--sku", "h200", "--repeats", "0"],
             "error: argument --repeats: --repeats: 0"),
        ]:
            status, out, err = run_main(args)
            self.assertEqual(2, status, args)
            self.assertEqual("", out)
            self.assertEqual(1, len(err.splitlines()), err)
            self.assertTrue(err.startswith(message), err)

    def test_dry_run_prints_the_plan(self):
        status, out, err = run_main(["--dry-run", "--model", "meta-llama/Llama-2-70b-hf", "--sku", "h200",
                                     "--tp", "2,4", "--tp", "8"])
        self.assertEqual((0, ""), (status, err))
        self.assertEqual(3, out.count("\nplan ") + out.startswith("plan "))
        self.assertIn("total: 7672 measurements", out)


@unittest.skipIf(importlib.util.find_spec("torch") is None, "PyTorch is not installed")
class CpuRunTest(unittest.TestCase):
    """The measuring code end to end on the CPU (timings meaningless, files real)."""

    def test_profiles_a_tiny_model_and_merges_tp_degrees(self):
        with tempfile.TemporaryDirectory() as d:
            cat = os.path.join(d, "catalog")
            os.makedirs(cat)
            with open(os.path.join(cat, "models.yaml"), "w") as f:
                f.write(TINY_MODELS)
            with open(os.path.join(cat, "skus.yaml"), "w") as f:
                f.write(TINY_SKUS)
            out = os.path.join(d, "out")
            common = ["--catalog", cat, "--sku", "tiny", "--model", "test/tiny", "--device", "cpu",
                      "--out", out, "--grid", "coarse", "--repeats", "2", "--warmup", "1",
                      "--dtype", "bfloat16", "--elementwise", "eager"]
            status, log, err = run_main(common + ["--tp", "1"])
            self.assertEqual((0, ""), (status, err), log)
            status, log, err = run_main(common + ["--tp", "2"])
            self.assertEqual((0, ""), (status, err), log)

            folder = os.path.join(out, "tiny", "test", "tiny")
            model = pg.load_model(cat, "test/tiny")
            plans = {tp: pg.Plan(model, pg.load_sku(cat, "tiny"), tp, "coarse") for tp in (1, 2)}
            with open(os.path.join(folder, "mlp.csv")) as f:
                mlp = list(csv.DictReader(f))
            self.assertEqual(sum(len(p.tokens) for p in plans.values()), len(mlp))
            self.assertEqual(["1"] * len(plans[1].tokens) + ["2"] * len(plans[2].tokens),
                             [r["num_tensor_parallel_workers"] for r in mlp])
            for r in mlp:
                for op in pg.MLP_OPS:
                    self.assertGreaterEqual(float(r[f"time_stats.{op}.median"]), 0.0, op)
                self.assertEqual(("4", "2", "64", "96", "True"), (r["n_head"], r["n_kv_head"], r["n_embd"],
                                 r["n_expanded_embd"], r["use_gated_mlp"]))
            with open(os.path.join(folder, "attention.csv")) as f:
                attention = list(csv.DictReader(f))
            self.assertEqual(sum(len(p.decode) + len(p.prefill) for p in plans.values()), len(attention))
            # The tiny SKU's memory bounds the decode grid: 0.9 x 0.001 GiB / (2 layers x 128 B per token).
            self.assertEqual(3774, plans[1].kv_capacity)
            for r in attention:
                phase = "prefill" if r["is_prefill"] == "True" else "decode"
                self.assertGreater(float(r[f"time_stats.attn_{phase}.median"]), 0.0)
                self.assertEqual("", r["time_stats.attn_decode.median" if phase == "prefill"
                                   else "time_stats.attn_prefill.median"])
                self.assertTrue(r["attention_backend"].startswith("AttentionBackend."))
            with open(os.path.join(folder, "metadata.json")) as f:
                meta = json.load(f)
            self.assertEqual([1, 2], [r["tp"] for r in meta["runs"]])
            self.assertEqual("cpu", meta["runs"][0]["environment"]["device"])
            self.assertIn("decode_kernel", meta["runs"][0]["kernels"]["attention"])


if __name__ == "__main__":
    unittest.main()
