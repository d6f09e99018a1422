/// The mixed-text corpus of `scripts/make_text_tokenizer_fixtures.py` (words, contractions, many scripts, digits,
/// punctuation, emoji sequences, special-token spellings, whitespace runs), generated from the same seed and the
/// same lists (written out from the script's) with SplitMix64, so that megabytes of text are checked and timed
/// without committing them. The tokenizer fixtures use seed 2026 and 12000 documents (4.94 MB).
public struct MixedTextCorpus {
    private var state: UInt64

    /// A generator at the start of `seed`'s stream.
    public init(seed: UInt64) { state = seed }

    /// The next SplitMix64 value.
    private mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in 0 ..< n from the stream (n > 0), as the script's `below`.
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// One word, script sample, number, punctuation, emoji, random scalars, special token or whitespace run.
    private mutating func element() -> String {
        let kind = below(100)
        if kind < 50 { return Self.words[below(Self.words.count)] }
        if kind < 64 { return Self.scripts[below(Self.scripts.count)] }
        if kind < 72 { return String((0..<(1 + below(8))).map { _ in Character(Unicode.Scalar(UInt8(0x30 + below(10)))) }) }
        if kind < 80 { return Self.punctuation[below(Self.punctuation.count)] }
        if kind < 86 { return Self.emoji[below(Self.emoji.count)] }
        if kind < 92 {
            var text = String.UnicodeScalarView()
            for _ in 0..<(1 + below(4)) {
                let range = Self.ranges[below(Self.ranges.count)]
                text.append(Unicode.Scalar(range.low + UInt32(below(Int(range.high - range.low + 1))))!)
            }
            return String(text)
        }
        if kind < 94 { return Self.specials[below(Self.specials.count)] }
        return [String(repeating: " ", count: 1 + below(6)), "\t\t", "\n\n\n", " \r\n\t", "\u{2003}\u{2003}"][below(5)]
    }

    /// The next document: 1 to 120 elements joined by separators.
    public mutating func document() -> String {
        var parts = ""
        for _ in 0..<(1 + below(120)) {
            parts += element()
            let r = UInt64(below(100))
            if let separator = Self.separators.first(where: { r < $0.bound }) { parts += separator.text }
        }
        return parts
    }

    /// `count` documents from `seed`.
    public static func corpus(seed: UInt64, count: Int) -> [String] {
        var generator = MixedTextCorpus(seed: seed)
        return (0..<count).map { _ in generator.document() }
    }

