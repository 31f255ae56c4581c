import FairdeskTransport
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import NIOSSL
import SQLKit
import Vapor

/// Builds the application. `fairdesk serve` and the tests both call this: there is no
/// second, test-only wiring.
public func configure(_ app: Application, configuration: FairdeskConfiguration, startBackgroundWork: Bool = true) async throws {
    try prepareDataDirectory(configuration)
    try configureDatabase(app, configuration)
    let services = try configureServices(app, configuration)
    app.fairdesk = services
    configureHTTP(app, configuration)
    try routes(app)
    if startBackgroundWork {
        try configureMail(app, configuration)
    }
}

func prepareDataDirectory(_ configuration: FairdeskConfiguration) throws {
    let manager = FileManager.default
    for directory in [configuration.dataDirectory, configuration.blobDirectory] {
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }
}

func configureDatabase(_ app: Application, _ configuration: FairdeskConfiguration) throws {
    if let url = configuration.databaseURL {
        let postgres = try SQLPostgresConfiguration(url: url)
        app.databases.use(.postgres(configuration: postgres), as: .psql)
    } else {
        app.databases.use(.sqlite(.file(configuration.sqlitePath)), as: .sqlite)
    }
    app.migrations.add(Migrations.all)
}

/// Makes SQLite durable and concurrent: WAL with full fsync at each commit.
func tuneSQLite(_ app: Application) async throws {
    guard let sql = app.db as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
    try await sql.raw("PRAGMA journal_mode=WAL").run()
    try await sql.raw("PRAGMA synchronous=FULL").run()
    try await sql.raw("PRAGMA busy_timeout=10000").run()
}

/// Keeps SQLite's query planner informed. Without statistics for an index (one a migration
/// just added) the planner guesses it is selective and may prefer it to the index that
/// fits the query: at a million tickets the queue page took 100 ms instead of 20. So after
/// migrating: a full `ANALYZE` when some index has no statistics (a few seconds at a
/// million tickets; sampled statistics misled the planner on the list views), else
/// `PRAGMA optimize` (which re-analyzes tables whose size changed a lot).
func refreshSQLiteStatistics(_ app: Application) async throws {
    guard let sql = app.db as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
    struct Name: Decodable { var name: String }
    let analyzed = try await sql.raw("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'").first(decoding: Name.self) != nil
    var missing = !analyzed
    if analyzed {
        // Only tables that have statistics: an empty table never gets index statistics,
        // and must not cost a full ANALYZE at every start.
        missing = try await sql.raw("""
            SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%' \
            AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL) \
            AND tbl_name IN (SELECT tbl FROM sqlite_stat1) LIMIT 1
            """).first(decoding: Name.self) != nil
    }
    try await sql.raw(missing ? "ANALYZE" : "PRAGMA optimize").run()
}

func configureServices(_ app: Application, _ configuration: FairdeskConfiguration) throws -> FairdeskServices {
    let existed = FileManager.default.fileExists(atPath: configuration.masterKeyPath)
    let master = try MasterKey.loadOrCreate(at: configuration.masterKeyPath)
    let metrics = FairdeskMetrics()
    let writes = WriteGate(serializes: configuration.databaseURL == nil) { batch in metrics.writeBatchSize.record(Double(batch)) }
    let keyRing = KeyRing(master: master, store: DatabaseWrappedKeyStore(database: app.db, writes: writes))
    let blobs = BlobStore(root: configuration.blobDirectory, master: master, keyRing: keyRing, inline: DatabaseInlineBlobs(database: app.db))
    return FairdeskServices(configuration: configuration, masterKey: master, keyRing: keyRing, blobs: blobs,
                            threading: ThreadingToken(key: master.threadingKey), metrics: metrics,
                            writes: writes,
                            masterKeyExisted: existed)
}

func configureHTTP(_ app: Application, _ configuration: FairdeskConfiguration) {
    // Security headers on every response, pages and API alike.
    app.middleware.use(SecurityHeadersMiddleware(), at: .beginning)
    app.http.server.configuration.hostname = configuration.httpHost
    app.http.server.configuration.port = configuration.httpPort
    // Raw mail posted to the inbound endpoint may be as large as SMTP accepts.
    app.routes.defaultMaxBodySize = ByteCount(integerLiteral: configuration.maxMessageBytes + (64 << 10))
}

/// The SMTP/LMTP listeners and the delivery worker run for the life of the application.
func configureMail(_ app: Application, _ configuration: FairdeskConfiguration) throws {
    let sink: any MailSink
    if let url = configuration.smtpRelayURL {
        let client = try SMTPClientConfiguration(url: url)
        app.logger.info("outgoing mail goes through the relay \(client.redactedDescription)")
        sink = RelayMailSink(configuration: client, logger: app.logger)
    } else {
        app.logger.notice("no relay configured (--smtp-url / FAIRDESK_SMTP_URL): outgoing mail is written to \(configuration.outgoingDirectory)")
        sink = FileMailSink(directory: configuration.outgoingDirectory)
    }
    var tls: NIOSSLContext?
    if let certificate = configuration.smtpTLSCertificate, let key = configuration.smtpTLSKey {
        let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
        let tlsConfiguration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .file(key))
        tls = try NIOSSLContext(configuration: tlsConfiguration)
    }
    app.lifecycle.use(MailLifecycle(configuration: configuration, sink: sink, tls: tls))
}

