"""Expected parses of Biopython's own FASTA test files, for Volt's FASTAReader peer test.

Reads every file of Debian's python-biopython-doc FASTA test folder with Bio.SeqIO.parse(..., "fasta") and writes
Tests/GenSLMTests/Fixtures/biopython_fasta.json: per file either the records (id, description, sequence) or the
fact that Biopython rejects the file (text before the first ">").

Run once by hand (pip install biopython; tested with Biopython 1.86):
    python3 scripts/make_biopython_fasta_fixtures.py
"""
import gzip, json, os, sys

from Bio import SeqIO, __version__

FOLDER = "/usr/share/doc/python-biopython-doc/Tests/Fasta/"
OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "GenSLMTests", "Fixtures", "biopython_fasta.json")

files = {}
for name in sorted(os.listdir(FOLDER)):
    path = FOLDER + name
    opener = gzip.open if name.endswith(".gz") else open
    try:
        with opener(path, "rt") as handle:
            records = list(SeqIO.parse(handle, "fasta"))
        files[name] = {"accepted": True, "records": [
            {"id": r.id, "description": r.description, "sequence": str(r.seq)} for r in records]}
    except ValueError:
        files[name] = {"accepted": False, "records": []}
json.dump({"biopython": __version__, "folder": FOLDER, "files": files}, open(OUT, "w"), indent=1, sort_keys=True)
print(f"wrote {OUT}: {len(files)} files", file=sys.stderr)
