import VoltText

/// The fixtures' corpus generator, which VoltText ships for `volt bench --op tokenize`.
typealias CorpusGenerator = MixedTextCorpus
