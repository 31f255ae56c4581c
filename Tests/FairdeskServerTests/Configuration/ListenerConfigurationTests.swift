import FairdeskTransport
import NIOCore
import Testing
@testable import FairdeskServer

/// The SMTP/LMTP listener limits an admin can set: `--smtp-max-recipients`,
/// `--smtp-max-connections`, `--smtp-command-timeout`, `--smtp-data-timeout`.
extension ConfigurationTests {
    @Test func listenerLimitsDefaultToTheTransportDefaults() throws {
        let listener = try FairdeskConfiguration.resolve(flags: [:], environment: [:])
            .listenerConfiguration(port: 2525, mode: .smtp, tls: nil)
        let transport = SMTPServerConfiguration()
        #expect(listener.maxRecipients == transport.maxRecipients)
        #expect(listener.maxConnections == transport.maxConnections)
        #expect(listener.commandTimeout == transport.commandTimeout)
        #expect(listener.dataTimeout == transport.dataTimeout)
        // What README.md and `--help` promise.
        #expect(listener.maxRecipients == 100)
        #expect(listener.commandTimeout == .seconds(300))
        #expect(listener.dataTimeout == .seconds(600))
    }

    @Test func listenerLimitsComeFromFlagsThenEnvironment() throws {
        let configuration = try FairdeskConfiguration.resolve(
            flags: ["smtp-max-recipients": ["5"], "smtp-command-timeout": ["3"]],
            environment: ["FAIRDESK_SMTP_MAX_RECIPIENTS": "7", "FAIRDESK_SMTP_MAX_CONNECTIONS": "4", "FAIRDESK_SMTP_DATA_TIMEOUT": "5"]
        )
        for mode in [SMTPServerMode.smtp, .lmtp] {
            let listener = configuration.listenerConfiguration(port: 2525, mode: mode, tls: nil)
            #expect(listener.maxRecipients == 5, "the flag wins over the environment")
            #expect(listener.maxConnections == 4)
            #expect(listener.commandTimeout == .seconds(3))
            #expect(listener.dataTimeout == .seconds(5))
        }
    }

    @Test(arguments: [
        ("smtp-max-recipients", "0"), ("smtp-max-recipients", "-1"), ("smtp-max-connections", "many"),
        ("smtp-command-timeout", "2.5"), ("smtp-data-timeout", "0"), ("smtp-data-timeout", "99999999999"),
    ])
    func badListenerLimitsNameTheSetting(flag: String, value: String) {
        do {
            _ = try FairdeskConfiguration.resolve(flags: [flag: [value]], environment: [:])
            Issue.record("accepted --\(flag) '\(value)'")
        } catch {
            #expect("\(error)".contains("--\(flag)"), "\(error)")
            #expect("\(error)".contains("whole number"), "\(error)")
        }
    }

    @Test func aBadListenerLimitFromTheEnvironmentNamesItToo() {
        do {
            _ = try FairdeskConfiguration.resolve(flags: [:], environment: ["FAIRDESK_SMTP_COMMAND_TIMEOUT": "soon"])
            Issue.record("accepted FAIRDESK_SMTP_COMMAND_TIMEOUT=soon")
        } catch {
            #expect("\(error)".contains("FAIRDESK_SMTP_COMMAND_TIMEOUT"), "\(error)")
        }
    }
}
