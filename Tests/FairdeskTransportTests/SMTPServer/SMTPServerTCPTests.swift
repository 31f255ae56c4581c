import Foundation
import NIOCore
import Testing

@testable import FairdeskTransport

/// The server on a real socket, driven by Python's smtplib (and raw sockets where smtplib is too
/// polite: pipelining, trickling, STARTTLS injection).
@Suite("SMTPServer over TCP", .timeLimit(.minutes(3)))
struct SMTPServerTCPTests {
    typealias Support = SMTPServerTestSupport

    @Test func deliversEightBitUTF8Message() async throws {
        let handler = SMTPServerRecordingHandler()
        let message = Array(
            """
            From: Jörg Müller <joerg@example.com>\r
            To: help@desk.test\r
            Subject: Grüße aus Köln — 日本語\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Transfer-Encoding: 8bit\r
            \r
            Das Programm stürzt beim Start ab.\r
            .a line starting with a dot\r
            a bare LF line\n.and a dot after it\r
            Ende.\r

            """.utf8
        )
        struct Report: Decodable {
            var ehlo: Int
            var features: [String]
            var refused: Int
            var quit: Int
        }

        let report = try await Support.withServer(SMTPServerConfiguration(), handler: handler) { port in
            try await Support.runPython(
                """
                msg = base64.b64decode(sys.argv[2])
                s = smtplib.SMTP("127.0.0.1", PORT, local_hostname="client.example", timeout=20)
                code, _ = s.ehlo()
                features = sorted(s.esmtp_features.keys())
                refused = s.sendmail("joerg@example.com", ["help@desk.test"], msg, mail_options=["BODY=8BITMIME", "SMTPUTF8"])
                quit_code, _ = s.quit()
                out(ehlo=code, features=features, refused=len(refused), quit=quit_code)
                """,
                port: port,
                arguments: [Data(message).base64EncodedString()],
                as: Report.self
            )
        }

        #expect(report.ehlo == 250)
        #expect(Set(["size", "8bitmime", "pipelining", "enhancedstatuscodes", "smtputf8"]).isSubset(of: report.features))
        #expect(!report.features.contains("starttls"))
        #expect(report.refused == 0)
        #expect(report.quit == 221)
        let deliveries = await handler.deliveries
        #expect(deliveries.count == 1)
        #expect(deliveries.first?.message == message)
        #expect(deliveries.first?.envelope.mailFrom == "joerg@example.com")
        #expect(deliveries.first?.envelope.recipients == ["help@desk.test"])
        #expect(deliveries.first?.envelope.heloName == "client.example")
        #expect(deliveries.first?.envelope.declaredBody == "8BITMIME")
        #expect(deliveries.first?.envelope.remoteAddress == "127.0.0.1")
        #expect(deliveries.first?.envelope.tlsActive == false)
    }

    @Test func answersPipelinedCommandsInOrder() async throws {
        let handler = SMTPServerRecordingHandler()
        struct Report: Decodable {
            var greeting: Int
            var pipelining: Bool
            var batch: [Int]
            var end: [Int]
            var closed: Bool
        }

        let report = try await Support.withServer(SMTPServerConfiguration(), handler: handler) { port in
            try await Support.runPython(
                """
                c = Raw()
                greeting = c.reply()[0]
                c.send("EHLO client.example\\r\\n")
                ehlo = c.reply()[1]
                c.send("MAIL FROM:<customer@example.com>\\r\\nRCPT TO:<one@desk.test>\\r\\n"
                       "RCPT TO:<stranger@elsewhere.example>\\r\\nRCPT TO:<two@desk.test>\\r\\nDATA\\r\\n")
                batch = [c.reply()[0] for _ in range(5)]
                c.send("Subject: pipelined\\r\\n\\r\\nbody\\r\\n.\\r\\nQUIT\\r\\n")
                end = [c.reply()[0] for _ in range(2)]
                out(greeting=greeting, pipelining="250-PIPELINING" in ehlo, batch=batch, end=end, closed=c.closed_by_server())
                """,
                port: port,
                as: Report.self
            )
        }

        #expect(report.greeting == 220)
        #expect(report.pipelining)
        #expect(report.batch == [250, 250, 550, 250, 354])
        #expect(report.end == [250, 221])
        #expect(report.closed)
        let deliveries = await handler.deliveries
        #expect(deliveries.map(\.envelope.recipients) == [["one@desk.test", "two@desk.test"]])
        #expect(deliveries.first?.message == Array("Subject: pipelined\r\n\r\nbody\r\n".utf8))
    }

