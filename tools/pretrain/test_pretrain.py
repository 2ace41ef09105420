#!/usr/bin/python3
"""Fast end-to-end test of the pretraining pipeline (well under 30 s on CPU):
tiny inline corpus -> corpus split -> WordPiece vocab -> token ids -> a few
lock-step training steps of a tiny MLM model and its causal twin -> resume ->
export (F16 safetensors, HF names) -> reload -> compare -> golden -> eval.
Needs only /usr/bin/python3 with torch and numpy (no npm corpora, no network).

  /usr/bin/python3 tools/pretrain/test_pretrain.py      # exit code 0 = pass
"""
import json
import os
import shutil
import struct
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import blas_env  # noqa: E402,F401  (before numpy/torch)

import numpy as np  # noqa: E402
import torch  # noqa: E402

import corpus  # noqa: E402
import data  # noqa: E402
import evaluate  # noqa: E402
import export  # noqa: E402
import golden  # noqa: E402
import model  # noqa: E402
import safetensors_io  # noqa: E402
import tokenizer  # noqa: E402
import train  # noqa: E402

torch.set_num_threads(1)


def read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


def tiny_documents():
    """~400 deterministic sentences in 40 documents from a small grammar."""
    rng = np.random.default_rng(0)
    subj = ["the cat", "a dog", "the old man", "my sister", "the king", "a small bird",
            "the teacher", "our neighbour", "the river", "a sailor"]
    verb = ["saw", "liked", "followed", "found", "painted", "remembered", "carried", "helped"]
    obj = ["the house", "a red apple", "the ship", "her friend", "the garden", "a letter",
           "the mountain", "his brother", "the café", "an umbrella"]
    tail = ["yesterday", "in the morning", "near the sea", "with great care", "again", "slowly"]
    docs = []
    for d in range(40):
        sents = []
        for _ in range(10):
            s = "%s %s %s %s" % (rng.choice(subj), rng.choice(verb), rng.choice(obj), rng.choice(tail))
            sents.append(s[0].upper() + s[1:] + rng.choice([".", "!", "?"]))
        docs.append(("tiny/%02d" % d, " ".join(sents)))
    return docs


TINY_SOURCE = [("tiny", tiny_documents, "inline", "inline", "CC0 (test fixture)")]
CFG = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
           max_position_embeddings=64)


class TokenizerMatchesHF(unittest.TestCase):
    """Expected outputs follow HF BertTokenizer(do_lower_case=True)."""

    def test_basic(self):
        b = tokenizer.BasicTokenizer()
        self.assertEqual(b.tokenize(" \tHeLLo!how  \n Are yoU?  "), ["hello", "!", "how", "are", "you", "?"])
        self.assertEqual(b.tokenize("Héllo wörld"), ["hello", "world"])
        self.assertEqual(b.tokenize("don't $5.00 a-b"), ["don", "'", "t", "$", "5", ".", "00", "a", "-", "b"])
        self.assertEqual(b.tokenize("ah\u535a\u63a8zz"), ["ah", "\u535a", "\u63a8", "zz"])
        self.assertEqual(b.tokenize("a\u0000b\ufffdc\u0007d"), ["abcd"])
        self.assertEqual(b.tokenize("“quoted” — dash…"), ["“", "quoted", "”", "—", "dash", "…"])
        self.assertEqual(b.tokenize("x\u00a0y"), ["x", "y"])  # NBSP is Zs whitespace

    def test_wordpiece(self):
        vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "want", "##want", "##ed", "wa", "un",
                 "runn", "##ing", ","]
        t = tokenizer.WordPieceTokenizer(vocab)
        toks = [t.itos[i] for i in t.encode("unwanted running")]
        self.assertEqual(toks, ["un", "##want", "##ed", "runn", "##ing"])
        self.assertEqual([t.itos[i] for i in t.encode("unwantedX running")], ["[UNK]", "runn", "##ing"])
        self.assertEqual(t.encode("a" * 101), [t.unk_id])


class PackCounter(data.PackedData):
    def __init__(self, path):
        super().__init__(path, 64, 1234)
        self.packs = 0

    def pack_sequences(self, epoch):
        self.packs += 1
        return super().pack_sequences(epoch)


