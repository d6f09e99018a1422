"""A large FASTA for Volt's data-at-scale measurements: mutated copies of the 372 bat rabies nucleoprotein genes.

Reads the rabies FASTA of Debian's beast-mcmc-examples and writes copies of its records, each with about 1 %
of its bases substituted at random (seeded), under ids `<original>_c<copy>`, wrapped at 60 bases per line (as
seqkit and most databases write), until the output reaches the requested size. Not committed: make it when needed.

    python3 scripts/make_big_fasta.py /tmp/big.fasta 2G          # then, for the gzip measurement:
    gzip -1 -c /tmp/big.fasta > /tmp/big.fasta.gz
"""
import gzip, random, sys

RABIES = "/usr/share/doc/beast-mcmc/examples/DiscreteTraits/phylogeneticGLM/batRABV.fas.gz"


def read_fasta(path):
    records, header, seq = [], None, []
    with gzip.open(path, "rt") as handle:
        for line in handle:
            line = line.strip()
            if line.startswith(">"):
                if header is not None:
                    records.append((header, "".join(seq)))
                header, seq = line[1:].split()[0], []
            elif line:
                seq.append(line)
    if header is not None:
        records.append((header, "".join(seq)))
    return records


def parse_size(text):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(float(text[:-1]) * units[text[-1].upper()]) if text[-1].upper() in units else int(text)


def main():
    out, size = sys.argv[1], parse_size(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    rng = random.Random(seed)
    genes = read_fasta(RABIES)
    written, copy = 0, 0
    with open(out, "w") as handle:
        while written < size:
            for name, seq in genes:
                bases = bytearray(seq.encode())
                for _ in range(max(1, len(bases) // 100)):
                    bases[rng.randrange(len(bases))] = rng.choice(b"ACGT")
                text = bases.decode()
                body = "\n".join(text[i:i + 60] for i in range(0, len(text), 60))
                record = f">{name}_c{copy} mutated copy {copy} of {name}\n{body}\n"
                handle.write(record)
                written += len(record)
                if written >= size:
                    break
            copy += 1
    print(f"wrote {out}: {written} bytes, {copy} rounds of {len(genes)} genes", file=sys.stderr)


if __name__ == "__main__":
    main()