    @Test func refusesOversizedMessagesBeforeAndAfterData() async throws {
        let handler = SMTPServerRecordingHandler()
        struct Report: Decodable {
            var size: Int
            var sizeText: String
            var afterData: Int
            var afterDataText: String
            var smallRefused: Int
        }

        let report = try await Support.withServer(SMTPServerConfiguration(maxMessageBytes: 10_000), handler: handler) { port in
            try await Support.runPython(
                """
                s = smtplib.SMTP("127.0.0.1", PORT, local_hostname="client.example", timeout=20)
                s.ehlo()
                size_code, size_text = s.mail("customer@example.com", ["SIZE=20000"])
                s.rset()
                s.mail("customer@example.com")
                s.rcpt("help@desk.test")
                big = b"Subject: big\\r\\n\\r\\n" + (b"x" * 998 + b"\\r\\n") * 20
                data_code, data_text = s.data(big)
                refused = s.sendmail("customer@example.com", ["help@desk.test"], b"Subject: small\\r\\n\\r\\nfits\\r\\n")
                s.quit()
                out(size=size_code, sizeText=size_text.decode(), afterData=data_code, afterDataText=data_text.decode(),
                    smallRefused=len(refused))
                """,
                port: port,
                as: Report.self
            )
        }

        #expect(report.size == 552)
        #expect(report.sizeText.hasPrefix("5.3.4"))
        #expect(report.afterData == 552)
        #expect(report.afterDataText.hasPrefix("5.3.4"))
        #expect(report.smallRefused == 0, "the connection survives an oversized message")
        let deliveries = await handler.deliveries
        #expect(deliveries.map(\.message) == [Array("Subject: small\r\n\r\nfits\r\n".utf8)])
    }

    @Test func limitsRecipientsWhileServingAnotherClient() async throws {
        let handler = SMTPServerRecordingHandler()
        let directory = try Support.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let marker = directory.appendingPathComponent("other-client-done")
        struct FloodReport: Decodable {
            var accepted: Int
            var limited: Int
            var firstLimited: Int
            var other: Int
            var data: Int
            var end: Int
        }
        struct OtherReport: Decodable {
            var refused: [Int]
        }

        let (flood, other) = try await Support.withServer(SMTPServerConfiguration(maxRecipients: 100), handler: handler) { port in
            // The flooding client keeps its connection open until the other client is done.
            async let flood = Support.runPython(
                """
                c = Raw()
                c.reply()
                c.send("EHLO flood.example\\r\\n"); c.reply()
                c.send("MAIL FROM:<flood@example.com>\\r\\n"); c.reply()
                codes = []
                for batch in range(20):
                    c.send("".join("RCPT TO:<user%d@desk.test>\\r\\n" % (batch * 500 + i) for i in range(500)))
                    codes += [c.reply()[0] for _ in range(500)]
                deadline = time.time() + 60
                while not os.path.exists(sys.argv[2]) and time.time() < deadline:
                    time.sleep(0.02)
                c.send("DATA\\r\\n"); data = c.reply()[0]
                c.send("Subject: many\\r\\n\\r\\nhi\\r\\n.\\r\\n"); end = c.reply()[0]
                c.send("QUIT\\r\\n"); c.reply()
                out(accepted=codes.count(250), limited=codes.count(452), firstLimited=codes.index(452),
                    other=len(codes) - codes.count(250) - codes.count(452), data=data, end=end)
                """,
                port: port,
                arguments: [marker.path],
                as: FloodReport.self
            )
            let other: OtherReport
            do {
                other = try await Support.runPython(
                    """
                    refused = []
                    for i in range(3):
                        s = smtplib.SMTP("127.0.0.1", PORT, local_hostname="other.example", timeout=20)
                        refused.append(len(s.sendmail("other@example.com", ["help@desk.test"], b"Subject: other\\r\\n\\r\\nx\\r\\n")))
                        s.quit()
                    out(refused=refused)
                    """,
                    port: port,
                    as: OtherReport.self
                )
            } catch {
                _ = FileManager.default.createFile(atPath: marker.path, contents: nil)
                throw error
            }
            _ = FileManager.default.createFile(atPath: marker.path, contents: nil)
            return (try await flood, other)
        }

        #expect(other.refused == [0, 0, 0])
        #expect(flood.accepted == 100)
        #expect(flood.limited == 9_900)
        #expect(flood.firstLimited == 100)
        #expect(flood.other == 0)
        #expect(flood.data == 354)
        #expect(flood.end == 250)
        let deliveries = await handler.deliveries
        #expect(deliveries.map(\.envelope.recipients.count).sorted() == [1, 1, 1, 100])
        #expect(await handler.recipientChecks == 103, "recipients past the limit never reach the handler")
    }

