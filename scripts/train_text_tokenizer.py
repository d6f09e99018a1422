#!/usr/bin/env python3
"""Trains the text-summarization template's tokenizer.json once, with Hugging Face `tokenizers`: a byte-level BPE
(GPT-2 / LLaMA 3 style) of 512 tokens over the template corpus' documents and summaries, with `<pad>`, `<s>` and
`</s>` as special tokens (ids 0, 1, 2). Run by hand; the output is committed:

    /opt/fx/bin/python scripts/train_text_tokenizer.py Templates/text-summarization/data/corpus.jsonl \
        Templates/text-summarization/data/tokenizer.json
"""
import json
import sys

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers


def main():
    corpus, out = sys.argv[1], sys.argv[2]
    texts = []
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            texts += [record["document"], record["summary"]]
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=512, special_tokens=["<pad>", "<s>", "</s>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tokenizer.train_from_iterator(texts, trainer)
    tokenizer.save(out)
    print(f"{tokenizer.get_vocab_size()} tokens written to {out}")


if __name__ == "__main__":
    main()
