"""Reads Volt token shards with h5py and checks them against an independent parse of the FASTA (Biopython).

For every record: the ids match Bio.SeqIO's, md5 equals hashlib.md5(seq.upper()).hexdigest(), and the tokens,
mapped back through GenSLM's 69-word vocabulary, spell the upper-case sequence's codons (records of A/C/G/T
only; truncated records as a prefix). Also checks the dtypes, the offsets/lengths layout and the index counts.

    volt data tokenize rabies.fas.gz --out /tmp/shards --shard-size 100
    python3 scripts/check_shards_h5py.py /tmp/shards rabies.fas.gz
"""
import gzip, hashlib, json, os, sys

import h5py
from Bio import SeqIO

VOCAB = ["[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]", "GGC", "GCC", "ATC", "GAC", "GAA", "ATG", "GTG",
         "CTG", "GTC", "GCG", "GAT", "AAA", "GGT", "AAG", "GAG", "ACC", "AAC", "GTT", "ATT",
         "GCA", "CTC", "CGC", "GCT", "CAG", "CCG", "TTC", "GTA", "TCG", "GGA", "AAT", "TAC",
         "CTT", "TTG", "ACG", "TCC", "GGG", "AGC", "CCC", "ACA", "ACT", "TCT", "TTA", "CGT",
         "TAT", "CAA", "CGG", "TTT", "CAC", "CCT", "CCA", "TGG", "ATA", "TCA", "TGC", "AGT",
         "AGA", "CAT", "TGT", "CTA", "AGG", "TAA", "CGA", "TGA", "TAG"]


def main():
    folder, fasta = sys.argv[1], sys.argv[2]
    opener = gzip.open if fasta.endswith(".gz") else open
    with opener(fasta, "rt") as handle:
        records = list(SeqIO.parse(handle, "fasta"))
    index = json.load(open(os.path.join(folder, "index.json")))
    assert index["format"] == "volt-token-shards" and index["vocabulary_size"] == 69
    position, checked = 0, 0
    for shard in index["shards"]:
        with h5py.File(os.path.join(folder, shard["file"]), "r") as f:
            assert f.attrs["format"] == "volt-token-shard", f.attrs["format"]
            tokens, offsets, lengths = f["tokens"][:], f["offsets"][:], f["lengths"][:]
            ids = [s.decode() for s in f["ids"][:]]
            md5 = [s.decode() for s in f["md5"][:]]
            assert tokens.dtype == "uint8" and offsets.dtype == "int64" and lengths.dtype == "int32"
            assert len(ids) == len(md5) == len(offsets) == len(lengths) == shard["records"]
            assert len(tokens) == shard["tokens"] and int(lengths.sum()) == len(tokens)
            for i in range(shard["records"]):
                record = records[position]
                sequence = str(record.seq).upper()
                assert ids[i] == record.id, (ids[i], record.id)
                assert md5[i] == hashlib.md5(sequence.encode()).hexdigest(), record.id
                piece = tokens[offsets[i]:offsets[i] + lengths[i]]
                if set(sequence) <= set("ACGT"):
                    codons = "".join(VOCAB[t] for t in piece)
                    whole = sequence[:len(sequence) - len(sequence) % 3]
                    assert whole.startswith(codons) and (len(codons) == len(whole) or index.get("max_length")), record.id
                    checked += 1
                position += 1
    assert position == len(records), (position, len(records))
    print(f"h5py {h5py.__version__}: {position} records in {len(index['shards'])} shards match "
          f"(ids, md5; tokens of {checked} A/C/G/T-only records)")


if __name__ == "__main__":
    main()
