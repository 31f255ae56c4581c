import Foundation

/// Everything `fairdesk serve` can be told, read once at start-up: command-line flag,
/// then `FAIRDESK_*` environment variable, then default. `Setting.all` documents each,
/// so `--help` and README.md cannot drift from what is read.
public struct FairdeskConfiguration: Sendable {
    public var dataDirectory: String
    public var httpHost: String
    public var httpPort: Int
    public var smtpHost: String
    /// 0 turns the SMTP listener off.
    public var smtpPort: Int
    /// 0 (the default) turns the LMTP listener off.
    public var lmtpPort: Int
    /// The name Fairdesk uses for itself: SMTP greeting, Message-ID domain.
    public var hostname: String
    /// Addresses mail is accepted for; the first is the From of outgoing mail.
    public var supportAddresses: [String]
    /// nil: SQLite in the data directory; `postgres://…` for PostgreSQL.
    public var databaseURL: String?
    /// nil: outgoing mail is written to `<data>/outgoing/` as .eml files.
    public var smtpRelayURL: String?
    public var maxMessageBytes: Int
    /// Recipients per SMTP/LMTP transaction; more are answered 452 (RFC 5321 §4.5.3.1.10).
    public var smtpMaxRecipients: Int
    /// Concurrent SMTP/LMTP connections per listener; the next one is answered 421 and closed.
    public var smtpMaxConnections: Int
    /// Seconds a client may take to send its next command before it gets 421 and is dropped.
    public var smtpCommandTimeoutSeconds: Int
    /// Seconds the whole DATA phase may take, from 354 to the final ".", however the bytes trickle in.
    public var smtpDataTimeoutSeconds: Int
    public var smtpTLSCertificate: String?
    public var smtpTLSKey: String?
    /// How often the delivery worker looks for due mail.
    public var outboxPollSeconds: Double
    /// How people reach the web desk, for links in mail (sign-in, password reset). Empty:
    /// `http://<http-host>:<http-port>`.
    public var publicURL: String = ""
    /// Largest upload a browser form may send (reply attachments, portal uploads).
    public var maxUploadBytes: Int = 25 << 20
    /// Seconds a ticket taken with "Next" stays held by its agent before it is free again.
    public var holdTimeoutSeconds: Int = 1800
    /// Seconds of silence after an information request before the one reminder goes out.
    public var infoReminderAfterSeconds: Int = 3 * 86400
    /// Days of answers the wait estimate (acknowledgement, portal) is measured over.
    public var waitEstimateDays: Int = 14

    /// The base of links in mail, without a trailing slash.
    public var publicBaseURL: String {
        let base = publicURL.isEmpty ? "http://\(httpHost):\(httpPort)" : publicURL
        return base.hasSuffix("/") ? String(base.dropLast()) : base
    }

    /// Whether cookies must be `Secure` (the desk is served over https).
    public var usesHTTPS: Bool { publicBaseURL.lowercased().hasPrefix("https://") }

    public init(
        dataDirectory: String = "./fairdesk-data", httpHost: String = "127.0.0.1", httpPort: Int = 8080,
        smtpHost: String = "127.0.0.1", smtpPort: Int = 2525, lmtpPort: Int = 0, hostname: String = "localhost",
        supportAddresses: [String] = ["support@localhost"], databaseURL: String? = nil, smtpRelayURL: String? = nil,
        maxMessageBytes: Int = 25 << 20, smtpMaxRecipients: Int = 100, smtpMaxConnections: Int = 200,
        smtpCommandTimeoutSeconds: Int = 300, smtpDataTimeoutSeconds: Int = 600,
        smtpTLSCertificate: String? = nil, smtpTLSKey: String? = nil, outboxPollSeconds: Double = 1
    ) {
        self.dataDirectory = dataDirectory
        self.httpHost = httpHost
        self.httpPort = httpPort
        self.smtpHost = smtpHost
        self.smtpPort = smtpPort
        self.lmtpPort = lmtpPort
        self.hostname = hostname
        self.supportAddresses = supportAddresses
        self.databaseURL = databaseURL
        self.smtpRelayURL = smtpRelayURL
        self.maxMessageBytes = maxMessageBytes
        self.smtpMaxRecipients = smtpMaxRecipients
        self.smtpMaxConnections = smtpMaxConnections
        self.smtpCommandTimeoutSeconds = smtpCommandTimeoutSeconds
        self.smtpDataTimeoutSeconds = smtpDataTimeoutSeconds
        self.smtpTLSCertificate = smtpTLSCertificate
        self.smtpTLSKey = smtpTLSKey
        self.outboxPollSeconds = outboxPollSeconds
    }

