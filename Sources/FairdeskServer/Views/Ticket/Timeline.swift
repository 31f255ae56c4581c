import FairdeskMail
import Foundation
import Plot

/// A ticket's timeline — messages and events in order — shared by the desk and the
/// portal. The model decides what is in it (the portal's has no notes and only the
/// events a customer can make sense of); the view only renders, and renders every body
/// as escaped text: mail HTML never reaches the page (see `HTMLSanitizer` for the frame).
enum Timeline {
    /// Where the timeline's links go.
    enum Links: Sendable, Equatable {
        case desk, portal

        func attachment(_ id: UUID) -> String {
            switch self {
            case .desk: return DeskPaths.attachment(id)
            case .portal: return PortalPaths.attachment(id)
            }
        }

        /// The same route, asking to show a raster image in the page.
        func preview(_ id: UUID) -> String { attachment(id) + "?inline=1" }

        /// The original message as received or sent (the desk only).
        func raw(_ id: UUID) -> String? { self == .desk ? DeskPaths.messageRaw(id) : nil }

        /// The sanitized HTML of a message, for the sandboxed frame (the desk only).
        func frame(_ id: UUID) -> String? { self == .desk ? DeskPaths.messageFrame(id) : nil }
    }

    struct Model: Sendable {
        /// Whether internal notes belong in this timeline (staff only). The view checks it
        /// again, so a model built wrongly still cannot show a note to a customer.
        var includeNotes: Bool
        var links: Links
        var entries: [Entry]
    }

    enum Entry: Sendable {
        case message(Message)
        case event(Event)
    }

    struct Message: Sendable {
        var id: UUID
        var kind: MessageKind
        var at: Date?
        var fromName: String?
        var fromAddress: String
        var to: [String]
        var subject: String
        var body: String
        /// Written on the portal's ticket page.
        var viaPortal: Bool
        /// Why it was threaded onto the ticket (shown on the desk only; nil hides it).
        var threadReason: String?
        var attachments: [Attachment]
        var hasRaw: Bool
        /// Whether to offer "Show original formatting" (inbound mail only; whether an
        /// HTML part exists is only known by parsing the raw message, which the frame does).
        var offersHTML: Bool
    }

    struct Attachment: Sendable {
        var id: UUID
        var filename: String
        var contentType: String
        var size: Int

        /// PNG, JPEG, GIF and WebP are shown in the page; never SVG (it can carry script).
        var isPreviewable: Bool { HTMLSanitizer.rasterImageTypes.contains(contentType.lowercased()) }
    }

    struct Event: Sendable {
        var at: Date?
        /// Who: a person's name, "Support", "Fairdesk".
        var actor: String
        var what: String
        var why: String?
    }

    // MARK: View

    static func view(_ model: Model) -> Node<HTML.BodyContext> {
        let entries = model.entries.filter { entry in
            if case .message(let message) = entry, message.kind == .note { return model.includeNotes }
            return true
        }
        return .ol(.class("timeline"), .attribute(named: "aria-label", value: "Timeline"),
                   .forEach(entries) { entry in
                       switch entry {
                       case .message(let message): return messageItem(message, links: model.links)
                       case .event(let event): return eventItem(event)
                       }
                   })
    }

    static func messageItem(_ message: Message, links: Links) -> Node<HTML.ListContext> {
        let sender = message.fromName.map { "\($0) <\(message.fromAddress)>" } ?? message.fromAddress
        return .li(
            .class("message \(message.kind.rawValue)"), .id("m-\(message.id.uuidString.lowercased())"),
            .div(.class("meta"),
                 .if(message.kind == .note, .strong(.text("Internal note"))),
                 .if(message.kind == .note, .text(" by ")),
                 .strong(.exactText(message.kind == .note ? (message.fromName ?? "an agent") : sender)),
                 .if(message.kind != .note && !message.to.isEmpty, .exactText(" to \(message.to.joined(separator: ", "))")),
                 .unwrap(message.at) { .group(.text(" · "), time($0)) },
                 .if(message.viaPortal, .text(" · via portal")),
                 .unwrap(message.threadReason) { .span(.class("muted"), .exactText(" · threaded: \($0)")) },
                 .unwrap(message.hasRaw ? links.raw(message.id) : nil) {
                     .group(.text(" · "), .a(.href($0), .text("Original message (.eml)")))
                 }),
            .if(message.kind != .note && !message.subject.isEmpty,
                .div(.class("subject"), .exactText(message.subject))),
            .group(body(message.body)),
            .if(!message.attachments.isEmpty,
                .ul(.class("attachments"), .forEach(message.attachments) { attachmentItem($0, links: links) })),
            .unwrap(message.offersHTML ? links.frame(message.id) : nil) { frame in
                .details(.class("html"),
                         .summary("Show original formatting"),
                         .p(.class("muted"), .text("Sanitized: no scripts, no styles, no remote images; links are shown, not followed.")),
                         .raw("<iframe sandbox=\"\" class=\"html-mail\" loading=\"lazy\" referrerpolicy=\"no-referrer\" "
                              + "title=\"Original formatting\" src=\"\(HTMLEscaping.attribute(frame))\"></iframe>"))
            }
        )
    }

