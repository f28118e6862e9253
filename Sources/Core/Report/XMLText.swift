/// Text made safe for XML 1.0: ANSI escape sequences removed, then every character XML forbids
/// (C0 controls other than tab, newline and carriage return; U+FFFE, U+FFFF) dropped.
public enum XMLText {
    public static func sanitize(_ text: String) -> String {
        // Fast path: no control bytes, no ESC, and no 0xEF lead byte (the only way to spell U+FFFE/U+FFFF).
        var text = text
        let clean = text.withUTF8 { bytes in
            bytes.allSatisfy { ($0 >= 0x20 && $0 != 0xEF) || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        }
        if clean { return text }
        var out = String.UnicodeScalarView()
        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        while let c = pending ?? scalars.next() {
            pending = nil
            if c == "\u{1B}" {
                // CSI: ESC [ params final-letter; OSC: ESC ] ... BEL or ESC \; otherwise drop ESC and one char.
                guard let next = scalars.next() else { break }
                if next == "[" {
                    while let p = scalars.next() { if (0x40...0x7E).contains(p.value) { break } }
                } else if next == "]" {
                    while let p = scalars.next() {
                        if p == "\u{07}" { break }
                        if p == "\u{1B}" { _ = scalars.next(); break }
                    }
                }
                continue
            }
            if allowed(c) { out.append(c) }
        }
        return String(out)
    }

    static func allowed(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x9, 0xA, 0xD: return true
        case 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
        default: return false
        }
    }
}
