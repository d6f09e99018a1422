#!/usr/bin/env python3
"""Writes Tests/VoltTextTests/Fixtures/rouge.json: Google's `rouge-score` (scores rounded to 1e-10) (rouge1, rouge2, rougeL, rougeLsum, with
and without its Porter stemmer) on 200 generated (target, prediction) pairs, and NLTK's Porter stems
(the stemmer rouge-score uses) of the words involved.

Run: /opt/fx/bin/python scripts/make_rouge_fixture.py
"""
import json
import os
import random

from nltk.stem import porter
from rouge_score import rouge_scorer, tokenize

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "VoltTextTests", "Fixtures", "rouge.json")
TYPES = ["rouge1", "rouge2", "rougeL", "rougeLsum"]

STEMS = ["run", "hop", "hope", "agree", "feed", "sky", "die", "lie", "tie", "news", "inning", "proceed", "exceed",
         "general", "relat", "condition", "happy", "rate", "control", "roll", "generous", "analog", "trouble",
         "size", "file", "probat", "sensitiv", "formal", "digit", "electr", "adjust", "depend", "activ", "bowdler",
         "homolog", "effect", "replace", "irritat", "adopt", "communism", "cry", "fly", "tap", "fizz", "fail",
         "cease", "sing", "plaster", "motor", "conflat", "mat", "mate", "filing", "caress", "pony", "tie", "radical",
         "hesit", "decis", "vietnam", "predic", "triplic", "formativ", "hopeful", "good", "goodness", "dependent",
         "revival", "allowance", "inference", "airliner", "gyroscop", "defens", "adjustabl", "irritant", "replac",
         "adopt", "angulariti", "homologou", "effective", "bowdlerize", "controll", "roll", "a", "i", "by", "yes"]
SUFFIXES = ["", "", "", "s", "es", "ed", "ing", "ly", "ness", "ational", "tional", "enci", "anci", "izer", "bli",
            "alli", "entli", "eli", "ousli", "ization", "ation", "ator", "alism", "iveness", "fulness", "ousness",
            "aliti", "iviti", "biliti", "fulli", "logi", "icate", "ative", "alize", "iciti", "ical", "ful", "al",
            "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "sion", "tion", "ou",
            "ism", "ate", "iti", "ous", "ive", "ize", "e", "ll", "ies", "ied", "sses", "y", "yy", "eed", "ings"]
EXTRA = ["The", "A", "of", "and", "to", "in", "is", "was", "NASA", "U.S.", "3.5", "2026", "co-operate", "e-mail",
         "naïve", "café", "Zürich", "İstanbul", "Kelvin\u212a", "don't", "it's", "x", "y", "yy", "yyy", "syzygy",
         "rhythm", "queue", "aaaa", "ssss", "eeee", "yyyy", "skies", "dying", "lying", "tying", "innings", "howe"]
PUNCT = [".", ",", "!", "?", ";", " -", " (x)", "'s", ":", "\u2014"]


def word(rng):
    if rng.random() < 0.15:
        return rng.choice(EXTRA)
    w = rng.choice(STEMS) + rng.choice(SUFFIXES)
    r = rng.random()
    if r < 0.1:
        w = w.capitalize()
    elif r < 0.13:
        w = w.upper()
    return w


def sentence(rng, vocab):
    words = [rng.choice(vocab) if rng.random() < 0.6 else word(rng) for _ in range(rng.randint(1, 14))]
    text = " ".join(words)
    if rng.random() < 0.6:
        text += rng.choice(PUNCT)
    return text


def text(rng, vocab):
    sentences = [sentence(rng, vocab) for _ in range(rng.randint(1, 3))]
    joiner = rng.choice(["\n", "\n", " ", "\n\n", "\r\n", "\n \n"])
    out = joiner.join(sentences)
    if rng.random() < 0.05:
        out = rng.choice(["", " ", "\n", "!!!", "…"])
    return out


def main():
    rng = random.Random(20261205)
    pairs = []
    for _ in range(200):
        vocab = [word(rng) for _ in range(12)]
        target = text(rng, vocab)
        prediction = text(rng, vocab) if rng.random() < 0.95 else target
        pairs.append((target, prediction))
    plain = rouge_scorer.RougeScorer(TYPES, use_stemmer=False)
    stemmed = rouge_scorer.RougeScorer(TYPES, use_stemmer=True)

    def scores(scorer, t, p):
        return {k: [round(v.precision, 10), round(v.recall, 10), round(v.fmeasure, 10)] for k, v in scorer.score(t, p).items()}

    cases = [{"target": t, "prediction": p, "scores": scores(plain, t, p), "stemmed_scores": scores(stemmed, t, p)}
             for t, p in pairs]
    stemmer = porter.PorterStemmer()
    words = sorted({tok for t, p in pairs for tok in tokenize.tokenize(t + " " + p, None)}
                   | set(random.Random(7).sample(sorted({s + x for s in STEMS for x in SUFFIXES}), 1500)))
    stems = {w: stemmer.stem(w) for w in words}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump({"types": TYPES, "cases": cases, "stems": stems}, f, ensure_ascii=False, separators=(",", ":"))
    print("%d pairs, %d stems" % (len(cases), len(stems)))


if __name__ == "__main__":
    main()
