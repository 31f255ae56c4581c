import Crypto
import Foundation

/// The keyed hash that stands in for a word in the search index (a "blind index").
///
/// The index holds `HMAC-SHA256(searchIndexKey, word)` cut to 64 bits, in hex, never the
/// word. Without the key nobody can tell which word a token is, nor test a guess. What
/// the tokens reveal even so: which messages share a word, how often each token occurs,
/// where (word positions), and message lengths in words — enough for frequency analysis
/// to guess the most common words ("the", "hello") on a large installation. Whoever has
/// the key (it is derived from the master key, which decrypts every blob anyway) can hash
/// a dictionary and so read most of the index back as words in order, without case,
/// accents or punctuation.
///
/// 64 bits keep the index small; two different words colliding among even ten million
/// distinct words is about one chance in 400,000, and would only add a stray result.
struct BlindTokens: Sendable {
    static let byteCount = 8
    static let hexCount = 2 * byteCount

    let key: SymmetricKey
    /// SHA-256 states that have absorbed the key XOR ipad and XOR opad, HMAC's two keyed
    /// prefixes (RFC 2104 §2), computed once: a token then costs two hash compressions
    /// instead of four, and nothing is allocated for the key. Copies of a state are
    /// independent (the hash is a copy-on-write value).
    private let inner: SHA256
    private let outer: SHA256

    init(key: SymmetricKey) {
        self.key = key
        // Keys longer than a block would be hashed first; the search key is 32 bytes.
        var block = key.withUnsafeBytes { Array($0) }
        precondition(block.count <= Self.blockSize, "HMAC-SHA256 keys longer than a block are not used here")
        block += [UInt8](repeating: 0, count: Self.blockSize - block.count)
        var inner = SHA256()
        inner.update(data: block.map { $0 ^ 0x36 })
        var outer = SHA256()
        outer.update(data: block.map { $0 ^ 0x5c })
        self.inner = inner
        self.outer = outer
    }

    init(_ services: FairdeskServices) {
        self.init(key: services.masterKey.searchIndexKey)
    }

    private static let blockSize = 64

    /// HMAC-SHA256(key, word), its first `byteCount` bytes in hex.
    func token(for word: String) -> String {
        var hash = inner
        var word = word
        word.withUTF8 { hash.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        let innerDigest = hash.finalize()
        var mac = outer
        innerDigest.withUnsafeBytes { mac.update(bufferPointer: $0) }
        return mac.finalize().withUnsafeBytes { bytes in
            var hex = [UInt8](repeating: 0, count: Self.hexCount)
            for index in 0..<Self.byteCount {
                hex[2 * index] = Self.digits[Int(bytes[index] >> 4)]
                hex[2 * index + 1] = Self.digits[Int(bytes[index] & 0x0f)]
            }
            return String(decoding: hex, as: UTF8.self)
        }
    }

    private static let digits = Array("0123456789abcdef".utf8)

    /// Tokens naming a ticket's requester and organization. The hashed text starts with
    /// a control character, which no normalized word has, so these never meet a word.
    func scopeTokens(requester: UUID, organization: UUID) -> [String] {
        [requesterToken(requester), organizationToken(organization)]
    }

    func requesterToken(_ id: UUID) -> String {
        token(for: "\u{1}requester \(id.uuidString.lowercased())")
    }

    func organizationToken(_ id: UUID) -> String {
        token(for: "\u{1}organization \(id.uuidString.lowercased())")
    }

    /// Whether `text` is one token as `token(for:)` writes it.
    static func isToken(_ text: some StringProtocol) -> Bool {
        text.utf8.count == hexCount && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }
}

/// A text as the index stores it: its words' tokens, in order (phrases need the order).
///
/// Bounded, so that one enormous message (a log pasted into the body) cannot make a
/// document too large for PostgreSQL's tsvector (1 MB) or hold up the write transaction:
/// only the first `maxTextBytes` of a text are read, and after `maxDistinctWords`
/// different words, new ones are left out (words already seen still count).
struct BlindText: Sendable {
    static let maxTextBytes = 1 << 20
    static let maxDistinctWords = 20_000

    /// Tokens in reading order.
    var tokens: [String]

    init(tokens: [String]) {
        self.tokens = tokens
    }

    init(_ text: String, using blind: BlindTokens) {
        var cache: [String: String] = [:]
        self.init(text, using: blind, cache: &cache)
    }

    /// `cache` maps words to tokens already computed (an HMAC per distinct word, not per
    /// word); texts of one document share it.
    init(_ text: String, using blind: BlindTokens, cache: inout [String: String]) {
        let bounded: String
        if text.utf8.count > Self.maxTextBytes {
            // Cut at a scalar boundary: decoding repairs a sequence cut in half.
            bounded = String(decoding: text.utf8.prefix(Self.maxTextBytes), as: UTF8.self)
        } else {
            bounded = text
        }
        var tokens: [String] = []
        SearchText.forEachWord(in: bounded) { word, _ in
            if let known = cache[word] {
                tokens.append(known)
            } else if cache.count < Self.maxDistinctWords {
                let token = blind.token(for: word)
                cache[word] = token
                tokens.append(token)
            }
            return true
        }
        self.tokens = tokens
    }

    /// The tokens separated by spaces: what SQLite's FTS5 reads (its `ascii` tokenizer
    /// splits on the spaces).
    var spaced: String { tokens.joined(separator: " ") }
}
