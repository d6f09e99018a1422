/// The Porter stemmer exactly as NLTK's `PorterStemmer` in its default `NLTK_EXTENSIONS` mode — the stemmer
/// Google's `rouge-score` uses with `use_stemmer=True` — including NLTK's irregular forms (`skies` → `sky`,
/// `dying` → `die`, …) and its two slightly different consonant tests (one for the measure, one for the
/// double-consonant and cvc checks), which give different stems for words with runs of `y`.
public struct PorterStemmer: Sendable {
    private static let irregular: [String: String] = [
        "sky": "sky", "skies": "sky", "dying": "die", "lying": "lie", "tying": "tie", "news": "news",
        "innings": "inning", "inning": "inning", "outings": "outing", "outing": "outing", "cannings": "canning",
        "canning": "canning", "howe": "howe", "proceed": "proceed", "exceed": "exceed", "succeed": "succeed",
    ]

    /// A stemmer.
    public init() {}

    /// The stem of `word` (lower-cased first, as NLTK does); words of one or two characters are returned as they are.
    public func stem(_ word: String) -> String {
        let lower = word.lowercased()
        if let irregular = Self.irregular[lower] { return irregular }
        if word.unicodeScalars.count <= 2 { return lower }
        var w = Array(lower.unicodeScalars)
        w = step1a(w)
        w = step1b(w)
        w = step1c(w)
        w = step2(w)
        w = step3(w)
        w = step4(w)
        w = step5a(w)
        w = step5b(w)
        var out = String.UnicodeScalarView()
        out.append(contentsOf: w)
        return String(out)
    }

    typealias Word = [Unicode.Scalar]

    private static func isVowel(_ c: Unicode.Scalar) -> Bool { c == "a" || c == "e" || c == "i" || c == "o" || c == "u" }

    /// NLTK's `_is_consonant`: a `y` is a consonant unless the letter before the run of `y`s decides otherwise.
    private func isConsonant(_ w: Word, _ index: Int) -> Bool {
        var i = index
        if Self.isVowel(w[i]) { return false }
        guard w[i] == "y" else { return true }
        var negate = false
        while i > 0 && w[i] == "y" {
            negate.toggle()
            i -= 1
        }
        return (!Self.isVowel(w[i])) != negate
    }

    /// NLTK's `_consonant_flags`, which the measure and the vowel test use.
    private func consonantFlags(_ w: some Collection<Unicode.Scalar>) -> [Bool] {
        var flags: [Bool] = []
        for (i, c) in w.enumerated() {
            if Self.isVowel(c) { flags.append(false) } else if c == "y" { flags.append(i == 0 ? true : !flags[i - 1]) } else { flags.append(true) }
        }
        return flags
    }

    /// The number of vowel-consonant sequences.
    private func measure(_ stem: some Collection<Unicode.Scalar>) -> Int {
        let flags = consonantFlags(stem)
        guard flags.count > 1 else { return 0 }
        return (0..<(flags.count - 1)).filter { !flags[$0] && flags[$0 + 1] }.count
    }

    private func containsVowel(_ stem: Word) -> Bool { consonantFlags(stem).contains(false) }

    private func endsDoubleConsonant(_ w: Word) -> Bool {
        w.count >= 2 && w[w.count - 1] == w[w.count - 2] && isConsonant(w, w.count - 1)
    }

    private func endsCVC(_ w: Word) -> Bool {
        let n = w.count
        if n >= 3 && isConsonant(w, n - 3) && !isConsonant(w, n - 2) && isConsonant(w, n - 1)
            && w[n - 1] != "w" && w[n - 1] != "x" && w[n - 1] != "y" { return true }
        return n == 2 && !isConsonant(w, 0) && isConsonant(w, 1)
    }

    private func ends(_ w: Word, _ suffix: String) -> Bool {
        let s = Array(suffix.unicodeScalars)
        return w.count >= s.count && Array(w[(w.count - s.count)...]) == s
    }

    private func dropping(_ w: Word, _ suffix: String) -> Word { Array(w[..<(w.count - suffix.unicodeScalars.count)]) }

    private func appending(_ w: Word, _ text: String) -> Word { w + Array(text.unicodeScalars) }

    /// One rule: a suffix (`*d` for a double consonant), its replacement and the condition on the stem.
    struct Rule {
        let suffix: String
        let replacement: String
        let condition: ((Word) -> Bool)?
    }

