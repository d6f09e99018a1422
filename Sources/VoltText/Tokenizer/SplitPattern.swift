/// The pre-tokenizer regular expressions of GPT-2 and LLaMA 3, matched by hand over UTF-8 (each alternative
/// written out with the backtracking Oniguruma would do), which is several times faster than a regex engine.
enum SplitPattern: Equatable {
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+` (GPT-2, `ByteLevel(use_regex)`).
    case gpt2
    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    /// (LLaMA 3's `Split`).
    case llama3

    static let gpt2Source = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
    static let llama3Source = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// The pattern a `Split` pre-tokenizer's regex source names, or nil for one not implemented.
    init?(source: String) {
        switch source {
        case Self.gpt2Source: self = .gpt2
        case Self.llama3Source: self = .llama3
        default: return nil
        }
    }

    /// Appends the matches in `range` of `bytes` to `pieces`; with these patterns every byte belongs to a match,
    /// so the matches are also the `Isolated` split.
    func split(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into pieces: inout [Range<Int>]) {
        var start = range.lowerBound
        let end = range.upperBound
        while start < end {
            let stop = self == .gpt2 ? matchGPT2(bytes, start, end) : matchLLaMA3(bytes, start, end)
            pieces.append(start..<stop)
            start = stop
        }
    }

    @inline(__always)
    private func classAt(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> (classes: UInt8, length: Int) {
        let (value, length) = decodeScalar(bytes, at: i)
        return (UnicodeClass.of(value), length)
    }

    /// The end of the run from `i` of scalars whose classes satisfy `keep`, at most `limit` scalars.
    @inline(__always)
    private func run(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int, limit: Int = .max,
                     _ keep: (UInt8) -> Bool) -> Int {
        var j = i, taken = 0
        while j < end && taken < limit {
            let (classes, length) = classAt(bytes, j)
            guard keep(classes) else { break }
            j += length
            taken += 1
        }
        return j
    }

    @inline(__always)
    private static func other(_ classes: UInt8) -> Bool { classes & (UnicodeClass.letter | UnicodeClass.number | UnicodeClass.space) == 0 }

    /// `\s+(?!\S)|\s+` from `i`, a whitespace scalar: all of a run that ends the text, else all but its last scalar
    /// (which then leads the next match), or the single scalar.
    private func whitespace(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) -> Int {
        var j = i, last = i
        while j < end {
            let (classes, length) = classAt(bytes, j)
            guard classes & UnicodeClass.space != 0 else { break }
            last = j
            j += length
        }
        if j == end || last == i { return j }
        return last
    }

    private func matchGPT2(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) -> Int {
        let first = bytes[i]
        if first == 0x27, i + 1 < end {
            let next = bytes[i + 1]
            if next == 0x73 || next == 0x74 || next == 0x6D || next == 0x64 { return i + 2 }   // s t m d
            if i + 2 < end {
                let third = bytes[i + 2]
                if (next == 0x72 && third == 0x65) || (next == 0x76 && third == 0x65) || (next == 0x6C && third == 0x6C) {
                    return i + 3   // re ve ll
                }
            }
        }
        let j = first == 0x20 && i + 1 < end ? i + 1 : i
        let classes = classAt(bytes, j).classes
        if classes & UnicodeClass.letter != 0 { return run(bytes, j, end) { $0 & UnicodeClass.letter != 0 } }
        if classes & UnicodeClass.number != 0 { return run(bytes, j, end) { $0 & UnicodeClass.number != 0 } }
        if Self.other(classes) { return run(bytes, j, end, Self.other) }
        return whitespace(bytes, i, end)
    }

    /// Whether the scalar at `i` is `c` (lower-case ASCII) ignoring case, as `(?i:)` compares; `ſ` folds to `s`.
    @inline(__always)
    private func isFolded(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int, _ c: UInt8) -> Int? {
        guard i < end else { return nil }
        if bytes[i] | 0x20 == c { return 1 }
        if c == 0x73, i + 1 < end, bytes[i] == 0xC5, bytes[i + 1] == 0xBF { return 2 }
        return nil
    }

    private func contraction(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) -> Int? {
        let j = i + 1
        for c: UInt8 in [0x73, 0x74, 0x6D, 0x64] {   // s t m d
            if let length = isFolded(bytes, j, end, c) { return j + length }
        }
        for (a, b): (UInt8, UInt8) in [(0x72, 0x65), (0x76, 0x65), (0x6C, 0x6C)] {   // re ve ll
            if let first = isFolded(bytes, j, end, a), let second = isFolded(bytes, j + first, end, b) {
                return j + first + second
            }
        }
        return nil
    }

    private func matchLLaMA3(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) -> Int {
        if bytes[i] == 0x27, let stop = contraction(bytes, i, end) { return stop }
        let (classes, length) = classAt(bytes, i)
        let isLetter: (UInt8) -> Bool = { $0 & UnicodeClass.letter != 0 }
        if isLetter(classes) { return run(bytes, i, end, isLetter) }
        if classes & (UnicodeClass.newline | UnicodeClass.number) == 0, i + length < end,
           isLetter(classAt(bytes, i + length).classes) {
            return run(bytes, i + length, end, isLetter)
        }
        if classes & UnicodeClass.number != 0 { return run(bytes, i, end, limit: 3) { $0 & UnicodeClass.number != 0 } }
        let j = bytes[i] == 0x20 && i + 1 < end ? i + 1 : i
        if Self.other(classAt(bytes, j).classes) {
            let stop = run(bytes, j, end, Self.other)
            return run(bytes, stop, end) { $0 & UnicodeClass.newline != 0 }
        }
        // \s*[\r\n]+ : the whitespace run up to and including its last line break.
        var k = i, lastBreak = -1
        while k < end {
            let (c, n) = classAt(bytes, k)
            guard c & UnicodeClass.space != 0 else { break }
            if c & UnicodeClass.newline != 0 { lastBreak = k }
            k += n
        }
        if lastBreak >= 0 { return lastBreak + 1 }
        return whitespace(bytes, i, end)
    }
}
