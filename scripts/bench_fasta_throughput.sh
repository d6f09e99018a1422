#!/usr/bin/env bash
# FASTA throughput in one sitting: `volt data stats` vs `seqkit stats` vs Biopython's SeqIO.parse, on the same
# plain and gzip files (make them with scripts/make_big_fasta.py; gzip -1). Prints one line per run with the load
# average, wall and CPU seconds, and peak RSS. Volt and seqkit run 3 times each (take the best); Biopython once.
#   bash scripts/bench_fasta_throughput.sh /tmp/big.fasta /tmp/big.fasta.gz
set -u
volt=${VOLT:-.build/release/volt}
python=${PYTHON:-/usr/bin/python3}
for file in "$@"; do
  for round in 1 2 3; do
    for tool in volt seqkit; do
      case $tool in
        volt) cmd=("$volt" data stats "$file") ;;
        seqkit) cmd=(seqkit stats "$file") ;;
      esac
      load=$(cut -d' ' -f1 /proc/loadavg)
      /usr/bin/time -f "$tool $(basename "$file") load=$load wall=%e user=%U sys=%S rss_kb=%M" "${cmd[@]}" > /dev/null
    done
  done
  load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f "biopython $(basename "$file") load=$load wall=%e user=%U sys=%S rss_kb=%M" "$python" -c '
import gzip, sys
from Bio import SeqIO
path = sys.argv[1]
handle = gzip.open(path, "rt") if path.endswith(".gz") else open(path)
n = total = 0
for record in SeqIO.parse(handle, "fasta"):
    n += 1
    total += len(record.seq)
print(n, total)' "$file" > /dev/null
done