/// Starts and stops the listeners and the worker with the application.
final class MailLifecycle: LifecycleHandler, @unchecked Sendable {
    // `tasks` is touched only from Vapor's boot and shutdown hooks, which run one after
    // the other on the main application flow, never concurrently.
    private var tasks: [Task<Void, Never>] = []
    let configuration: FairdeskConfiguration
    let sink: any MailSink
    let tls: NIOSSLContext?

    init(configuration: FairdeskConfiguration, sink: any MailSink, tls: NIOSSLContext?) {
        self.configuration = configuration
        self.sink = sink
        self.tls = tls
    }

    func didBootAsync(_ app: Application) async throws {
        for (port, mode) in [(configuration.smtpPort, SMTPServerMode.smtp), (configuration.lmtpPort, .lmtp)] where port > 0 {
            let settings = configuration.listenerConfiguration(port: port, mode: mode, tls: tls)
            let handler = IngestingDeliveryHandler(services: app.fairdesk, database: app.db, logger: app.logger,
                                                   channel: mode == .smtp ? "smtp" : "lmtp")
            let server = SMTPServer(configuration: settings, handler: handler, logger: app.logger)
            let logger = app.logger
            let listening = "\(mode == .smtp ? "SMTP" : "LMTP") listening on \(settings.host)"
            tasks.append(Task {
                do {
                    try await server.run { bound in logger.notice("\(listening):\(bound)") }
                } catch is CancellationError {
                } catch {
                    logger.critical("the \(mode) listener stopped: \(error)")
                }
            })
        }
        let worker = DeliveryWorker(services: app.fairdesk, database: app.db, sink: sink, logger: app.logger,
                                    workerID: "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UUID().uuidString.prefix(8))")
        tasks.append(Task { await worker.run() })
        let reminders = ReminderWorker(services: app.fairdesk, database: app.db, logger: app.logger)
        tasks.append(Task { await reminders.run() })
    }

    func shutdownAsync(_ app: Application) async {
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        tasks = []
    }
}

extension FairdeskConfiguration {
    /// The SMTP or LMTP listener's settings. Limits not named here (command line length,
    /// errors per connection) keep the transport's documented defaults.
    func listenerConfiguration(port: Int, mode: SMTPServerMode, tls: NIOSSLContext?) -> SMTPServerConfiguration {
        var settings = SMTPServerConfiguration()
        settings.host = smtpHost
        settings.port = port
        settings.mode = mode
        settings.hostname = hostname
        settings.maxMessageBytes = maxMessageBytes
        settings.maxRecipients = smtpMaxRecipients
        settings.maxConnections = smtpMaxConnections
        settings.commandTimeout = .seconds(Int64(smtpCommandTimeoutSeconds))
        settings.dataTimeout = .seconds(Int64(smtpDataTimeoutSeconds))
        settings.tls = tls
        return settings
    }
}

/// Connects the SMTP listener to ingestion: recipients must be support addresses (no open
/// relay), and 250 is answered only after `ingest` returned, i.e. after the commit.
struct IngestingDeliveryHandler: SMTPDeliveryHandler {
    let services: FairdeskServices
    let database: any Database
    let logger: Logger
    /// `smtp` or `lmtp`, recorded on every message received.
    let channel: String

    func checkRecipient(_ address: String, envelope: SMTPEnvelope) async -> SMTPRecipientDecision {
        services.configuration.isSupportAddress(address) ? .accept : .reject("no such mailbox here (Fairdesk accepts mail for its support addresses only)")
    }

    func deliver(_ message: [UInt8], envelope: SMTPEnvelope) async -> SMTPDeliveryResult {
        let ingestor = MailIngestor(services: services, database: database, logger: logger)
        do {
            let outcome = try await ingestor.ingest(InboundDelivery(raw: message, envelopeFrom: envelope.mailFrom,
                                                                    envelopeTo: envelope.recipients, channel: channel))
            switch outcome {
            case .stored(let id, let number, _): return .accepted(id: "\(id) ticket #\(number)")
            case .duplicate(let id): return .accepted(id: "\(id) (already stored)")
            case .needsAttention(let id, _): return .accepted(id: "\(id) (kept for an admin)")
            }
        } catch {
            logger.error("ingestion failed; the sender will retry", metadata: ["error": "\(error)"])
            return .temporaryFailure("cannot store the message right now; try again later")
        }
    }
}