    public var masterKeyPath: String { dataDirectory + "/master.key" }
    public var blobDirectory: String { dataDirectory + "/blobs" }
    public var outgoingDirectory: String { dataDirectory + "/outgoing" }
    public var sqlitePath: String { dataDirectory + "/fairdesk.sqlite" }
    public var primarySupportAddress: String { supportAddresses.first ?? "support@localhost" }

    public func isSupportAddress(_ address: String) -> Bool {
        let key = PersonAddress.matchKey(address).lowercased()
        return supportAddresses.contains { PersonAddress.matchKey($0).lowercased() == key }
    }
}

/// One configurable setting: its flag, its environment variable, its default, its help.
public struct Setting: Sendable {
    public var flag: String
    public var environment: String
    public var defaultValue: String
    public var help: String
    public var repeatable: Bool = false

    /// Help text for `--help`: what it does, then where else it can come from.
    public var fullHelp: String {
        "\(help) (env \(environment); default \(defaultValue.isEmpty ? "none" : defaultValue))"
    }

    public static let dataDirectory = Setting(flag: "data-dir", environment: "FAIRDESK_DATA_DIR", defaultValue: "./fairdesk-data",
                                              help: "Data directory: SQLite database, encrypted blobs, master key, outgoing mail")
    public static let httpHost = Setting(flag: "http-host", environment: "FAIRDESK_HTTP_HOST", defaultValue: "127.0.0.1", help: "Address the web server listens on")
    public static let httpPort = Setting(flag: "http-port", environment: "FAIRDESK_HTTP_PORT", defaultValue: "8080", help: "HTTP port")
    public static let smtpHost = Setting(flag: "smtp-host", environment: "FAIRDESK_SMTP_HOST", defaultValue: "127.0.0.1", help: "Address the SMTP/LMTP listeners listen on")
    public static let smtpPort = Setting(flag: "smtp-port", environment: "FAIRDESK_SMTP_PORT", defaultValue: "2525", help: "SMTP port for inbound mail (0 = off)")
    public static let lmtpPort = Setting(flag: "lmtp-port", environment: "FAIRDESK_LMTP_PORT", defaultValue: "0", help: "LMTP port for an MTA's local delivery (0 = off)")
    public static let hostname = Setting(flag: "hostname", environment: "FAIRDESK_HOSTNAME", defaultValue: "localhost", help: "Fairdesk's host name: SMTP greeting and Message-ID domain")
    public static let supportAddress = Setting(flag: "support-address", environment: "FAIRDESK_SUPPORT_ADDRESSES", defaultValue: "support@localhost",
                                               help: "An address mail is accepted for; repeat for several (env: comma-separated); the first sends replies", repeatable: true)
    public static let databaseURL = Setting(flag: "database-url", environment: "FAIRDESK_DATABASE_URL", defaultValue: "",
                                            help: "postgres://user:password@host:port/db for PostgreSQL; SQLite in the data directory when unset")
    public static let smtpRelayURL = Setting(flag: "smtp-url", environment: "FAIRDESK_SMTP_URL", defaultValue: "",
                                             help: "Relay for outgoing mail, smtp://user:pass@host:port or smtps://…; unset writes .eml files to <data-dir>/outgoing/")
    public static let maxMessageBytes = Setting(flag: "max-message-bytes", environment: "FAIRDESK_MAX_MESSAGE_BYTES", defaultValue: "26214400",
                                                help: "Largest inbound message accepted (SMTP SIZE, HTTP body)")
    // The listener's defaults are the transport's (SMTPServerConfiguration); a test in
    // FairdeskServerTests keeps the two equal.
    public static let smtpMaxRecipients = Setting(flag: "smtp-max-recipients", environment: "FAIRDESK_SMTP_MAX_RECIPIENTS", defaultValue: "100",
                                                  help: "Recipients per SMTP/LMTP transaction; more are answered 452")
    public static let smtpMaxConnections = Setting(flag: "smtp-max-connections", environment: "FAIRDESK_SMTP_MAX_CONNECTIONS", defaultValue: "200",
                                                   help: "Concurrent connections per SMTP/LMTP listener; more are answered 421 and closed")
    public static let smtpCommandTimeout = Setting(flag: "smtp-command-timeout", environment: "FAIRDESK_SMTP_COMMAND_TIMEOUT", defaultValue: "300",
                                                   help: "Seconds an SMTP/LMTP client may take to send its next command before it is dropped with 421")
    public static let smtpDataTimeout = Setting(flag: "smtp-data-timeout", environment: "FAIRDESK_SMTP_DATA_TIMEOUT", defaultValue: "600",
                                                help: "Seconds the whole DATA phase may take (354 to the final '.') before the client is dropped with 421")
    public static let smtpTLSCertificate = Setting(flag: "smtp-tls-certificate", environment: "FAIRDESK_SMTP_TLS_CERTIFICATE", defaultValue: "",
                                                   help: "PEM certificate chain; with the key, the SMTP listener offers STARTTLS")
    public static let smtpTLSKey = Setting(flag: "smtp-tls-key", environment: "FAIRDESK_SMTP_TLS_KEY", defaultValue: "", help: "PEM private key for STARTTLS")

