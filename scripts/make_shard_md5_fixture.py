"""hashlib MD5s of the rabies sequences, for Volt's token shard round-trip test.

Reads the rabies FASTA of Debian's beast-mcmc-examples with Bio.SeqIO.parse and writes
Tests/GenSLMTests/Fixtures/rabies_md5.json: the record ids and hashlib.md5(sequence.upper()).hexdigest() of each,
which `volt data tokenize` must store in its shards' `md5` datasets.

Run once by hand (Debian's python3-biopython, or pip install biopython):
    python3 scripts/make_shard_md5_fixture.py
"""
import gzip, hashlib, json, os, sys

from Bio import SeqIO, __version__

RABIES = "/usr/share/doc/beast-mcmc/examples/DiscreteTraits/phylogeneticGLM/batRABV.fas.gz"
OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "GenSLMTests", "Fixtures", "rabies_md5.json")

with gzip.open(RABIES, "rt") as handle:
    records = list(SeqIO.parse(handle, "fasta"))
fixture = {"biopython": __version__, "file": RABIES, "ids": [r.id for r in records],
           "md5": [hashlib.md5(str(r.seq).upper().encode()).hexdigest() for r in records]}
json.dump(fixture, open(OUT, "w"), indent=0)
print(f"wrote {OUT}: {len(records)} records", file=sys.stderr)