class Pipeline(unittest.TestCase):
    def test_end_to_end(self):
        with tempfile.TemporaryDirectory() as tmp:
            summary = corpus.build_corpus(tmp, seed=0, source_list=TINY_SOURCE)
            self.assertGreater(summary["total_train_words"], 1000)
            train_docs = corpus.read_documents(os.path.join(tmp, "corpus", "train.txt"))
            held_docs = corpus.read_documents(os.path.join(tmp, "corpus", "heldout.txt"))
            self.assertTrue(train_docs)
            if not held_docs:  # 3% of 40 documents may round to none: add one for eval
                held_docs = train_docs[:1]
                with open(os.path.join(tmp, "corpus", "heldout.txt"), "w") as f:
                    f.write("\n".join(held_docs[0]) + "\n\n")

            counts = tokenizer.count_words(s for d in train_docs for s in d)
            vocab = tokenizer.train_wordpiece(counts, 260)
            self.assertEqual(vocab[:5], tokenizer.SPECIAL_TOKENS)
            self.assertEqual(len(vocab), len(set(vocab)))
            self.assertIn("##e", vocab)
            vocab_path = os.path.join(tmp, "vocab.txt")
            with open(vocab_path, "w") as f:
                f.write("\n".join(vocab) + "\n")
            tok = tokenizer.WordPieceTokenizer(vocab_path)
            self.assertNotIn(tok.unk_id, tok.encode("The cat saw a red apple near the sea."))

            ids_path = os.path.join(tmp, "train_ids.npz")
            n = data.tokenize_corpus(os.path.join(tmp, "corpus", "train.txt"), vocab_path, ids_path)
            self.assertGreater(n, 1000)

            # A late batch equals the same batch from a fresh reader, and finding
            # it packs each epoch once (it used to re-pack every earlier epoch on
            # every call once past the second: ~0.3 s a step on the GPU run).
            packed = PackCounter(ids_path)
            late = [packed.batch(s, 16, tok.cls_id, tok.sep_id, tok.pad_id) for s in range(40)]
            self.assertGreater(packed.epoch_of_step(40, 16), 3)
            self.assertEqual(packed.packs, int(packed.epoch_of_step(40, 16)) + 1)
            fresh = data.PackedData(ids_path, 64, 1234).batch(39, 16, tok.cls_id, tok.sep_id, tok.pad_id)
            self.assertTrue(torch.equal(late[-1][0], fresh[0]))
            self.assertTrue(torch.equal(late[-1][1], fresh[1]))

            dirs = {"mlm": os.path.join(tmp, "bert-mini"), "causal": os.path.join(tmp, "bert-mini-causal")}
            held_ids = os.path.join(tmp, "heldout_ids.npz")
            data.tokenize_corpus(os.path.join(tmp, "corpus", "heldout.txt"), vocab_path, held_ids)
            kw = dict(batch_size=8, peak_lr=3e-3, warmup=2, quiet=True, log_every=1,
                      heldout_path=held_ids, heldout_every=3)
            train.train(dirs, ids_path, vocab_path, CFG, steps=6, **kw)
            models = train.train(dirs, ids_path, vocab_path, CFG, steps=12, **kw)  # resumes at 6
            log = [json.loads(l) for l in read(os.path.join(dirs["mlm"], "log.jsonl")).splitlines()]
            self.assertEqual([r["step"] for r in log], list(range(1, 13)))
            self.assertLess(log[-1]["loss"], log[0]["loss"])
            held = [r["heldout_loss"] for r in log if "heldout_loss" in r]
            self.assertEqual(len(held), 4)  # steps 3, 6, 9, 12
            self.assertLess(held[-1], held[0])

            # A slim checkpoint (F16, no optimizer) exports the same weights and
            # refuses to be resumed.
            slim = os.path.join(tmp, "slim.pt")
            train.save_slim(os.path.join(dirs["mlm"], "checkpoint.pt"), slim)
            ck = train.load_checkpoint(slim)
            self.assertNotIn("optimizer", ck)
            self.assertEqual(ck["model"]["bert.pooler.dense.weight"].dtype, torch.float16)
            self.assertEqual(ck["step"], 12)
            slim_run = os.path.join(tmp, "slim-run")
            os.makedirs(slim_run)
            shutil.copy(slim, os.path.join(slim_run, "checkpoint.pt"))
            with self.assertRaises(SystemExit):
                train.train({"mlm": slim_run}, ids_path, vocab_path, CFG, steps=13, **kw)
            causal_log = [json.loads(l) for l in read(os.path.join(dirs["causal"], "log.jsonl")).splitlines()]
            self.assertEqual(len(causal_log), 12)

            # Lock-step runs start from identical weights (same seed).
            a, _ = train.load_model(os.path.join(dirs["mlm"], "checkpoint.pt"))
            self.assertFalse(a.cfg.is_decoder)

            weights = os.path.join(tmp, "weights")
            for obj, name in [("mlm", "bert-mini"), ("causal", "bert-mini-causal")]:
                export.export_checkpoint(os.path.join(dirs[obj], "checkpoint.pt"), vocab_path,
                                         os.path.join(weights, name))
                folder = os.path.join(weights, name)
                raw = read(os.path.join(folder, "model.safetensors"), "rb")
                (hlen,) = struct.unpack("<Q", raw[:8])
                self.assertEqual(hlen % 8, 0)
                header = json.loads(raw[8:8 + hlen])
                self.assertEqual(header["__metadata__"], {"format": "pt"})
                self.assertEqual(header["bert.encoder.layer.1.intermediate.dense.weight"]["shape"], [64, 32])
                self.assertEqual(header["cls.predictions.bias"]["dtype"], "F16")
                self.assertNotIn("cls.predictions.decoder.weight", header)
                self.assertIn("bert.pooler.dense.weight", header)
                end = max(v["data_offsets"][1] for k, v in header.items() if k != "__metadata__")
                self.assertEqual(len(raw), 8 + hlen + end)
                cfg = json.loads(read(os.path.join(folder, "config.json")))
                self.assertEqual(cfg["is_decoder"], obj == "causal")
                self.assertEqual(cfg["architectures"],
                                 ["BertLMHeadModel" if obj == "causal" else "BertForMaskedLM"])
                self.assertEqual(read(os.path.join(folder, "vocab.txt")).split("\n")[0], "[PAD]")

                # Reloaded F16 weights reproduce the F32 model closely.
                orig = models[obj].eval()
                back = export.load_exported(folder)
                x = torch.tensor([tok.encode("The king found a letter.", add_special_tokens=True)])
                with torch.no_grad():
                    l1, h1, _ = orig(x)
                    l2, h2, att = back(x)
                self.assertLess((h1 - h2).abs().max().item(), 2e-2)
                self.assertLess((l1 - l2).abs().max().item(), 5e-2)
                if obj == "causal":  # no attention to the future
                    self.assertLess(att[0][0, :, 0, 1:].abs().max().item(), 1e-6)

            out = os.path.join(tmp, "golden.json")
            golden.main(weights, out)
            g = json.loads(read(out))
            case = g["models"]["bert-mini"]["cases"][1]
            self.assertIn(tok.mask_id, case["input_ids"])
            self.assertEqual(len(case["last_hidden_state"]), len(case["input_ids"]))
            self.assertEqual(len(case["last_hidden_state"][0]), 32)
            self.assertEqual(sorted(case["attentions"]), ["0", "1"])

            mlm, causal = export.load_exported(os.path.join(weights, "bert-mini")), \
                export.load_exported(os.path.join(weights, "bert-mini-causal"))
            seqs = evaluate.heldout_sequences(tok, os.path.join(tmp, "corpus", "heldout.txt"), 64, 50)
            res = evaluate.masked_lm_eval(mlm, causal, seqs, len(vocab), tok.mask_id)
            self.assertGreater(res["masked_positions"], 0)
            self.assertTrue(0 <= res["bert_mini"]["top1"] <= 1)
            ww = evaluate.whole_word_eval(mlm, causal, tok, os.path.join(tmp, "corpus", "heldout.txt"))
            self.assertGreater(ww["sentences"], 0)



