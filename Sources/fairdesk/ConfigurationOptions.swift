import ArgumentParser
import FairdeskServer
import Foundation

/// The settings every server-side command reads: flag, then FAIRDESK_* environment, then
/// default. Help texts come from `Setting`, the one description of each.
struct ConfigurationOptions: ParsableArguments {
    @ArgumentParser.Option(name: .customLong("data-dir"), help: ArgumentHelp(Setting.dataDirectory.fullHelp))
    var dataDirectory: String?
    @ArgumentParser.Option(name: .customLong("http-host"), help: ArgumentHelp(Setting.httpHost.fullHelp))
    var httpHost: String?
    @ArgumentParser.Option(name: .customLong("http-port"), help: ArgumentHelp(Setting.httpPort.fullHelp))
    var httpPort: String?
    @ArgumentParser.Option(name: .customLong("smtp-host"), help: ArgumentHelp(Setting.smtpHost.fullHelp))
    var smtpHost: String?
    @ArgumentParser.Option(name: .customLong("smtp-port"), help: ArgumentHelp(Setting.smtpPort.fullHelp))
    var smtpPort: String?
    @ArgumentParser.Option(name: .customLong("lmtp-port"), help: ArgumentHelp(Setting.lmtpPort.fullHelp))
    var lmtpPort: String?
    @ArgumentParser.Option(name: .customLong("hostname"), help: ArgumentHelp(Setting.hostname.fullHelp))
    var hostname: String?
    @ArgumentParser.Option(name: .customLong("support-address"), help: ArgumentHelp(Setting.supportAddress.fullHelp))
    var supportAddresses: [String] = []
    @ArgumentParser.Option(name: .customLong("database-url"), help: ArgumentHelp(Setting.databaseURL.fullHelp))
    var databaseURL: String?
    @ArgumentParser.Option(name: .customLong("smtp-url"), help: ArgumentHelp(Setting.smtpRelayURL.fullHelp))
    var smtpRelayURL: String?
    @ArgumentParser.Option(name: .customLong("max-message-bytes"), help: ArgumentHelp(Setting.maxMessageBytes.fullHelp))
    var maxMessageBytes: String?
    @ArgumentParser.Option(name: .customLong("smtp-max-recipients"), help: ArgumentHelp(Setting.smtpMaxRecipients.fullHelp))
    var smtpMaxRecipients: String?
    @ArgumentParser.Option(name: .customLong("smtp-max-connections"), help: ArgumentHelp(Setting.smtpMaxConnections.fullHelp))
    var smtpMaxConnections: String?
    @ArgumentParser.Option(name: .customLong("smtp-command-timeout"), help: ArgumentHelp(Setting.smtpCommandTimeout.fullHelp))
    var smtpCommandTimeout: String?
    @ArgumentParser.Option(name: .customLong("smtp-data-timeout"), help: ArgumentHelp(Setting.smtpDataTimeout.fullHelp))
    var smtpDataTimeout: String?
    @ArgumentParser.Option(name: .customLong("smtp-tls-certificate"), help: ArgumentHelp(Setting.smtpTLSCertificate.fullHelp))
    var smtpTLSCertificate: String?
    @ArgumentParser.Option(name: .customLong("smtp-tls-key"), help: ArgumentHelp(Setting.smtpTLSKey.fullHelp))
    var smtpTLSKey: String?
    @ArgumentParser.Option(name: .customLong("public-url"), help: ArgumentHelp(Setting.publicURL.fullHelp))
    var publicURL: String?
    @ArgumentParser.Option(name: .customLong("max-upload-bytes"), help: ArgumentHelp(Setting.maxUploadBytes.fullHelp))
    var maxUploadBytes: String?
    @ArgumentParser.Option(name: .customLong("hold-timeout"), help: ArgumentHelp(Setting.holdTimeout.fullHelp))
    var holdTimeout: String?
    @ArgumentParser.Option(name: .customLong("info-reminder-after"), help: ArgumentHelp(Setting.infoReminderAfter.fullHelp))
    var infoReminderAfter: String?
    @ArgumentParser.Option(name: .customLong("wait-estimate-days"), help: ArgumentHelp(Setting.waitEstimateDays.fullHelp))
    var waitEstimateDays: String?

    func resolve() throws -> FairdeskConfiguration {
        var flags: [String: [String]] = [:]
        func put(_ setting: Setting, _ value: String?) {
            if let value, !value.isEmpty { flags[setting.flag] = [value] }
        }
        put(.dataDirectory, dataDirectory)
        put(.httpHost, httpHost)
        put(.httpPort, httpPort)
        put(.smtpHost, smtpHost)
        put(.smtpPort, smtpPort)
        put(.lmtpPort, lmtpPort)
        put(.hostname, hostname)
        if !supportAddresses.isEmpty { flags[Setting.supportAddress.flag] = supportAddresses }
        put(.databaseURL, databaseURL)
        put(.smtpRelayURL, smtpRelayURL)
        put(.maxMessageBytes, maxMessageBytes)
        put(.smtpMaxRecipients, smtpMaxRecipients)
        put(.smtpMaxConnections, smtpMaxConnections)
        put(.smtpCommandTimeout, smtpCommandTimeout)
        put(.smtpDataTimeout, smtpDataTimeout)
        put(.smtpTLSCertificate, smtpTLSCertificate)
        put(.smtpTLSKey, smtpTLSKey)
        put(.publicURL, publicURL)
        put(.maxUploadBytes, maxUploadBytes)
        put(.holdTimeout, holdTimeout)
        put(.infoReminderAfter, infoReminderAfter)
        put(.waitEstimateDays, waitEstimateDays)
        do {
            return try FairdeskConfiguration.resolve(flags: flags, environment: ProcessInfo.processInfo.environment)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }
}
