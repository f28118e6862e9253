/// Reads back the small part of the shell language that omnisim renders: words made of unquoted text,
/// single-quoted text and double-quoted text with `$NAME`/`${NAME}` references, separated by blanks and the
/// operators `>`, `>>`, `2>&1`, `&>`, `&`, `&&`, `||`, `;` and `|`. Anything else a shell would expand
/// (command substitution, globs in unquoted words, arithmetic) is reported, so a reader never guesses.
public enum ShellWords {
    /// One piece of a word: text as written, or the value of an environment variable.
    public enum Part: Sendable, Hashable {
        case text(String)
        /// `"$NAME"`: the value as it is.
        case variable(String)
        /// `$NAME` outside quotes: the value is split into fields at blanks and newlines.
        case splitVariable(String)
    }

    /// One shell word, before expansion.
    public struct Word: Sendable, Hashable, CustomStringConvertible {
        public var parts: [Part]

        /// The word with every variable replaced by its value in `environment` (unset: empty, as in a shell),
        /// as one string, the way a redirection target or an assignment reads it.
        public func expanded(in environment: [String: String]) -> String {
            parts.map { part in
                switch part {
                case .text(let t): return t
                case .variable(let name), .splitVariable(let name): return environment[name] ?? ""
                }
            }.joined()
        }

        /// The arguments the word becomes for a command: unquoted variables are split at blanks and
        /// newlines, and a word that ends up with no text at all outside quotes (an unset `$NAME`) vanishes.
        public func fields(in environment: [String: String]) -> [String] {
            var fields: [String] = []
            var current = ""
            var exists = parts.isEmpty   // `''` and `""` are one empty argument
            for part in parts {
                switch part {
                case .text(let t):
                    current += t
                    exists = true
                case .variable(let name):
                    current += environment[name] ?? ""
                    exists = true
                case .splitVariable(let name):
                    let value = environment[name] ?? ""
                    guard !value.isEmpty else { continue }
                    let pieces = value.split(whereSeparator: ShellWords.isFieldSeparator)
                    if ShellWords.isFieldSeparator(value.first!), exists {
                        fields.append(current)
                        (current, exists) = ("", false)
                    }
                    for (k, piece) in pieces.enumerated() {
                        if k > 0 { fields.append(current); current = "" }
                        current += piece
                        exists = true
                    }
                    if ShellWords.isFieldSeparator(value.last!), exists {
                        fields.append(current)
                        (current, exists) = ("", false)
                    }
                }
            }
            if exists { fields.append(current) }
            return fields
        }

        /// The text of a word without variables; nil when it has one.
        public var literal: String? {
            var text = ""
            for part in parts {
                guard case .text(let t) = part else { return nil }
                text += t
            }
            return text
        }

        public var description: String {
            parts.map { part in
                switch part {
                case .text(let t): return t
                case .variable(let name), .splitVariable(let name): return "$" + name
                }
            }.joined()
        }
    }

    public enum Token: Sendable, Hashable {
        case word(Word)
        case op(String)
    }