    @Test func survivesEndlessLines() async throws {
        let handler = SMTPServerRecordingHandler()
        let long = Array(("Subject: long\r\nX-Long: " + String(repeating: "a", count: 300_000) + "\r\n\r\nbody\r\n").utf8)
        struct Report: Decodable {
            var refused: Int
            var endless: Int
            var endlessText: String
            var noop: Int
            var commandLine: Int
            var commandLineText: String
            var commandLineClosed: Bool
        }
        let configuration = SMTPServerConfiguration(maxMessageBytes: 1 << 20, maxDataLineBytes: 64 << 10)

        let report = try await Support.withServer(configuration, handler: handler) { port in
            try await Support.runPython(
                """
                s = smtplib.SMTP("127.0.0.1", PORT, local_hostname="client.example", timeout=20)
                s.ehlo()
                # A 300 kB header line: longer than a DATA line may be, so it is framed in pieces and kept whole.
                refused = s.sendmail("customer@example.com", ["help@desk.test"],
                                     b"Subject: long\\r\\nX-Long: " + b"a" * 300000 + b"\\r\\n\\r\\nbody\\r\\n")
                # A 3 MB header line that only ends with the final dot, over the message limit.
                s.mail("customer@example.com")
                s.rcpt("help@desk.test")
                endless_code, endless_text = s.data(b"X-Endless: " + b"b" * 3000000)
                noop = s.noop()[0]
                s.quit()
                # A command line that never ends.
                c = Raw()
                c.reply()
                c.send("NOOP " + "a" * 7000)
                code, lines = c.reply()
                out(refused=len(refused), endless=endless_code, endlessText=endless_text.decode(), noop=noop,
                    commandLine=code, commandLineText=lines[-1], commandLineClosed=c.closed_by_server())
                """,
                port: port,
                as: Report.self
            )
        }

        #expect(report.refused == 0)
        #expect(report.endless == 552)
        #expect(report.endlessText.hasPrefix("5.3.4"))
        #expect(report.noop == 250)
        #expect(report.commandLine == 421)
        #expect(report.commandLineClosed)
        let deliveries = await handler.deliveries
        #expect(deliveries.count == 1)
        #expect(deliveries.first?.message == long)
    }

    @Test func cutsOffSlowLorisInDataAndServesOthersMeanwhile() async throws {
        let handler = SMTPServerRecordingHandler()
        let directory = try Support.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let marker = directory.appendingPathComponent("slow-client-in-data")
        struct SlowReport: Decodable {
            var data: Int
            var code: Int
            var text: String
            var closed: Bool
        }
        struct OtherReport: Decodable {
            var refused: Int
        }
        let configuration = SMTPServerConfiguration(commandTimeout: .seconds(30), dataTimeout: .seconds(1))

        let (slow, other) = try await Support.withServer(configuration, handler: handler) { port in
            async let slow = Support.runPython(
                """
                c = Raw()
                c.reply()
                c.send("EHLO slow.example\\r\\n"); c.reply()
                c.send("MAIL FROM:<slow@example.com>\\r\\n"); c.reply()
                c.send("RCPT TO:<help@desk.test>\\r\\n"); c.reply()
                c.send("DATA\\r\\n"); data = c.reply()[0]
                open(sys.argv[2], "w").close()
                # One byte every 100 ms: always making progress, never finishing.
                c.sock.settimeout(0.1)
                deadline = time.time() + 30
                while time.time() < deadline and b"\\n" not in c.buf:
                    try:
                        c.send(b"x")
                        chunk = c.sock.recv(65536)
                        if not chunk:
                            break
                        c.buf += chunk
                    except socket.timeout:
                        pass
                    except OSError:
                        break
                c.sock.settimeout(20)
                code, lines = c.reply()
                out(data=data, code=code, text=lines[-1], closed=c.closed_by_server())
                """,
                port: port,
                arguments: [marker.path],
                as: SlowReport.self
            )
            let other = try await Support.runPython(
                """
                deadline = time.time() + 30
                while not os.path.exists(sys.argv[2]) and time.time() < deadline:
                    time.sleep(0.01)
                s = smtplib.SMTP("127.0.0.1", PORT, local_hostname="other.example", timeout=20)
                refused = s.sendmail("other@example.com", ["help@desk.test"], b"Subject: meanwhile\\r\\n\\r\\nx\\r\\n")
                s.quit()
                out(refused=len(refused))
                """,
                port: port,
                arguments: [marker.path],
                as: OtherReport.self
            )
            return (try await slow, other)
        }

        #expect(slow.data == 354)
        #expect(slow.code == 421)
        #expect(slow.text.hasPrefix("421 4.4.2"))
        #expect(slow.closed)
        #expect(other.refused == 0)
        let deliveries = await handler.deliveries
        #expect(deliveries.map(\.envelope.mailFrom) == ["other@example.com"])
    }