    static func attachmentItem(_ attachment: Attachment, links: Links) -> Node<HTML.ListContext> {
        .li(
            .a(.href(links.attachment(attachment.id)), .exactText(attachment.filename)),
            .span(.class("muted"), .exactText(" \(Format.size(attachment.size)) · \(attachment.contentType)")),
            .if(attachment.isPreviewable,
                .img(.src(links.preview(attachment.id)), .alt(HTMLEscaping.attribute(attachment.filename)),
                     .attribute(named: "loading", value: "lazy")))
        )
    }

    static func eventItem(_ event: Event) -> Node<HTML.ListContext> {
        .li(.class("event"),
            .unwrap(event.at) { .group(time($0), .text(" ")) },
            .strong(.exactText(event.actor)),
            .exactText(" \(event.what)"),
            .unwrap(event.why) { .span(.class("why"), .exactText(" — \($0)")) })
    }

    static func time(_ date: Date) -> Node<HTML.BodyContext> {
        .time(.datetime(Format.iso(date)), .text(Format.date(date)))
    }

    /// A body as text: what the person wrote in `<pre class="body">`, quoted text and
    /// signatures folded into `<details class="quoted">` (FairdeskMail's detection).
    static func body(_ text: String) -> [Node<HTML.BodyContext>] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var nodes: [Node<HTML.BodyContext>] = []
        var folded: [TextSegment] = []

        func piece(_ range: Range<Int>) -> String {
            // The same split as QuoteDetection's; clamped all the same.
            var slice = Array(lines[min(range.lowerBound, lines.count)..<min(range.upperBound, lines.count)])
            while let first = slice.first, first.allSatisfy(\.isWhitespace) { slice.removeFirst() }
            while let last = slice.last, last.allSatisfy(\.isWhitespace) { slice.removeLast() }
            return slice.joined(separator: "\n")
        }
        func flushFolded() {
            guard !folded.isEmpty else { return }
            let text = piece(folded[0].lines.lowerBound..<folded[folded.count - 1].lines.upperBound)
            let kinds = Set(folded.map(\.kind))
            folded = []
            guard !text.isEmpty else { return }
            let label = kinds.contains(.quote) ? (kinds.contains(.signature) ? "Quoted text and signature" : "Quoted text") : "Signature"
            nodes.append(.details(.class("quoted"), .summary(.text(label)), .pre(.class("body"), .exactText(text))))
        }
        for segment in QuoteDetection.segments(of: text) {
            if segment.kind == .text {
                let visible = piece(segment.lines)
                if visible.isEmpty { continue }
                flushFolded()
                nodes.append(.pre(.class("body"), .exactText(visible)))
            } else {
                folded.append(segment)
            }
        }
        flushFolded()
        return nodes
    }
}

/// Dates, ages and sizes as pages show them (UTC; the same for every viewer).
enum Format {
    static func date(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d UTC", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
                      parts.hour ?? 0, parts.minute ?? 0)
    }

    static func iso(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
                      parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
    }

    /// "just now", "12 min", "3 h 5 min", "4 days".
    static func age(from start: Date, to now: Date) -> String {
        let minutes = max(0, Int(now.timeIntervalSince(start) / 60))
        switch minutes {
        case 0: return "just now"
        case ..<60: return "\(minutes) min"
        case ..<(48 * 60): return minutes % 60 == 0 ? "\(minutes / 60) h" : "\(minutes / 60) h \(minutes % 60) min"
        default: return "\(minutes / (24 * 60)) days"
        }
    }

    /// "just now", "12 min ago", "4 days ago".
    static func ago(from start: Date, to now: Date) -> String {
        let text = age(from: start, to: now)
        return text == "just now" ? text : "\(text) ago"
    }

    static func size(_ bytes: Int) -> String {
        ByteCountFormatter.string(fromByteCount: Int64(bytes), countStyle: .file)
    }

    private static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar
    }
}
