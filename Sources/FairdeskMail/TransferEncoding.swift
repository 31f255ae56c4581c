/// Content-Transfer-Encoding (RFC 2045 §6): decoding what real mailers send and encoding
/// what we send. Decoders never fail: bad input is decoded as far as it goes and the
/// trouble is reported as a defect.
public enum TransferEncoding {

    // MARK: base64 (RFC 2045 §6.8)

    /// Maps an ASCII byte to its 6-bit value; 0xFF for "not in the alphabet", 0xFE for `=`.
    private static let base64Table: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
        // Not the URL-safe "-" and "_": RFC 2045 §6.8 says characters outside the
        // alphabet are ignored, and reading them as 62/63 garbles everything after a
        // stray one (found by the differential test against Python).
        table[Int(UInt8(ascii: "="))] = 0xFE
        return table
    }()

    /// Decodes base64, skipping line breaks, whitespace and garbage (RFC 2045 §6.8: "all
    /// line breaks or other characters not found in Table 1 must be ignored by decoding
    /// software"). Padding ends a quantum, so concatenated padded chunks decode correctly;
    /// missing padding is tolerated.
    public static func decodeBase64(_ input: some Collection<UInt8>) -> (bytes: [UInt8], defects: [MailDefect]) {
        var garbage = 0
        var danglingBits = false
        var missingPadding = false
        let run: (UnsafeBufferPointer<UInt8>) -> [UInt8] = { buffer in
            let capacity = buffer.count / 4 * 3 + 3
            return [UInt8](unsafeUninitializedCapacity: capacity) { output, count in
                base64Table.withUnsafeBufferPointer { table in
                    var out = 0
                    var quantum: UInt32 = 0
                    var filled = 0
                    var i = 0
                    let n = buffer.count
                    func emitPartial(padded: Bool) {
                        if !padded, filled == 2 || filled == 3 { missingPadding = true }
                        switch filled {
                        case 2:
                            output[out] = UInt8(truncatingIfNeeded: quantum >> 4)
                            out += 1
                        case 3:
                            output[out] = UInt8(truncatingIfNeeded: quantum >> 10)
                            output[out + 1] = UInt8(truncatingIfNeeded: quantum >> 2)
                            out += 2
                        case 1:
                            danglingBits = true
                        default:
                            break
                        }
                        quantum = 0
                        filled = 0
                    }
                    while i < n {
                        // Fast path: four alphabet characters in a row, the bulk of every line.
                        if filled == 0 {
                            while i + 4 <= n {
                                let a = table[Int(buffer[i])], b = table[Int(buffer[i + 1])]
                                let c = table[Int(buffer[i + 2])], d = table[Int(buffer[i + 3])]
                                guard (a | b | c | d) & 0xC0 == 0 else { break }
                                let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                                output[out] = UInt8(truncatingIfNeeded: v >> 16)
                                output[out + 1] = UInt8(truncatingIfNeeded: v >> 8)
                                output[out + 2] = UInt8(truncatingIfNeeded: v)
                                out += 3
                                i += 4
                            }
                            if i >= n { break }
                        }
                        let byte = buffer[i]
                        let value = table[Int(byte)]
                        i += 1
                        if value < 64 {
                            quantum = quantum << 6 | UInt32(value)
                            filled += 1
                            if filled == 4 {
                                output[out] = UInt8(truncatingIfNeeded: quantum >> 16)
                                output[out + 1] = UInt8(truncatingIfNeeded: quantum >> 8)
                                output[out + 2] = UInt8(truncatingIfNeeded: quantum)
                                out += 3
                                quantum = 0
                                filled = 0
                            }
                        } else if value == 0xFE {
                            emitPartial(padded: true)
                        } else if !(byte == 0x0D || byte == 0x0A || byte == 0x20 || byte == 0x09) {
                            garbage += 1
                        }
                    }
                    emitPartial(padded: false)
                    count = out
                }
            }
        }
        let output = input.withContiguousStorageIfAvailable(run) ?? Array(input).withUnsafeBufferPointer(run)
        var defects: [MailDefect] = []
        if garbage > 0 { defects.append(MailDefect("base64.invalid-characters", "\(garbage) characters outside the alphabet ignored")) }
        if missingPadding { defects.append(MailDefect("base64.missing-padding", "the final quantum has no '=' padding")) }
        if danglingBits { defects.append(MailDefect("base64.truncated", "a final single character carried no whole byte")) }
        return (output, defects)
    }

    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Encodes base64 in lines of `lineLength` characters (76 per RFC 2045) joined by CRLF.
    public static func encodeBase64(_ input: some Collection<UInt8>, lineLength: Int = 76) -> [UInt8] {
        let bytes = Array(input)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 3 * 4 + bytes.count / 57 * 2 + 8)
        let groupsPerLine = max(1, lineLength / 4)
        var groups = 0
        var i = 0
        while i < bytes.count {
            let b0 = UInt32(bytes[i])
            let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
            let v = b0 << 16 | b1 << 8 | b2
            out.append(base64Alphabet[Int(v >> 18 & 63)])
            out.append(base64Alphabet[Int(v >> 12 & 63)])
            out.append(i + 1 < bytes.count ? base64Alphabet[Int(v >> 6 & 63)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? base64Alphabet[Int(v & 63)] : UInt8(ascii: "="))
            i += 3
            groups += 1
            if groups == groupsPerLine, i < bytes.count {
                out.append(0x0D)
                out.append(0x0A)
                groups = 0
            }
        }
        return out
    }

    // MARK: quoted-printable (RFC 2045 §6.7)

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        // Lower-case hex is forbidden by §6.7 (1) but common; read it.
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    /// Decodes quoted-printable. `=XX` becomes a byte, `=` before a line break (possibly
    /// with transport-added whitespace between) is a soft break, and a malformed escape is
    /// kept literally as §6.7 note (2) recommends.
    public static func decodeQuotedPrintable(_ input: some Collection<UInt8>) -> (bytes: [UInt8], defects: [MailDefect]) {
        var badEscapes = 0
        let run: (UnsafeBufferPointer<UInt8>) -> [UInt8] = { bytes in
            [UInt8](unsafeUninitializedCapacity: bytes.count) { out, count in
                var o = 0
                var i = 0
                let n = bytes.count
                while i < n {
                    let byte = bytes[i]
                    if byte == 0x20 || byte == 0x09 {
                        // RFC 2045 §6.7 (3): whitespace at the end of a line was added in
                        // transport and must be deleted when decoding.
                        var k = i
                        while k < n, bytes[k] == 0x20 || bytes[k] == 0x09 { k += 1 }
                        let atLineEnd = k == n || bytes[k] == 0x0A || (bytes[k] == 0x0D && (k + 1 == n || bytes[k + 1] == 0x0A))
                        if !atLineEnd {
                            while i < k { out[o] = bytes[i]; o += 1; i += 1 }
                        }
                        i = k
                        continue
                    }
                    if byte != UInt8(ascii: "=") {
                        out[o] = byte
                        o += 1
                        i += 1
                        continue
                    }
                    if i + 2 < n, let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]) {
                        out[o] = hi << 4 | lo
                        o += 1
                        i += 3
                        continue
                    }
                    // Soft line break: "=", optional transport-added whitespace, then a line
                    // break. Broken transports double the CR ("=\r\r\n") or drop the LF.
                    var j = i + 1
                    while j < n, bytes[j] == 0x20 || bytes[j] == 0x09 { j += 1 }
                    if j == n {
                        i = n
                        continue
                    }
                    if bytes[j] == 0x0D || bytes[j] == 0x0A {
                        while j < n, bytes[j] == 0x0D { j += 1 }
                        if j < n, bytes[j] == 0x0A { j += 1 }
                        i = j
                        continue
                    }
                    // A malformed escape is kept literally, as §6.7 note (2) recommends.
                    badEscapes += 1
                    out[o] = byte
                    o += 1
                    i += 1
                }
                count = o
            }
        }
        let out = input.withContiguousStorageIfAvailable(run) ?? Array(input).withUnsafeBufferPointer(run)
        let defects = badEscapes > 0 ? [MailDefect("quoted-printable.invalid-escape", "\(badEscapes) malformed '=' escapes kept literally")] : []
        return (out, defects)
    }

    /// Encodes quoted-printable with soft breaks so no line exceeds 76 characters. Line
    /// breaks in `input` ("\n" or "\r\n") become CRLF hard breaks when `isText` is true;
    /// otherwise every CR and LF is escaped so binary data round-trips exactly.
    public static func encodeQuotedPrintable(_ input: some Collection<UInt8>, isText: Bool = true) -> [UInt8] {
        let bytes = Array(input)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 8)
        var lineLength = 0
        let hex = Array("0123456789ABCDEF".utf8)

        func emit(_ chunk: [UInt8], lineLength: inout Int, out: inout [UInt8]) {
            // Keep room for the "=" of a soft break.
            if lineLength + chunk.count > 75 {
                out.append(contentsOf: [UInt8(ascii: "="), 0x0D, 0x0A])
                lineLength = 0
            }
            out.append(contentsOf: chunk)
            lineLength += chunk.count
        }

        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if isText, byte == 0x0A || (byte == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A) {
                out.append(contentsOf: [0x0D, 0x0A])
                lineLength = 0
                i += byte == 0x0D ? 2 : 1
                continue
            }
            let atLineEnd: Bool = {
                let next = i + 1
                if next >= bytes.count { return true }
                return isText && (bytes[next] == 0x0A || bytes[next] == 0x0D)
            }()
            let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                || ((byte == 0x20 || byte == 0x09) && !atLineEnd)
            // A line starting with "." or "From " is mangled by some transports; escape it.
            let riskyStart = lineLength == 0
                && (byte == UInt8(ascii: ".") || (byte == UInt8(ascii: "F") && bytes[i...].starts(with: "From ".utf8)))
            if literal && !riskyStart {
                emit([byte], lineLength: &lineLength, out: &out)
            } else {
                emit([UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 15)]], lineLength: &lineLength, out: &out)
            }
            i += 1
        }
        return out
    }

    // MARK: uuencode (historical, still sent by some tools)

    /// Decodes the lines between `begin` and `end` of a uuencoded block. Each line starts
    /// with a length character; data characters are (value + 32), with "`" standing for 0.
    public static func decodeUUEncodedLines(_ lines: [ArraySlice<UInt8>]) -> (bytes: [UInt8], defects: [MailDefect]) {
        var out: [UInt8] = []
        var bad = 0
        for line in lines {
            guard let first = line.first else { continue }
            let count = Int((first &- 32) & 63)
            if count == 0 { continue }
            var values: [UInt8] = []
            values.reserveCapacity(line.count)
            for byte in line.dropFirst() where byte != 0x0D {
                values.append((byte &- 32) & 63)
            }
            var produced = 0
            var k = 0
            while produced < count {
                let c0 = k < values.count ? values[k] : 0
                let c1 = k + 1 < values.count ? values[k + 1] : 0
                let c2 = k + 2 < values.count ? values[k + 2] : 0
                let c3 = k + 3 < values.count ? values[k + 3] : 0
                if k + 1 >= values.count { bad += 1; break }
                let triple = [c0 << 2 | c1 >> 4, (c1 & 15) << 4 | c2 >> 2, (c2 & 3) << 6 | c3]
                for byte in triple where produced < count {
                    out.append(byte)
                    produced += 1
                }
                k += 4
            }
        }
        return (out, bad > 0 ? [MailDefect("uuencode.short-line", "\(bad) lines shorter than their length byte")] : [])
    }
}
