// libFuzzer entry point for the FairdeskMail parser. Not part of the SwiftPM build: it is
// compiled together with the module's sources by Fuzz/run.sh with
// `-sanitize=fuzzer,address`, so coverage and memory errors are caught.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Small limits make the fuzzer reach every limit path quickly.
    let limits = MailLimits(maxMessageBytes: 1 << 20, maxHeaderBytes: 16 << 10, maxHeaderCount: 64,
                            maxHeaderLineBytes: 4 << 10, maxNestingDepth: 6, maxParts: 50, maxAddressesPerHeader: 50)
    let message = Message.parse(bytes, limits: limits)
    var total = 0
    for attachment in message.attachments {
        total += attachment.size
        if let embedded = attachment.embeddedMessage(limits: limits) { total += embedded.attachments.count }
    }
    // Decoded content can never be larger than the input: a violation means a decoder bug.
    if total > bytes.count + 64 * 50 { fatalError("decoded \(total) bytes from \(bytes.count)") }
    _ = QuoteDetection.segments(of: message.fullText)
    _ = message.subject.map { EncodedWords.encodeUnstructured($0, fieldNameLength: 7) }
    return 0
}
