import Crypto
import Foundation

/// Signed ticket references in the Message-IDs of outgoing mail.
///
/// `fd.<ticket number>.<unique>.<signature>@<hostname>`, the signature being the first
/// 12 bytes of HMAC-SHA256(threading key, "<number>.<unique>"). A reply's In-Reply-To or
/// References carries it back; only Fairdesk can make one, so a stranger cannot forge
/// their way into a ticket the way a `[#N]` subject tag could.
struct ThreadingToken: Sendable {
    let key: SymmetricKey

    func messageID(ticketNumber: Int, unique: String, hostname: String) -> String {
        let payload = "\(ticketNumber).\(unique)"
        return "fd.\(payload).\(signature(payload))@\(hostname)"
    }

    /// The ticket number a Message-ID of ours names, or nil for any other id.
    func ticketNumber(in messageID: String) -> Int? {
        guard messageID.hasPrefix("fd."), let at = messageID.lastIndex(of: "@") else { return nil }
        let parts = messageID[messageID.index(messageID.startIndex, offsetBy: 3)..<at].split(separator: ".")
        guard parts.count == 3, let number = Int(parts[0]), number > 0 else { return nil }
        let payload = "\(parts[0]).\(parts[1])"
        // Constant-time comparison, so the signature cannot be found byte by byte.
        let expected = Array(signature(payload).utf8)
        let given = Array(parts[2].utf8)
        guard expected.count == given.count else { return nil }
        var difference: UInt8 = 0
        for (a, b) in zip(expected, given) { difference |= a ^ b }
        return difference == 0 ? number : nil
    }

    private func signature(_ payload: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(payload.utf8), using: key)
        return mac.prefix(12).map { String(format: "%02x", $0) }.joined()
    }
}