    private static let words: [String] = [
        "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on", "not",
        "he", "I", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had", "they", "you",
        "were", "their", "one", "all", "we", "can", "her", "has", "there", "been", "if", "more", "when", "will",
        "would", "who", "so", "no", "The", "A", "It", "We", "They", "HTML", "JSON", "McDonald", "iPhone", "don't",
        "won't", "it's", "I'm", "we'll", "they've", "she'd", "you're", "DON'T", "IT'S", "We'Ll", "rock'n'roll",
        "summarization", "tokenizer", "transformer", "unbelievable", "antidisestablishmentarianism", "na\u{EF}ve",
        "caf\u{E9}", "r\u{E9}sum\u{E9}", "Z\u{FC}rich", "S\u{E3}o", "Paulo", "fa\u{E7}ade", "co\u{F6}perate",
        "jalape\u{F1}o", "\u{C5}ngstr\u{F6}m", "stra\u{DF}e", "x", "y", "z", "foo_bar", "camelCase", "snake_case",
        "https://example.com/a?b=c", "user@mail.org", "C++", "#hashtag", "@mention", "$100", "3.14159", "1,000,000",
        "2026-12-05", "09:35", "v1.2.3", "e.g.", "i.e.", "Mr.", "Dr.", "U.S.A.", "...", "--", "\u{2014}", "\u{2013}",
        "\u{201C}quoted\u{201D}", "\u{2018}single\u{2019}", "\u{AB}guillemets\u{BB}", "(paren)", "[bracket]",
        "{brace}", "<tag>", "</s>", "<s>", "a-b-c", "self-attention", "state-of-the-art",
    ]
    private static let scripts: [String] = [
        "\u{41F}\u{440}\u{438}\u{432}\u{435}\u{442}", "\u{43C}\u{438}\u{440}",
        "\u{41C}\u{43E}\u{441}\u{43A}\u{432}\u{430}", "\u{451}\u{43B}\u{43A}\u{430}",
        "\u{395}\u{3BB}\u{3BB}\u{3B7}\u{3BD}\u{3B9}\u{3BA}\u{3AC}",
        "\u{3B1}\u{3BB}\u{3C6}\u{3AC}\u{3B2}\u{3B7}\u{3C4}\u{3BF}", "\u{5E9}\u{5DC}\u{5D5}\u{5DD}",
        "\u{5E2}\u{5D5}\u{5DC}\u{5DD}", "\u{645}\u{631}\u{62D}\u{628}\u{627}",
        "\u{627}\u{644}\u{639}\u{627}\u{644}\u{645}", "\u{627}\u{644}\u{633}\u{644}\u{627}\u{645}",
        "\u{928}\u{92E}\u{938}\u{94D}\u{924}\u{947}", "\u{926}\u{941}\u{928}\u{93F}\u{92F}\u{93E}",
        "\u{939}\u{93F}\u{928}\u{94D}\u{926}\u{940}", "\u{4F60}\u{597D}", "\u{4E16}\u{754C}",
        "\u{4E2D}\u{6587}\u{5206}\u{8BCD}", "\u{673A}\u{5668}\u{5B66}\u{4E60}\u{6A21}\u{578B}",
        "\u{3053}\u{3093}\u{306B}\u{3061}\u{306F}", "\u{30AB}\u{30BF}\u{30AB}\u{30CA}",
        "\u{3072}\u{3089}\u{304C}\u{306A}", "\u{65E5}\u{672C}\u{8A9E}", "\u{C548}\u{B155}\u{D558}\u{C138}\u{C694}",
        "\u{C138}\u{ACC4}", "\u{D55C}\u{AD6D}\u{C5B4}", "\u{E20}\u{E32}\u{E29}\u{E32}\u{E44}\u{E17}\u{E22}",
        "\u{10E5}\u{10D0}\u{10E0}\u{10D7}\u{10E3}\u{10DA}\u{10D8}",
        "\u{540}\u{561}\u{575}\u{565}\u{580}\u{565}\u{576}", "\u{1403}\u{14C4}\u{1483}\u{144E}\u{1450}\u{1466}",
        "\u{1C4}emal", "\u{1C5}", "\u{1C8}ubljana", "\u{130}stanbul", "\u{131}i", "\u{149}", "\u{DF}", "\u{1E9E}",
        "\u{3A9}", "\u{C5}", "\u{FB01}", "\u{FF46}\u{FF55}\u{FF4C}\u{FF4C}\u{FF57}\u{FF49}\u{FF44}\u{FF54}\u{FF48}",
        "\u{FF11}\u{FF12}\u{FF13}", "\u{663}\u{664}\u{665}", "\u{967}\u{968}\u{969}", "\u{BD}", "\u{B2}\u{B3}",
        "\u{216B}", "\u{217B}", "e\u{301}", "n\u{303}", "a\u{308}\u{301}", "\u{200B}", "\u{200D}", "\u{FEFF}",
        "\u{AD}", "x\u{300}\u{301}\u{302}",
    ]
    private static let punctuation: [String] = [
        ".", ",", "!", "?", ";", ":", "'", "\"", "(", ")", "-", "...", "!!", "?!", "'s", "'S", "'ll", "'LL", "'re",
        "'ve", "'m", "'d", "'t", "''", "'", "/", "\\", "*", "&", "%", "^", "~", "`", "|", "+", "=", "<", ">", "_",
        "\u{30FB}", "\u{3002}", "\u{3001}", "\u{300C}", "\u{300D}", "\u{60C}", "\u{61F}", "\u{BF}", "\u{A1}",
        "\u{A7}", "\u{B6}", "\u{A9}", "\u{AE}", "\u{2122}", "\u{20AC}", "\u{A3}", "\u{A5}", "\u{B0}", "\u{B1}",
        "\u{D7}", "\u{F7}",
    ]
    private static let emoji: [String] = [
        "\u{1F600}", "\u{1F602}", "\u{1F972}", "\u{1F44D}", "\u{1F44D}\u{1F3FD}", "\u{2764}\u{FE0F}", "\u{1F525}",
        "\u{1F680}", "\u{1F1FA}\u{1F1F8}", "\u{1F1EF}\u{1F1F5}", "\u{1F469}\u{200D}\u{1F4BB}",
        "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F466}", "\u{1F3F3}\u{FE0F}\u{200D}\u{1F308}",
        "\u{2705}", "\u{2B50}", "\u{2615}", "\u{1F916}", "\u{1F9EC}", "\u{1F980}", "\u{1F40D}", "1\u{FE0F}\u{20E3}",
        "#\u{FE0F}\u{20E3}", "\u{2122}\u{FE0F}", "\u{1FAE0}", "\u{1F642}\u{1F643}",
    ]
    private static let specials: [String] = [
        "<|eot_id|>", "<|begin_of_text|>", "</s>", "<s>",
    ]
    private static let separators: [(bound: UInt64, text: String)] = [
        (70, " "), (76, "  "), (80, "\u{A}"), (83, "\u{9}"), (86, "\u{A}\u{A}"), (88, "   "), (90, " \u{A}"), (92, "\u{D}\u{A}"), (95, ""), (97, "\u{A0}"), (98, "\u{3000}"), (99, " \u{9} "), (100, "\u{A} \u{A}")
    ]
    private static let ranges: [(low: UInt32, high: UInt32)] = [
        (0xC0, 0xFF), (0x3B1, 0x3C9), (0x410, 0x44F), (0x5D0, 0x5EA), (0x627, 0x64A), (0x915, 0x939), (0x93E, 0x94C), (0x4E00, 0x9FA5), (0x3041, 0x3096), (0xAC00, 0xD7A3), (0x660, 0x669), (0xFF10, 0xFF19), (0x2160, 0x2182), (0x2200, 0x22FF), (0x2190, 0x21FF), (0x300, 0x36F), (0x2500, 0x257F), (0x21, 0x7E), (0x1F600, 0x1F64F), (0x2070, 0x2079)
    ]
}
