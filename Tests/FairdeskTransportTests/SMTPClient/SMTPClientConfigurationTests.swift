import NIOCore
import Testing

@testable import FairdeskTransport

@Suite("SMTPClientConfiguration URL parsing")
struct SMTPClientConfigurationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var url: String
        var host: String
        var port: Int
        var security: SMTPClientConfiguration.Security
        var username: String? = nil
        var password: String? = nil
        var testDescription: String { self.url }
    }

    @Test(arguments: [
        Case(url: "smtp://relay.example.com", host: "relay.example.com", port: 25, security: .startTLSIfAvailable),
        Case(url: "smtp://relay.example.com:2525", host: "relay.example.com", port: 2525, security: .startTLSIfAvailable),
        Case(url: "smtp://relay.example.com/", host: "relay.example.com", port: 25, security: .startTLSIfAvailable),
        Case(
            url: "smtp://user:secret@relay.example.com",
            host: "relay.example.com", port: 587, security: .startTLSIfAvailable, username: "user", password: "secret"
        ),
        Case(
            url: "smtp://user:secret@relay.example.com?tls=required",
            host: "relay.example.com", port: 587, security: .startTLS, username: "user", password: "secret"
        ),
        Case(url: "smtp://127.0.0.1:1025?tls=none", host: "127.0.0.1", port: 1025, security: .none),
        Case(
            url: "smtps://user:secret@relay.example.com",
            host: "relay.example.com", port: 465, security: .implicitTLS, username: "user", password: "secret"
        ),
        Case(url: "smtps://relay.example.com:2465", host: "relay.example.com", port: 2465, security: .implicitTLS),
        Case(url: "smtps://relay.example.com?tls=required", host: "relay.example.com", port: 465, security: .implicitTLS),
        Case(url: "SMTP://Relay.Example.com:25", host: "Relay.Example.com", port: 25, security: .startTLSIfAvailable),
        Case(url: "  smtp://relay.example.com\n", host: "relay.example.com", port: 25, security: .startTLSIfAvailable),
        Case(url: "smtp://[::1]:2525", host: "::1", port: 2525, security: .startTLSIfAvailable),
        Case(url: "smtp://[2001:db8::25]", host: "2001:db8::25", port: 25, security: .startTLSIfAvailable),
        Case(
            url: "smtp://agent%40fairdesk.test:p%40ss%3Aw%2Frd%25%20x@mail.example.com",
            host: "mail.example.com", port: 587, security: .startTLSIfAvailable,
            username: "agent@fairdesk.test", password: "p@ss:w/rd% x"
        ),
        // Liberal: an unencoded "@" or ":" in the password still parses (the last "@" ends it).
        Case(
            url: "smtp://agent@fairdesk.test:pa:ss@word@mail.example.com:587",
            host: "mail.example.com", port: 587, security: .startTLSIfAvailable,
            username: "agent@fairdesk.test", password: "pa:ss@word"
        ),
        Case(
            url: "smtp://user:%C3%A9t%C3%A9@mail.example.com",
            host: "mail.example.com", port: 587, security: .startTLSIfAvailable, username: "user", password: "été"
        ),
        Case(url: "smtp://user:@mail.example.com", host: "mail.example.com", port: 587, security: .startTLSIfAvailable, username: "user", password: ""),
    ])
    func parsesValidURL(_ expected: Case) throws {
        let configuration = try SMTPClientConfiguration(url: expected.url)

        #expect(configuration.host == expected.host)
        #expect(configuration.port == expected.port)
        #expect(configuration.security == expected.security)
        #expect(configuration.username == expected.username)
        #expect(configuration.password == expected.password)
    }

    @Test(arguments: [
        ("relay.example.com", "expected smtp://host or smtps://host"),
        ("http://relay.example.com", "unsupported scheme \"http\""),
        ("smtp://", "the host is missing"),
        ("smtp://:25", "the host is missing"),
        ("smtp://user:pw@", "the host is missing"),
        ("smtp://relay.example.com:0", "not a number from 1 to 65535"),
        ("smtp://relay.example.com:65536", "not a number from 1 to 65535"),
        ("smtp://relay.example.com:25x", "not a number from 1 to 65535"),
        ("smtp://relay.example.com:", "not a number from 1 to 65535"),
        ("smtp://relay.example.com:-1", "not a number from 1 to 65535"),
        ("smtp://::1:25", "must be written in brackets"),
        ("smtp://[::1", "unterminated"),
        ("smtp://[::1]x", "after the host"),
        ("smtp://relay.example.com/path", "has no path"),
        ("smtp://relay.example.com?tls=maybe", "unknown parameter \"tls=maybe\""),
        ("smtp://relay.example.com?starttls=1", "unknown parameter"),
        ("smtps://relay.example.com?tls=none", "contradicts"),
        ("smtp://user@relay.example.com", "user name but no password"),
        ("smtp://:pw@relay.example.com", "user name is empty"),
        ("smtp://user:pw%2@relay.example.com", "two hex digits"),
        ("smtp://user:pw%zz@relay.example.com", "two hex digits"),
        ("smtp://user:%FF@relay.example.com", "not valid UTF-8"),
        ("smtp://relay example.com", "contains characters"),
    ])
    func rejectsBadURL(url: String, reason: String) {
        #expect {
            try SMTPClientConfiguration(url: url)
        } throws: { error in
            guard case .invalidURL(let message) = error as? SMTPClientError else {
                return false
            }
            return message.contains(reason)
        }
    }

    @Test func invalidURLErrorNeverEchoesThePassword() {
        let urls = [
            "smtp://user:hunter2@relay.example.com:99999",
            "smtp://user:hunter2@relay.example.com/path",
            "smtp://user:hunter2@relay.example.com?tls=maybe",
            "smtp://user:hunter2%zz@relay.example.com",
        ]
        for url in urls {
            #expect {
                try SMTPClientConfiguration(url: url)
            } throws: { error in
                let text = "\(error)"
                return text.contains("invalid SMTP URL") && !text.contains("hunter2")
            }
        }
    }

    @Test(arguments: [
        ("smtp://user:hunter2@relay.example.com", "smtp://user:***@relay.example.com:587"),
        ("smtps://agent%40fairdesk.test:p%40ss@relay.example.com", "smtps://agent%40fairdesk.test:***@relay.example.com:465"),
        ("smtp://relay.example.com?tls=required", "smtp://relay.example.com:25?tls=required"),
        ("smtp://127.0.0.1:1025?tls=none", "smtp://127.0.0.1:1025?tls=none"),
        ("smtp://[::1]:2525", "smtp://[::1]:2525"),
    ])
    func redactsPassword(url: String, expected: String) throws {
        let configuration = try SMTPClientConfiguration(url: url)

        #expect(configuration.redactedDescription == expected)
        #expect(!configuration.redactedDescription.contains("hunter2"))
    }

    @Test func redactedDescriptionParsesBackToTheSameRelay() throws {
        let original = try SMTPClientConfiguration(url: "smtp://agent%40fairdesk.test:secret@relay.example.com:2525?tls=required")

        let reparsed = try SMTPClientConfiguration(url: original.redactedDescription)

        #expect(reparsed.host == original.host)
        #expect(reparsed.port == original.port)
        #expect(reparsed.security == original.security)
        #expect(reparsed.username == original.username)
        #expect(reparsed.password == "***")
    }

    @Test func memberwiseInitHasSafeDefaults() {
        let configuration = SMTPClientConfiguration(host: "relay.example.com", port: 587, security: .startTLS)

        #expect(configuration.heloName == "localhost")
        #expect(configuration.connectTimeout == .seconds(30))
        #expect(configuration.commandTimeout == .minutes(5))
        #expect(configuration.tlsConfiguration.certificateVerification == .fullVerification)
        #expect(configuration.redactedDescription == "smtp://relay.example.com:587?tls=required")
    }
}