    /// The first rule whose suffix ends the word decides: replaced when its condition holds, unchanged otherwise.
    private func apply(_ w: Word, _ rules: [Rule]) -> Word {
        for rule in rules {
            if rule.suffix == "*d" && endsDoubleConsonant(w) {
                let stem = Array(w[..<(w.count - 2)])
                return rule.condition.map { $0(stem) } ?? true ? appending(stem, rule.replacement) : w
            }
            if ends(w, rule.suffix) {
                let stem = dropping(w, rule.suffix)
                return rule.condition.map { $0(stem) } ?? true ? appending(stem, rule.replacement) : w
            }
        }
        return w
    }

    private func step1a(_ w: Word) -> Word {
        if ends(w, "ies") && w.count == 4 { return appending(dropping(w, "ies"), "ie") }
        return apply(w, [Rule(suffix: "sses", replacement: "ss", condition: nil), Rule(suffix: "ies", replacement: "i", condition: nil),
                         Rule(suffix: "ss", replacement: "ss", condition: nil), Rule(suffix: "s", replacement: "", condition: nil)])
    }

    private func step1b(_ w: Word) -> Word {
        if ends(w, "ied") { return appending(dropping(w, "ied"), w.count == 4 ? "ie" : "i") }
        if ends(w, "eed") {
            let stem = dropping(w, "eed")
            return measure(stem) > 0 ? appending(stem, "ee") : w
        }
        var intermediate: Word?
        for suffix in ["ed", "ing"] where ends(w, suffix) {
            let stem = dropping(w, suffix)
            if containsVowel(stem) {
                intermediate = stem
                break
            }
        }
        guard let stem = intermediate else { return w }
        let last = stem[stem.count - 1]
        return apply(stem, [
            Rule(suffix: "at", replacement: "ate", condition: nil),
            Rule(suffix: "bl", replacement: "ble", condition: nil),
            Rule(suffix: "iz", replacement: "ize", condition: nil),
            Rule(suffix: "*d", replacement: String(last), condition: { _ in last != "l" && last != "s" && last != "z" }),
            Rule(suffix: "", replacement: "e", condition: { self.measure($0) == 1 && self.endsCVC($0) }),
        ])
    }

    private func step1c(_ w: Word) -> Word {
        apply(w, [Rule(suffix: "y", replacement: "i", condition: { $0.count > 1 && self.isConsonant($0, $0.count - 1) })])
    }

    private func step2(_ w: Word) -> Word {
        if ends(w, "alli") && measure(dropping(w, "alli")) > 0 { return step2(appending(dropping(w, "alli"), "al")) }
        let positive: (Word) -> Bool = { self.measure($0) > 0 }
        var rules = [("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"),
                     ("bli", "ble"), ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"), ("ization", "ize"),
                     ("ation", "ate"), ("ator", "ate"), ("alism", "al"), ("iveness", "ive"), ("fulness", "ful"),
                     ("ousness", "ous"), ("aliti", "al"), ("iviti", "ive"), ("biliti", "ble"), ("fulli", "ful")]
            .map { Rule(suffix: $0.0, replacement: $0.1, condition: positive) }
        rules.append(Rule(suffix: "logi", replacement: "log", condition: { _ in self.measure(w[..<(w.count - 3)]) > 0 }))
        return apply(w, rules)
    }

    private func step3(_ w: Word) -> Word {
        let positive: (Word) -> Bool = { self.measure($0) > 0 }
        return apply(w, [("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"), ("ful", ""), ("ness", "")]
            .map { Rule(suffix: $0.0, replacement: $0.1, condition: positive) })
    }

    private func step4(_ w: Word) -> Word {
        let greater: (Word) -> Bool = { self.measure($0) > 1 }
        return apply(w, ["al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou", "ism",
                         "ate", "iti", "ous", "ive", "ize"].map { suffix in
            Rule(suffix: suffix, replacement: "", condition: suffix == "ion"
                 ? { self.measure($0) > 1 && ($0.last == "s" || $0.last == "t") } : greater)
        })
    }

    private func step5a(_ w: Word) -> Word {
        guard ends(w, "e") else { return w }
        let stem = dropping(w, "e")
        if measure(stem) > 1 { return stem }
        if measure(stem) == 1 && !endsCVC(stem) { return stem }
        return w
    }

    private func step5b(_ w: Word) -> Word {
        apply(w, [Rule(suffix: "ll", replacement: "l", condition: { _ in self.measure(w[..<(w.count - 1)]) > 1 })])
    }
}