    @Test func cutsOffIdleAndTricklingCommandClients() async throws {
        let handler = SMTPServerRecordingHandler()
        struct Report: Decodable {
            var idle: String
            var idleClosed: Bool
            var trickle: String
            var trickleClosed: Bool
        }

        let report = try await Support.withServer(SMTPServerConfiguration(commandTimeout: .seconds(1)), handler: handler) { port in
            try await Support.runPython(
                """
                idle = Raw()
                idle.reply()
                trickle = Raw()
                trickle.reply()
                trickle.sock.settimeout(0.1)
                deadline = time.time() + 30
                while time.time() < deadline and b"\\n" not in trickle.buf:
                    try:
                        trickle.send(b"E")
                        chunk = trickle.sock.recv(65536)
                        if not chunk:
                            break
                        trickle.buf += chunk
                    except socket.timeout:
                        pass
                    except OSError:
                        break
                trickle.sock.settimeout(20)
                trickle_reply = trickle.reply()[1][-1]
                idle_reply = idle.reply()[1][-1]
                out(idle=idle_reply, idleClosed=idle.closed_by_server(),
                    trickle=trickle_reply, trickleClosed=trickle.closed_by_server())
                """,
                port: port,
                as: Report.self
            )
        }

        #expect(report.idle.hasPrefix("421 4.4.2"))
        #expect(report.idleClosed)
        #expect(report.trickle.hasPrefix("421 4.4.2"))
        #expect(report.trickleClosed)
    }

    @Test func refusesRecipientsOutsideTheDesk() async throws {
        let handler = SMTPServerRecordingHandler()
        struct Report: Decodable {
            var code: Int
            var text: String
            var refused: [String: Int]
        }

        let report = try await Support.withServer(SMTPServerConfiguration(), handler: handler) { port in
            try await Support.runPython(
                """
                s = smtplib.SMTP("127.0.0.1", PORT, local_hostname="client.example", timeout=20)
                s.ehlo()
                s.mail("customer@example.com")
                code, text = s.rcpt("stranger@elsewhere.example")
                s.rset()
                refused = s.sendmail("customer@example.com", ["help@desk.test", "victim@elsewhere.example"],
                                     b"Subject: partly\\r\\n\\r\\nx\\r\\n")
                s.quit()
                out(code=code, text=text.decode(), refused={k: v[0] for k, v in refused.items()})
                """,
                port: port,
                as: Report.self
            )
        }

        #expect(report.code == 550)
        #expect(report.text.hasPrefix("5.1.1 <stranger@elsewhere.example>: "))
        #expect(report.refused == ["victim@elsewhere.example": 550])
        let deliveries = await handler.deliveries
        #expect(deliveries.map(\.envelope.recipients) == [["help@desk.test"]])
    }

    @Test func lmtpAnswersEachRecipient() async throws {
        let handler = SMTPServerRecordingHandler()
        struct Report: Decodable {
            var lhlo: Int
            var rcpt: [Int]
            var replies: [Int]
            var texts: [String]
        }

        let report = try await Support.withServer(SMTPServerConfiguration(mode: .lmtp), handler: handler) { port in
            try await Support.runPython(
                """
                l = smtplib.LMTP("127.0.0.1", PORT, local_hostname="mta.example", timeout=20)
                code, _ = l.ehlo()
                l.mail("customer@example.com")
                rcpt = [l.rcpt("first@desk.test")[0], l.rcpt("second@desk.test")[0]]
                c1, m1 = l.data(b"Subject: lmtp\\r\\n\\r\\nx\\r\\n")
                c2, m2 = l.getreply()
                l.quit()
                out(lhlo=code, rcpt=rcpt, replies=[c1, c2], texts=[m1.decode(), m2.decode()])
                """,
                port: port,
                as: Report.self
            )
        }

        #expect(report.lhlo == 250)
        #expect(report.rcpt == [250, 250])
        #expect(report.replies == [250, 250])
        #expect(report.texts.count == 2)
        #expect(report.texts.first?.hasPrefix("2.0.0 <first@desk.test> ") == true)
        #expect(report.texts.last?.hasPrefix("2.0.0 <second@desk.test> ") == true)
        let deliveries = await handler.deliveries
        #expect(deliveries.map(\.envelope.recipients) == [["first@desk.test", "second@desk.test"]])
        #expect(deliveries.first?.envelope.heloName == "mta.example")
    }