    public struct Unsupported: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Splits `line` into tokens. A backslash-newline joins lines, as in a script.
    public static func tokens(_ line: String) throws -> [Token] {
        var tokens: [Token] = []
        var parts: [Part] = []
        var text = ""
        var inWord = false
        // Unicode scalars, as bash reads characters: no grapheme clustering, and comparisons are integers.
        let chars = Array(line.unicodeScalars)
        var i = 0

        func flushText() {
            if !text.isEmpty { parts.append(.text(text)); text = "" }
        }
        func endWord() {
            flushText()
            if inWord { tokens.append(.word(Word(parts: parts))) }
            parts = []
            inWord = false
        }
        /// Reads `$NAME` or `${NAME}` at `i` (which points at `$`) and returns the index after it.
        func variable(at i: Int, quoted: Bool) throws -> Int {
            var j = i + 1
            if j < chars.count, chars[j] == "{" {
                j += 1
                var name = ""
                while j < chars.count, chars[j] != "}" { name.unicodeScalars.append(chars[j]); j += 1 }
                guard j < chars.count, isName(name) else {
                    throw Unsupported(description: "'${\(name)' is not a plain variable reference")
                }
                flushText()
                parts.append(quoted ? .variable(name) : .splitVariable(name))
                return j + 1
            }
            var name = ""
            while j < chars.count, isNameScalar(chars[j]) {
                name.unicodeScalars.append(chars[j]); j += 1
            }
            guard isName(name) else {
                let next = j < chars.count ? String(chars[j]) : "end of line"
                throw Unsupported(description: "'$' followed by \(next) is an expansion omnisim does not model")
            }
            flushText()
            parts.append(quoted ? .variable(name) : .splitVariable(name))
            return j
        }

        while i < chars.count {
            let c = chars[i]
            switch c {
            case "\\":
                if i + 1 < chars.count, chars[i + 1] == "\n" { i += 2; continue }
                guard i + 1 < chars.count else { throw Unsupported(description: "a backslash ends the line") }
                inWord = true
                text.unicodeScalars.append(chars[i + 1])
                i += 2
            case "'":
                inWord = true
                guard let close = chars[(i + 1)...].firstIndex(of: "'") else {
                    throw Unsupported(description: "a single quote is not closed")
                }
                text.unicodeScalars.append(contentsOf: chars[(i + 1)..<close])
                i = close + 1
            case "\"":
                inWord = true
                i += 1
                while true {
                    guard i < chars.count else { throw Unsupported(description: "a double quote is not closed") }
                    let d = chars[i]
                    if d == "\"" { i += 1; break }
                    if d == "\\", i + 1 < chars.count, "$`\"\\\n".unicodeScalars.contains(chars[i + 1]) {
                        if chars[i + 1] != "\n" { text.unicodeScalars.append(chars[i + 1]) }
                        i += 2
                    } else if d == "$" {
                        i = try variable(at: i, quoted: true)
                    } else if d == "`" {
                        throw Unsupported(description: "command substitution is not modelled")
                    } else {
                        text.unicodeScalars.append(d)
                        i += 1
                    }
                }
            case "$":
                if i + 1 < chars.count, chars[i + 1] == "(" {
                    throw Unsupported(description: "command substitution '$(' is not modelled")
                }
                inWord = true
                i = try variable(at: i, quoted: false)
            case "`":
                throw Unsupported(description: "command substitution is not modelled")
            case " ", "\t", "\n":
                endWord()
                i += 1
            case "*", "?", "(", ")", "<":
                throw Unsupported(description: "'\(c)' outside quotes is not modelled")
            case ">", "&", "|", ";":
                if c == ">", inWord, text == "2", parts.isEmpty, matches(chars, at: i, ">&1") {
                    text = ""
                    inWord = false
                    tokens.append(.op("2>&1"))
                    i += 3
                    continue
                }
                endWord()
                let op = ["&>", ">>", "&&", "||", ">", "&", "|", ";"].first { matches(chars, at: i, $0) }!
                tokens.append(.op(op))
                i += op.count
            case "#" where !inWord:
                i = chars.count
            default:
                inWord = true
                text.unicodeScalars.append(c)
                i += 1
            }
        }
        endWord()
        return tokens
    }

    private static func matches(_ chars: [Unicode.Scalar], at i: Int, _ s: String) -> Bool {
        let s = Array(s.unicodeScalars)
        return i + s.count <= chars.count && chars[i..<(i + s.count)].elementsEqual(s)
    }

    /// The characters of the default IFS: an unquoted expansion is split at them.
    static func isFieldSeparator(_ c: Character) -> Bool { c == " " || c == "\t" || c == "\n" }

    /// A shell variable name: an ASCII letter or `_`, then ASCII letters, digits and `_`.
    static func isName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, isNameScalar(first), !("0"..."9").contains(first) else { return false }
        return s.unicodeScalars.allSatisfy(isNameScalar)
    }

    static func isNameScalar(_ c: Unicode.Scalar) -> Bool {
        c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
    }
}
