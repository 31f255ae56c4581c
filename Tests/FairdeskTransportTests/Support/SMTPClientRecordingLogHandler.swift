import Logging

/// A LogHandler at trace level that writes into an `SMTPClientRecordingLog`.
struct SMTPClientRecordingLogHandler: LogHandler {
    let log: SMTPClientRecordingLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let metadata = self.metadata.merging(event.metadata ?? [:]) { $1 }
        self.log.append("\(event.level) \(event.message) \(metadata)")
    }

    static func logger(recordingInto log: SMTPClientRecordingLog) -> Logger {
        Logger(label: "smtp-client-test") { _ in SMTPClientRecordingLogHandler(log: log) }
    }
}
