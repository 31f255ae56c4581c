import Foundation

/// A text the policy sends on its own. Admins can edit subject and body (the server stores
/// the overrides); `placeholders` are the `{{name}}` values the server fills in.
public struct PolicyTemplate: Sendable, Equatable {
    public var key: String
    /// For the admin page.
    public var title: String
    /// Short; the server prefixes it with "Re: … [#N]", so it carries no ticket number.
    public var subject: String
    public var body: String
    public var placeholders: [String]

    public init(key: String, title: String, subject: String, body: String, placeholders: [String]) {
        self.key = key
        self.title = title
        self.subject = subject
        self.body = body
        self.placeholders = placeholders
    }
}

/// The default texts, written from seed 003: kind, plain, and honest about why.
public enum PolicyTemplates {
    /// Sent once per ticket when the customer claims urgency (DESIGN.md §2).
    public static let urgencyExplanation = PolicyTemplate(
        key: "urgency_explanation",
        title: "Answer to a claim of urgency",
        subject: "About the order we answer in",
        body: """
        Hello {{name}},

        Thank you for your message. It has reached us, and your request #{{number}} is in our queue.

        You told us that it is urgent, and we understand that it matters to you. We answer requests in the order they reach us, first come, first served, and we do that for everyone. If we put you ahead of the queue, we would put someone else behind it: someone whose problem matters just as much to them. We would not want that done to you either.

        {{estimate}}

        What helps us most is detail: what you did, what you expected, what happened instead, and any error messages, logs or screenshots. You can reply to this email to add anything; your request keeps its place in the queue.

        Thank you for your patience.
        """,
        placeholders: ["name", "number", "position", "estimate"]
    )

    /// Sent once per ticket when the customer asks for a call, a video meeting or remote
    /// access that their plan does not include (DESIGN.md §1).
    public static let callDemandAnswer = PolicyTemplate(
        key: "call_demand_answer",
        title: "Answer to a request for a call or remote session",
        subject: "How we will help you",
        body: """
        Hello {{name}},

        Thank you for getting in touch. You asked us for a call, a video meeting or a remote session. We provide support by email, and we will answer your request #{{number}} here.

        Email works better for both of us:

        - You can describe the problem in detail, step by step, when it suits you.
        - You can attach screenshots, videos, logs, crash dumps and test programs, which cannot be handed over in a call.
        - Everything is written down, so nothing is lost and the whole history of your request stays in one place.
        - Neither of us has to be available at the same moment, wherever in the world we are.

        If we find that email is not working for your problem, we will suggest a call or a remote session ourselves. It is the last step, not the first.

        {{estimate}}

        Please reply to this email with anything that helps us understand the problem.
        """,
        placeholders: ["name", "number", "estimate"]
    )

    /// The agent's request for diagnostic information (DESIGN.md §3).
    public static let infoRequest = PolicyTemplate(
        key: "info_request",
        title: "Request for information",
        subject: "A few details we need",
        body: """
        Hello {{name}},

        Thank you for your request #{{number}}. To look into it we need a little more information. We only ask for what we need for this problem:

        {{items}}

        You can reply to this email with the information and attach any files, or add it on the portal:
        {{portal_link}}

        When you send it, your request joins the queue again and we will pick it up in turn.
        """,
        placeholders: ["name", "number", "items", "portal_link"]
    )

    /// A reminder when the information asked for has not arrived.
    public static let infoReminder = PolicyTemplate(
        key: "info_reminder",
        title: "Reminder of a request for information",
        subject: "Still waiting for a few details",
        body: """
        Hello {{name}},

        On {{asked_on}} we asked for some information about your request #{{number}}, and we have not received all of it yet. This is still missing:

        {{items}}

        You can reply to this email or add it on the portal:
        {{portal_link}}

        When you send it, your request joins the queue again and we will pick it up in turn. If you have solved the problem or no longer need help, just tell us and we will close the request.
        """,
        placeholders: ["name", "number", "items", "portal_link", "asked_on"]
    )

    public static let all: [PolicyTemplate] = [urgencyExplanation, callDemandAnswer, infoRequest, infoReminder]

    public static func named(_ key: String) -> PolicyTemplate? {
        all.first { $0.key == key }
    }

    /// Replaces `{{name}}` placeholders (spaces inside the braces allowed: `{{ name }}`) with
    /// `values`, in one pass: a value that itself contains `{{…}}` is not expanded again.
    /// Unknown placeholders are left as written, so a typo shows instead of vanishing.
    public static func render(_ text: String, values: [String: String]) -> String {
        var output = ""
        var rest = text[...]
        while let placeholder = nextPlaceholder(in: rest) {
            output += rest[..<placeholder.range.lowerBound]
            output += values[placeholder.name] ?? String(rest[placeholder.range])
            rest = rest[placeholder.range.upperBound...]
        }
        output += rest
        return output
    }

    /// Placeholders used in `text` that the template does not offer (for the admin form's
    /// validation), once each, in order of appearance.
    public static func unknownPlaceholders(in text: String, for template: PolicyTemplate) -> [String] {
        var unknown: [String] = []
        var rest = text[...]
        while let placeholder = nextPlaceholder(in: rest) {
            if !template.placeholders.contains(placeholder.name), !unknown.contains(placeholder.name) {
                unknown.append(placeholder.name)
            }
            rest = rest[placeholder.range.upperBound...]
        }
        return unknown
    }

    /// The first `{{name}}` in `text`: a name of letters, digits and "_" between double
    /// braces, spaces around it allowed. Anything else between braces is plain text.
    static func nextPlaceholder(in text: Substring) -> (name: String, range: Range<Substring.Index>)? {
        var searchFrom = text.startIndex
        while let open = text[searchFrom...].range(of: "{{") {
            guard let close = text[open.upperBound...].range(of: "}}") else { return nil }
            let inner = text[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            let isName = !inner.isEmpty && inner.unicodeScalars.allSatisfy {
                $0 == "_" || ($0.isASCII && CharacterSet.alphanumerics.contains($0))
            }
            if isName { return (inner, open.lowerBound..<close.upperBound) }
            searchFrom = text.index(after: open.lowerBound)
        }
        return nil
    }
}
