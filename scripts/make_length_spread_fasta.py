"""A FASTA with the length spread of real surveillance data (influenza A/H3N2 HA downloads), for measuring
length-bucketed batching: the 372 bat rabies nucleoprotein genes (1353 nt), resampled and trimmed.

Spread (documented in Sources/GenSLM/GenSLM.docc/data-at-scale.md), of each record independently:
- 60 %  near full length: the whole gene minus 0–45 nt cut from the end (full HA segments and UTR variation);
- 25 %  HA1-like partial: 55–62 % of the gene (sequencing of the HA1 domain only);
- 15 %  short fragments: 15–50 % of the gene, uniformly.
Lengths are cut to whole codons, so the reading frame starts at the first base as in the full genes.

    python3 scripts/make_length_spread_fasta.py /tmp/spread.fasta 20000 [seed]
"""
import random, sys

from make_big_fasta import RABIES, read_fasta  # the same rabies genes, read the same way


def trimmed_length(rng, full):
    draw = rng.random()
    if draw < 0.60:
        length = full - rng.randint(0, 45)
    elif draw < 0.85:
        length = int(full * rng.uniform(0.55, 0.62))
    else:
        length = int(full * rng.uniform(0.15, 0.50))
    return max(3, length - length % 3)


def main():
    out, count = sys.argv[1], int(sys.argv[2])
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    genes = read_fasta(RABIES)
    lengths = []
    with open(out, "w") as handle:
        for i in range(count):
            name, seq = genes[i % len(genes)]
            length = trimmed_length(rng, len(seq))
            lengths.append(length)
            handle.write(f">{name}_t{i} length {length}\n{seq[:length]}\n")
    lengths.sort()
    print(f"wrote {out}: {count} records, lengths min {lengths[0]} median {lengths[len(lengths) // 2]} max {lengths[-1]}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
