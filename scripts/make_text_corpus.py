#!/usr/bin/env python3
"""Writes the text-summarization template's corpus: document/summary pairs from Debian package descriptions.

Each package's extended description (the indented lines after `Description:` in /var/lib/dpkg/status, paragraphs
joined with a newline) is the document; its one-line synopsis is the summary. Run once by hand; the output is
committed, so the template runs offline:

    python3 scripts/make_text_corpus.py /var/lib/dpkg/status Templates/text-summarization/data/corpus.jsonl
"""
import json
import sys

MAX_PAIRS = 400


def packages(path):
    record, key = {}, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                if record:
                    yield record
                record, key = {}, None
            elif line[0] in " \t" and key:
                record[key] += "\n" + line
            else:
                key, _, value = line.partition(":")
                record[key] = value.strip()
        if record:
            yield record


def pair(record):
    synopsis, _, body = record.get("Description", "").partition("\n")
    paragraphs, current = [], []
    for line in body.split("\n"):
        line = line.strip()
        if line == ".":
            paragraphs.append(" ".join(current))
            current = []
        elif line:
            current.append(line)
    paragraphs.append(" ".join(current))
    document = "\n".join(p for p in paragraphs if p)
    if not (8 <= len(synopsis) <= 80 and 80 <= len(document) <= 700):
        return None
    return {"package": record["Package"], "document": document, "summary": synopsis}


def main():
    source, out = sys.argv[1], sys.argv[2]
    seen, pairs = set(), []
    for record in sorted(packages(source), key=lambda r: r.get("Package", "")):
        p = pair(record) if "Package" in record else None
        if p and p["summary"] not in seen:
            seen.add(p["summary"])
            pairs.append(p)
    with open(out, "w", encoding="utf-8") as f:
        for p in pairs[:MAX_PAIRS]:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    print(f"{min(len(pairs), MAX_PAIRS)} pairs written to {out}")


if __name__ == "__main__":
    main()