    public static let publicURL = Setting(flag: "public-url", environment: "FAIRDESK_PUBLIC_URL", defaultValue: "",
                                          help: "URL people use to reach the web desk, for links in mail (https:// makes cookies Secure); default http://<http-host>:<http-port>")
    public static let maxUploadBytes = Setting(flag: "max-upload-bytes", environment: "FAIRDESK_MAX_UPLOAD_BYTES", defaultValue: String(25 << 20),
                                               help: "Largest upload one web form may send (reply and portal attachments)")

    public static let holdTimeout = Setting(flag: "hold-timeout", environment: "FAIRDESK_HOLD_TIMEOUT", defaultValue: "1800",
                                            help: "Seconds a ticket taken with Next stays held by its agent")
    public static let infoReminderAfter = Setting(flag: "info-reminder-after", environment: "FAIRDESK_INFO_REMINDER_AFTER", defaultValue: "259200",
                                                  help: "Seconds of silence after an information request before one reminder is mailed")
    public static let waitEstimateDays = Setting(flag: "wait-estimate-days", environment: "FAIRDESK_WAIT_ESTIMATE_DAYS", defaultValue: "14",
                                                 help: "Days of answers the customer's wait estimate is measured over")

    public static let all: [Setting] = [
        dataDirectory, httpHost, httpPort, smtpHost, smtpPort, lmtpPort, hostname, supportAddress,
        databaseURL, smtpRelayURL, maxMessageBytes, smtpMaxRecipients, smtpMaxConnections, smtpCommandTimeout,
        smtpDataTimeout, smtpTLSCertificate, smtpTLSKey, publicURL, maxUploadBytes, holdTimeout, infoReminderAfter,
        waitEstimateDays,
    ]
}

public enum ConfigurationError: Error, CustomStringConvertible {
    case invalid(setting: Setting, value: String, reason: String)

    public var description: String {
        switch self {
        case .invalid(let setting, let value, let reason):
            return "invalid --\(setting.flag) / \(setting.environment) value '\(value)': \(reason)"
        }
    }
}