    @Test func startTLSDeliversAndDiscardsInjectedCommands() async throws {
        let handler = SMTPServerRecordingHandler()
        let tls = try await Support.makeSelfSignedTLSContext()
        struct Report: Decodable {
            var before: [String]
            var tls: Int
            var after: [String]
            var refused: Int
            var injectedTLS: Int
            var injectedEHLO: [String]
            var injectedMail: Int
            var injectedEnd: Int
        }

        let report = try await Support.withServer(SMTPServerConfiguration(hostname: "mx.desk.test", tls: tls), handler: handler) { port in
            try await Support.runPython(
                """
                ctx = ssl._create_unverified_context()
                s = smtplib.SMTP("127.0.0.1", PORT, local_hostname="client.example", timeout=20)
                s.ehlo()
                before = sorted(s.esmtp_features.keys())
                tls_code, _ = s.starttls(context=ctx)
                s.ehlo("client-tls.example")
                after = sorted(s.esmtp_features.keys())
                refused = s.sendmail("customer@example.com", ["help@desk.test"], b"Subject: secret\\r\\n\\r\\nover TLS\\r\\n")
                s.quit()

                # CVE-2011-0411: commands pipelined after STARTTLS, in the clear, must never run.
                c = Raw()
                c.reply()
                c.send("EHLO attacker.example\\r\\n"); c.reply()
                c.send("STARTTLS\\r\\nMAIL FROM:<evil@attacker.example>\\r\\nRCPT TO:<help@desk.test>\\r\\n")
                injected_tls = c.reply()[0]
                c.sock = ctx.wrap_socket(c.sock)
                c.send("EHLO client.example\\r\\n"); ehlo = c.reply()[1]
                c.send("MAIL FROM:<good@example.com>\\r\\n"); mail = c.reply()[0]
                c.send("RCPT TO:<help@desk.test>\\r\\n"); c.reply()
                c.send("DATA\\r\\n"); c.reply()
                c.send("Subject: after injection\\r\\n\\r\\nx\\r\\n.\\r\\n"); end = c.reply()[0]
                c.send("QUIT\\r\\n"); c.reply()
                out(before=before, tls=tls_code, after=after, refused=len(refused), injectedTLS=injected_tls,
                    injectedEHLO=ehlo, injectedMail=mail, injectedEnd=end)
                """,
                port: port,
                as: Report.self
            )
        }

        #expect(report.before.contains("starttls"))
        #expect(report.tls == 220)
        #expect(!report.after.contains("starttls"))
        #expect(report.refused == 0)
        #expect(report.injectedTLS == 220)
        #expect(report.injectedEHLO.first == "250-mx.desk.test", "the first reply over TLS answers EHLO, not an injected command")
        #expect(report.injectedMail == 250)
        #expect(report.injectedEnd == 250)
        let deliveries = await handler.deliveries
        #expect(deliveries.map(\.envelope.mailFrom) == ["customer@example.com", "good@example.com"])
        #expect(deliveries.map(\.envelope.tlsActive) == [true, true])
        #expect(deliveries.first?.envelope.heloName == "client-tls.example")
        #expect(deliveries.last?.envelope.recipients == ["help@desk.test"])
    }

    @Test func refusesConnectionsOverTheLimit() async throws {
        let handler = SMTPServerRecordingHandler()
        struct Report: Decodable {
            var first: Int
            var second: String
            var secondClosed: Bool
            var quit: Int
            var later: Int
        }

        let report = try await Support.withServer(SMTPServerConfiguration(maxConnections: 1), handler: handler) { port in
            try await Support.runPython(
                """
                a = Raw()
                first = a.reply()[0]
                b = Raw()
                second = b.reply()[1][-1]
                second_closed = b.closed_by_server()
                a.send("QUIT\\r\\n")
                quit = a.reply()[0]
                a.closed_by_server()
                # The slot is free again once the server has finished with the first connection.
                later = 0
                for attempt in range(200):
                    c = Raw()
                    later = c.reply()[0]
                    if later == 220:
                        break
                    time.sleep(0.05)
                out(first=first, second=second, secondClosed=second_closed, quit=quit, later=later)
                """,
                port: port,
                as: Report.self
            )
        }

        #expect(report.first == 220)
        #expect(report.second.hasPrefix("421 4.3.2"))
        #expect(report.secondClosed)
        #expect(report.quit == 221)
        #expect(report.later == 220)
    }
}