class Schedule(unittest.TestCase):
    def test_steps_and_deadline_whichever_is_further_along(self):
        p = train.schedule_progress
        self.assertEqual(p(50, 0.0, 100, None, 0.0), 0.5)
        self.assertIsNone(p(100, 0.0, 100, None, 0.0))
        self.assertEqual(p(0, 25.0, None, 100.0, 0.0), 0.25)
        self.assertIsNone(p(0, 100.0, None, 100.0, 0.0))
        self.assertEqual(p(10, 60.0, 100, 100.0, 0.0), 0.6)  # the clock is further along
        self.assertEqual(p(80, 60.0, 100, 100.0, 0.0), 0.8)  # the steps are
        self.assertIsNone(p(100, 60.0, 100, 100.0, 0.0))
        self.assertIsNone(p(10, 100.0, 100, 100.0, 0.0))


class QueryKeyInit(unittest.TestCase):
    def test_only_query_and_key_weights_are_redrawn(self):
        torch.manual_seed(0)
        m = model.BertForPretraining(model.BertConfig(vocab_size=50, **CFG))
        value_before = m.bert.encoder.layer[0].attention.self.value.weight.clone()
        train.init_query_key(m, 0.1)
        for layer in m.bert.encoder.layer:
            for w in (layer.attention.self.query.weight, layer.attention.self.key.weight):
                self.assertAlmostEqual(float(w.std()), 0.1, delta=0.02)
        self.assertTrue(torch.equal(m.bert.encoder.layer[0].attention.self.value.weight, value_before))
        self.assertAlmostEqual(float(value_before.std()), 0.02, delta=0.005)

if __name__ == "__main__":
    import io
    import contextlib
    import time
    import warnings
    warnings.simplefilter("ignore", ResourceWarning)
    t0 = time.time()
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):  # keep pipeline chatter out of test output
        suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
        result = unittest.TextTestRunner(stream=buf, verbosity=1).run(suite)
    ok = result.wasSuccessful()
    if not ok:
        print(buf.getvalue())
    print("tools/pretrain/test_pretrain.py: %s (%d tests, %.1f s)" % (
        "OK" if ok else "FAILED", result.testsRun, time.time() - t0))
    sys.exit(0 if ok else 1)