extension FairdeskConfiguration {
    /// Resolves flags (nil or empty when not given), then the environment, then defaults.
    public static func resolve(flags: [String: [String]], environment: [String: String]) throws -> FairdeskConfiguration {
        func values(_ setting: Setting) -> [String] {
            if let given = flags[setting.flag], !given.isEmpty { return given }
            if let env = environment[setting.environment], !env.isEmpty {
                return setting.repeatable ? env.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } : [env]
            }
            return setting.defaultValue.isEmpty ? [] : [setting.defaultValue]
        }
        func string(_ setting: Setting) -> String? { values(setting).first }
        func port(_ setting: Setting) throws -> Int {
            let raw = string(setting) ?? setting.defaultValue
            guard let value = Int(raw), (0...65535).contains(value) else {
                throw ConfigurationError.invalid(setting: setting, value: raw, reason: "a port number from 0 to 65535")
            }
            return value
        }
        /// A whole number from 1 to `maximum`, for counts and for timeouts in seconds.
        func positive(_ setting: Setting, maximum: Int = Int(Int32.max), unit: String) throws -> Int {
            let raw = string(setting) ?? setting.defaultValue
            guard let value = Int(raw), (1...maximum).contains(value) else {
                throw ConfigurationError.invalid(setting: setting, value: raw, reason: "a whole number of \(unit) from 1 to \(maximum)")
            }
            return value
        }
        var configuration = FairdeskConfiguration()
        configuration.dataDirectory = string(.dataDirectory) ?? configuration.dataDirectory
        configuration.httpHost = string(.httpHost) ?? configuration.httpHost
        configuration.httpPort = try port(.httpPort)
        configuration.smtpHost = string(.smtpHost) ?? configuration.smtpHost
        configuration.smtpPort = try port(.smtpPort)
        configuration.lmtpPort = try port(.lmtpPort)
        configuration.hostname = string(.hostname) ?? configuration.hostname
        configuration.supportAddresses = values(.supportAddress)
        for address in configuration.supportAddresses where !address.contains("@") {
            throw ConfigurationError.invalid(setting: .supportAddress, value: address, reason: "an email address (local@domain)")
        }
        configuration.databaseURL = string(.databaseURL)
        if let url = configuration.databaseURL, !(url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")) {
            throw ConfigurationError.invalid(setting: .databaseURL, value: "(hidden)", reason: "must start with postgres://")
        }
        configuration.smtpRelayURL = string(.smtpRelayURL)
        let maxBytes = string(.maxMessageBytes) ?? Setting.maxMessageBytes.defaultValue
        guard let bytes = Int(maxBytes), bytes >= 1024 else {
            throw ConfigurationError.invalid(setting: .maxMessageBytes, value: maxBytes, reason: "a byte count of at least 1024")
        }
        configuration.maxMessageBytes = bytes
        configuration.smtpMaxRecipients = try positive(.smtpMaxRecipients, unit: "recipients")
        configuration.smtpMaxConnections = try positive(.smtpMaxConnections, unit: "connections")
        // A day is far beyond any RFC 5321 §4.5.3.2 timeout, and keeps the nanoseconds in range.
        configuration.smtpCommandTimeoutSeconds = try positive(.smtpCommandTimeout, maximum: 86400, unit: "seconds")
        configuration.smtpDataTimeoutSeconds = try positive(.smtpDataTimeout, maximum: 86400, unit: "seconds")
        configuration.smtpTLSCertificate = string(.smtpTLSCertificate)
        configuration.smtpTLSKey = string(.smtpTLSKey)
        if (configuration.smtpTLSCertificate == nil) != (configuration.smtpTLSKey == nil) {
            throw ConfigurationError.invalid(setting: .smtpTLSKey, value: "", reason: "the certificate and the key go together")
        }
        configuration.publicURL = string(.publicURL) ?? ""
        if !configuration.publicURL.isEmpty {
            let lower = configuration.publicURL.lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), URL(string: configuration.publicURL)?.host != nil else {
                throw ConfigurationError.invalid(setting: .publicURL, value: configuration.publicURL, reason: "an http:// or https:// URL")
            }
        }
        configuration.maxUploadBytes = try positive(.maxUploadBytes, unit: "bytes")
        configuration.holdTimeoutSeconds = try positive(.holdTimeout, maximum: 7 * 86400, unit: "seconds")
        configuration.infoReminderAfterSeconds = try positive(.infoReminderAfter, maximum: 90 * 86400, unit: "seconds")
        configuration.waitEstimateDays = try positive(.waitEstimateDays, maximum: 365, unit: "days")
        return configuration
    }
}
