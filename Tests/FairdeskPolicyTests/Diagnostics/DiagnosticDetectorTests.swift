import Foundation
import Testing
@testable import FairdeskPolicy

/// Unit tests for each detector, with exact values and evidence. The corpus test
/// (`DiagnosticCorpusTests`) measures precision and recall over realistic cases.
@Suite struct DiagnosticDetectorTests {
    let detector = DiagnosticDetector()

    func detect(_ body: String, label: String = "message from ann@example.com") -> [Detection] {
        detector.detect(DiagnosticInput(texts: [.init(label: label, body: body)]))
    }

    func detect(file name: String, _ bytes: [UInt8]) -> [Detection] {
        detector.detect(DiagnosticInput(files: [
            .init(label: "attachment \"\(name)\"", filename: name, contentType: nil, size: bytes.count, head: bytes),
        ]))
    }

    func values(_ body: String, _ item: DiagnosticItemKey) -> [String] {
        detect(body).filter { $0.item == item }.compactMap(\.value)
    }

    // MARK: - Minidumps, event logs, executables and archives

    @Test func minidumpIsRecognizedByItsSignatureAndReportsTheWindowsVersion() throws {
        let dump = try #require(BinaryFixtures.make("minidump-windows11"))
        let detections = detect(file: "crash.dmp", dump)
        #expect(detections == [
            Detection(item: .operatingSystem, what: "OS version (from minidump)",
                      evidence: "attachment \"crash.dmp\": the minidump's system information stream says Windows NT 10.0 build 22631, x86-64",
                      value: "Windows 11 (10.0.22631)"),
            Detection(item: .minidump, what: "minidump",
                      evidence: "attachment \"crash.dmp\": starts with the MDMP signature (version 0xA793, 3 streams), matching its .dmp name"),
        ])
    }

    @Test func minidumpWithAnotherNameIsStillAMinidump() throws {
        let dump = try #require(BinaryFixtures.make("minidump-no-sysinfo"))
        #expect(detect(file: "upload.bin", dump) == [
            Detection(item: .minidump, what: "minidump",
                      evidence: "attachment \"upload.bin\": starts with the MDMP signature (version 0xA793, 2 streams), although it is named \"upload.bin\""),
        ])
    }

    @Test func dmpFileWithoutTheSignatureIsNotAMinidump() throws {
        #expect(detect(file: "crash.dmp", BinaryFixtures.randomBytes(count: 4096, seed: 1)).isEmpty)
        // MDMP with a wrong version word is not a minidump either.
        var fake = try #require(BinaryFixtures.make("minidump-windows11"))
        fake[4] = 0x00
        #expect(!DiagnosticDetector.providedItems(detect(file: "crash.dmp", fake)).contains(.minidump))
    }

    @Test func evtxFileIsAnEventLog() throws {
        let log = try #require(BinaryFixtures.make("evtx"))
        #expect(detect(file: "Application.evtx", log) == [
            Detection(item: .eventLog, what: "Windows event log (.evtx)",
                      evidence: "attachment \"Application.evtx\": starts with the Windows event log signature \"ElfFile\" (EVTX 3.2, 1 chunk), matching its .evtx name"),
        ])
    }

    @Test(arguments: [
        ("pe-exe-x64", "Repro.exe", DiagnosticItemKey.testApplication, "Windows executable (PE32+, x86-64)"),
        ("pe-dll-dotnet", "Repro.dll", .testApplication, "Windows DLL (PE32, x86, .NET)"),
        ("elf-x64", "repro", .testApplication, "Linux executable (ELF 64-bit, x86-64)"),
        ("elf-core", "core", .minidump, "core dump (ELF)"),
        ("macho-universal", "Repro", .testApplication, "macOS universal binary (2 architectures)"),
        ("zip-repro", "repro.zip", .testApplication, "zip archive"),
        ("zip-jar", "repro.jar", .testApplication, "Java archive"),
        ("7z", "repro.7z", .testApplication, "7-Zip archive"),
        ("tar", "repro.tar", .testApplication, "tar archive"),
        ("tar-gz", "repro.tgz", .testApplication, "gzip-compressed tar archive"),
        ("rar5", "repro.rar", .testApplication, "RAR archive"),
        ("msi", "setup.msi", .testApplication, "Windows Installer package"),
    ])
    func binaryFormatsAreRecognizedByTheirBytes(generator: String, name: String, item: DiagnosticItemKey, what: String) throws {
        let bytes = try #require(BinaryFixtures.make(generator))
        let detections = detect(file: name, bytes)
        #expect(detections.map(\.item) == [item])
        #expect(detections.first?.what == what)
        #expect(detections.first?.evidence.hasPrefix("attachment \"\(name)\": ") == true)
    }

    @Test func executableEvidenceSaysWhetherTheNameMatches() throws {
        let pe = try #require(BinaryFixtures.make("pe-exe-x64"))
        #expect(detect(file: "Repro.exe", pe).first?.evidence
            == "attachment \"Repro.exe\": starts with \"MZ\" and has a PE header at 0x80, matching its .exe name")
        #expect(detect(file: "repro.bin", pe).first?.evidence
            == "attachment \"repro.bin\": starts with \"MZ\" and has a PE header at 0x80, although it is named \"repro.bin\"")
    }

    @Test func archiveEvidenceListsTheFirstEntries() throws {
        let zip = try #require(BinaryFixtures.make("zip-repro"))
        #expect(detect(file: "repro.zip", zip).first?.evidence == """
            attachment "repro.zip": starts with the zip signature "PK\\x03\\x04", with "FairsyncRepro/Program.cs", \
            "FairsyncRepro/FairsyncRepro.csproj", "FairsyncRepro/README.txt", matching its .zip name
            """)
    }

    @Test(arguments: ["zip-docx", "zip-screenshots", "doc", "png", "random-bytes"])
    func documentsPicturesAndNoiseAreNotTestApplications(generator: String) throws {
        let bytes = try #require(BinaryFixtures.make(generator))
        #expect(detect(file: "file.zip", bytes).isEmpty)
    }

    @Test func executableNameWithTextContentIsNotAnExecutable() {
        let text = Array("This is not the installer; the mail filter removed it.\n".utf8)
        #expect(detect(file: "setup.exe", text).isEmpty)
    }

    @Test func peHeaderMustBeWhereTheDOSHeaderPoints() throws {
        var pe = try #require(BinaryFixtures.make("pe-exe-x64"))
        pe[0x3C] = 0x90  // e_lfanew now points past "PE\0\0"
        #expect(!DiagnosticDetector.providedItems(detect(file: "Repro.exe", pe)).contains(.testApplication))
    }

    @Test func gzipOfALogIsNotATestApplication() {
        let gz = BinaryFixtures.gzip(Array("2026-11-03 12:00:01 started\n".utf8), innerName: "app.log")
        #expect(detect(file: "app.log.gz", gz).isEmpty)
    }

    @Test func javaClassFileIsNotAUniversalBinary() {
        let classFile: [UInt8] = [0xCA, 0xFE, 0xBA, 0xBE, 0x00, 0x00, 0x00, 0x41] + [UInt8](repeating: 1, count: 64)
        #expect(detect(file: "Repro.class", classFile).isEmpty)
    }

    // MARK: - Text in attachments

    @Test func utf16AttachmentIsReadAsTextWithTheFileLabel() {
        let listing = "ALLUSERSPROFILE=C:\\ProgramData\r\nComSpec=C:\\WINDOWS\\system32\\cmd.exe\r\nPath=C:\\WINDOWS\r\nTEMP=C:\\Temp\r\n"
        let bytes: [UInt8] = [0xFF, 0xFE] + listing.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(detect(file: "env.txt", bytes) == [
            Detection(item: .environment, what: "environment variables (Windows set)",
                      evidence: "attachment \"env.txt\", lines 1–4: 4 variables, e.g. ALLUSERSPROFILE, ComSpec, Path"),
        ])
    }

    @Test func latin1AttachmentIsReadAsText() {
        var bytes = Array("Wir nutzen Windows 11 Pro 23H2 in M".utf8)
        bytes.append(0xFC)  // ü in Windows-1252
        bytes += Array("nchen.\n".utf8)
        #expect(detect(file: "info.txt", bytes).map(\.value) == ["Windows 11 Pro 23H2"])
    }

    // MARK: - Exception reports

    @Test func dotNetExceptionWithStackTrace() {
        let body = """
            Hi,

            System.NullReferenceException: Object reference not set to an instance of an object.
               at Fairsync.Export.ProjectWriter.WriteHeader(Project project) in C:\\src\\x.cs:line 12
               at Fairsync.Cli.Program.Main(String[] args)
            Thanks
            """
        #expect(detect(body) == [
            Detection(item: .exceptionReport, what: ".NET exception with stack trace",
                      evidence: "message from ann@example.com, lines 3–5: \"System.NullReferenceException: Object reference not set to an instance of an object.\"",
                      value: "System.NullReferenceException"),
        ])
    }

    @Test func dotNetFramesWithoutExceptionLineQuoteTheFirstFrame() {
        let body = "   at Foo.Bar() in C:\\src\\x.cs:line 12\n   at Foo.Baz(Int32 x)\n"
        #expect(detect(body, label: "m") == [
            Detection(item: .exceptionReport, what: ".NET stack trace",
                      evidence: "m, lines 1–2: \"   at Foo.Bar() in C:\\src\\x.cs:line 12\""),
        ])
    }

    @Test func javaTraceWithCausedBy() {
        let body = """
            Exception in thread "main" java.lang.IllegalStateException: boom
            \tat com.x.Y.m(Y.java:12)
            Caused by: java.io.IOException: disk full
            \tat com.x.Z.n(Z.java:3)
            \t... 1 more
            """
        let d = detect(body, label: "m")
        #expect(d.map(\.what) == ["Java exception with stack trace"])
        #expect(d.first?.value == "java.lang.IllegalStateException")
        #expect(d.first?.evidence == "m, lines 1–5: \"Exception in thread \"main\" java.lang.IllegalStateException: boom\"")
    }

    @Test func pythonTracebackTakesTheExceptionFromTheLastLine() {
        let body = """
            Traceback (most recent call last):
              File "x.py", line 3, in f
                g()
            ValueError: bad value
            """
        #expect(detect(body, label: "m") == [
            Detection(item: .exceptionReport, what: "Python traceback",
                      evidence: "m, lines 1–4: \"Traceback (most recent call last):\"", value: "ValueError"),
        ])
    }

    @Test func javaScriptTraceTakesTheErrorAboveTheFrames() {
        let body = """
            TypeError: Cannot read properties of undefined (reading 'id')
                at renderRow (/srv/app/table.js:112:31)
                at /srv/app/server.js:45:7
            """
        let d = detect(body)
        #expect(d.map(\.what) == ["JavaScript stack trace"])
        #expect(d.first?.value == "TypeError")
    }

    @Test(arguments: [
        ("System.NullReferenceException: Der Objektverweis wurde nicht festgelegt.\n   bei Foo.Bar() in C:\\x.cs:Zeile 8.",
         ".NET exception with stack trace"),
        ("Microsoft.Data.SqlClient.SqlException (0x80131904): Execution Timeout Expired.", ".NET exception message"),
        ("java.lang.NullPointerException\n\tat com.x.Y.m(Y.java:12)", "Java exception with stack trace"),
        ("\tat com.x.Y.m(Y.java:12)\n\tat java.base/java.lang.Thread.run(Thread.java:840)", "Java stack trace"),
        ("panic: runtime error: index out of range [3] with length 3\n\ngoroutine 1 [running]:\nmain.main()\n\t/src/app/main.go:17 +0x45",
         "Go panic stack trace"),
        ("thread 'main' panicked at src/main.rs:5:10:\nboom\nstack backtrace:\n   0: rust_begin_unwind\n             at /rustc/abc/library/std/src/panicking.rs:597:5",
         "Rust panic with backtrace"),
    ])
    func otherExceptionReports(body: String, what: String) {
        #expect(detect(body).map(\.what) == [what])
    }

    @Test(arguments: [
        "We get a NullReferenceException when saving.",
        "Error: could not save the file",
        "ValueError: bad value",  // a Python error without its traceback
        "def f():\n    raise ValueError(\"port missing\")\n    return raw",
        "Look at Settings.Export(the second tab) and at Help.About.",
        "Note.Error: something",
    ])
    func proseAndCodeAreNotExceptionReports(body: String) {
        #expect(detect(body).isEmpty)
    }

    // MARK: - Crash call stacks

    @Test(arguments: [
        ("#0  0x00007f2c1e442520 in raise () from /lib/x86_64-linux-gnu/libc.so.6\n#1  0x000055d5c1e1c2a5 in main () at main.c:5",
         "native stack trace (gdb)"),
        ("  * frame #0: 0x0000000100003f50 a.out`main at main.c:5:3\n    frame #1: 0x000000018e8f50e0 dyld`start + 2360",
         "native stack trace (lldb)"),
        (" # Child-SP          RetAddr               Call Site\n00 000000a1`2f6ff6c0 00007ff6`123f3b27     Fairsync!Writer::Flush+0x2c",
         "call stack (module!function frames)"),
        ("ChildEBP RetAddr  Args to Child\n0012f4c8 7c90e9c0 7c8024ed 00000000 ntdll!KiFastSystemCallRet\n0012f4cc 7c8024ed 00000001 00000000 ntdll!NtWaitForSingleObject+0xc",
         "call stack (module!function frames)"),
        ("Thread 0 Crashed:: Dispatch queue: com.apple.main-thread\n0   libsystem_kernel.dylib        \t0x00007ff81b2c91ce __pthread_kill + 10",
         "macOS crash report call stack"),
        ("./app(+0x1234)[0x55d5c1e1c2a5]\n/lib/x86_64-linux-gnu/libc.so.6(abort+0x12b)[0x7f2c1e4a2859]",
         "native backtrace (glibc)"),
        ("start             end                 module name\n00007ff6`123e0000 00007ff6`12460000   Fairsync   (deferred)",
         "module list with load addresses"),
        ("0x7ff6a1b20000 - 0x7ff6a1b9ffff C:\\Program Files\\Fairsync\\Fairsync.exe\n0x7ffb4c190000 - 0x7ffb4c3a6fff C:\\WINDOWS\\SYSTEM32\\ntdll.dll",
         "module list with load addresses"),
        ("7f2c1e428000-7f2c1e5bd000 r-xp 00028000 08:01 3932167 /usr/lib/libc.so.6\n7f2c1e5bd000-7f2c1e615000 r--p 001bd000 08:01 3932167 /usr/lib/libc.so.6",
         "module list with load addresses"),
        ("rax=0000000000000000 rbx=000000a12f6ff7b0 rcx=000001c4d2e10000\nrip=00007ff6123f4a1c rsp=000000a12f6ff6c0",
         "register dump (x86-64)"),
        ("eax=00000000 ebx=7ffd8000 ecx=00000001 edx=0012f4c8 esi=00000000 edi=00000000", "register dump (x86)"),
        ("EAX=00000000  EBX=02F41B30  ECX=0019F5A4  EDX=004A3F1C", "register dump (x86)"),
        ("rax            0x0                 0\nrbx            0x55d5c3a1e2b0      94375421584048\nrip            0x55d5c1e2a1be      0x55d5c1e2a1be <main+14>",
         "register dump (x86-64)"),
        ("        x0 = 0x0000000000000000\n        x1 = 0x000000016fdff3a8\n        pc = 0x0000000100003f50  a.out`main + 40",
         "register dump (ARM64)"),
        ("    x0: 0x0000000000000000   x1: 0x000000016fdff3a8   x2: 0x0000000000000001", "register dump (ARM64)"),
        ("    r0: 0x00000000    r1: 0x00000001    r2: 0x00000002    pc: 0x00010a2c", "register dump (ARM)"),
    ])
    func crashStackForms(body: String, what: String) {
        let d = detect(body)
        #expect(d.map(\.item) == [.crashStack], "\(body)")
        #expect(d.map(\.what) == [what])
    }

    @Test func registerDumpEvidenceQuotesTheFirstLine() {
        #expect(detect("rax=0000000000000000 rbx=000000a12f6ff7b0 rcx=000001c4d2e10000", label: "m") == [
            Detection(item: .crashStack, what: "register dump (x86-64)",
                      evidence: "m, line 1: \"rax=0000000000000000 rbx=000000a12f6ff7b0 rcx=000001c4d2e10000\""),
        ])
    }

    @Test(arguments: [
        "Please register the new device and stack the boxes; the log book is in room 3.",
        "#1 priority is the export\n#2 is the import",
        "Thanks!Best regards from the crash test team",
        "x1 = 5, x2 = 7, x3 = 9",
        "cs=1 ds=2 es=3",
        "The program crashed at 0x0041A2B3 again.",
        "1 Main Street\n2 Side Road",
    ])
    func proseIsNotACrashStack(body: String) {
        #expect(detect(body).isEmpty)
    }

    // MARK: - Environment listings

    @Test func linuxEnvListing() {
        let body = "Here:\nHOME=/home/ann\nLANG=en_US.UTF-8\nPATH=/usr/bin:/bin\nSHELL=/bin/bash\nUSER=ann\n"
        #expect(detect(body, label: "m") == [
            Detection(item: .environment, what: "environment variables (env)",
                      evidence: "m, lines 2–6: 5 variables, e.g. HOME, LANG, PATH"),
        ])
    }

    @Test(arguments: [
        "https://portal.example.com/reports?from=2026-11-01&to=2026-11-03&format=csv&user=ann",
        "Please set FOO=1 in the config.\nFOO=1",
        "Server=localhost\nPort=5432\nDatabase=fairsync\nUser=fairsync\nTimeout=30",
        "NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\nHOME_URL=\"https://www.debian.org/\"",
        "log.level=debug\nlog.file=/var/log/x.log\nserver.port=8080\nserver.host=0.0.0.0",
        "SELECT * FROM jobs WHERE status=2 AND owner_id=17;",
    ])
    func theseAreNotEnvironmentListings(body: String) {
        #expect(!DiagnosticDetector.providedItems(detect(body)).contains(.environment))
    }

    // MARK: - Operating systems

    @Test(arguments: [
        ("We run Windows 11 Pro 23H2 here.", "Windows 11 Pro 23H2"),
        ("on windows 10 version 22H2", "Windows 10 22H2"),
        ("Windows 10 (build 19045)", "Windows 10 build 19045"),
        ("the server is Windows Server 2012 R2", "Windows Server 2012 R2"),
        ("Microsoft Windows [Version 10.0.22631.2861]", "Windows 10.0.22631.2861"),
        ("Win10 laptops", "Windows 10"),
        ("macOS 14.2 (23C64)", "macOS 14.2"),
        ("since macOS Sonoma", "macOS Sonoma"),
        ("Mac OS X 10.15.7", "Mac OS X 10.15.7"),
        ("an old OS X 10.11 machine", "OS X 10.11"),
        ("Ubuntu 22.04.3 LTS", "Ubuntu 22.04.3"),
        ("Debian GNU/Linux 12 (bookworm)", "Debian 12"),
        ("Fedora release 39 (Thirty Nine)", "Fedora 39"),
        ("Red Hat Enterprise Linux release 9.3 (Plow)", "RHEL 9.3"),
        ("CentOS Stream 9", "CentOS Stream 9"),
        ("Rocky Linux 9.3 (Blue Onyx)", "Rocky Linux 9.3"),
        ("SLES 15 SP5", "SLES 15 SP5"),
        ("Alpine Linux 3.19.0", "Alpine Linux 3.19.0"),
        ("Linux 6.1.0-13-amd64", "Linux 6.1.0-13-amd64"),
        ("Linux build-07 6.1.0-13-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29) x86_64 GNU/Linux",
         "Linux 6.1.0-13-amd64"),
        ("kernel 4.18.0-513.el8.x86_64", "Linux 4.18.0-513.el8.x86_64"),
        ("Android 14", "Android 14"),
        ("iOS 17.1", "iOS 17.1"),
        ("Darwin Kernel Version 23.2.0", "Darwin 23.2.0"),
    ])
    func operatingSystemVersions(text: String, value: String) {
        #expect(values(text, .operatingSystem) == [value])
    }

    @Test(arguments: [
        "We use Windows and Linux machines.",
        "the Windows laptops",
        "macOS users are fine",
        "Ubuntu is our distribution",
        "Linux 2.0 was a long time ago",
        "Debian 6.1.55-1",
        "open a new window 10 times",
        "at 12:00 on macOS 12:00",
    ])
    func namesWithoutAVersionAreNotEnough(text: String) {
        #expect(values(text, .operatingSystem).isEmpty)
    }

    @Test func swVersOutputNeedsTheProductName() {
        #expect(values("ProductName:\tmacOS\nProductVersion:\t14.2.1\nBuildVersion:\t23C71", .operatingSystem) == ["macOS 14.2.1"])
        #expect(values("ProductVersion: 14.2.1", .operatingSystem).isEmpty)
    }

    // MARK: - Time zones

    @Test(arguments: [
        ("we are at UTC+2 now", "UTC+02:00"),
        ("GMT-05:00 Eastern", "GMT-05:00"),
        ("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "UTC+01:00"),
        ("at 12:00:01 +0100 the job failed", "UTC+01:00"),
        ("2026-11-03T12:00:01+05:30", "UTC+05:30"),
        ("timezone is Europe/Berlin", "Europe/Berlin"),
        ("TZ=America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
        ("W. Europe Standard Time", "W. Europe Standard Time"),
        ("we are on Pacific Daylight Time", "Pacific Daylight Time"),
        ("call at 14:00 CET", "CET"),
        ("call at 9am PST", "PST"),
        ("Time zone: CEST", "CEST"),
    ])
    func timezones(text: String, value: String) {
        #expect(values(text, .timezone) == [value])
    }

    @Test(arguments: [
        "Phone: +49 30 1234567",
        "Call me on +49 30 1234567 between 09:00 and 17:00.",
        "see https://tz.example.com/Europe/Berlin for details",
        "The Standard Time agreement",
        "at 12:00 + 10 minutes",
        "Agenda: 10:00 intro, 10:30 demo",
        "2026-11-03T12:00:01Z",
        "I'll be in at 9 am.",
    ])
    func theseAreNotTimezones(text: String) {
        #expect(values(text, .timezone).isEmpty)
    }

    // MARK: - Tool versions

    @Test(arguments: [
        ("MyTool version 4.2.1", "MyTool 4.2.1"),
        ("git version 2.43.0", "git 2.43.0"),
        ("Fairsync v4.2 crashes", "Fairsync 4.2"),
        ("MyTool 4.2.1 (build 1234)", "MyTool 4.2.1"),
        ("Version: 8.12.0.0", "8.12.0.0"),
        ("The database is PostgreSQL 16.1.", "PostgreSQL 16.1"),
        ("Visual Studio 2022 17.8.3", "Visual Studio 2022 17.8.3"),
        ("openjdk version \"17.0.9\" 2023-10-17", "openjdk 17.0.9"),
        ("Faulting application name: Fairsync.exe, version: 4.2.1.0, time stamp: 0x65a1b2c3", "Fairsync.exe 4.2.1.0"),
        ("Fairsync 5.0.0-beta2 is installed", "Fairsync 5.0.0-beta2"),
        ("MyApp 1.0.0.0", "MyApp 1.0.0.0"),
    ])
    func toolVersions(text: String, value: String) {
        #expect(values(text, .toolVersion) == [value])
    }

    @Test(arguments: [
        "Since 2026.11.03 the export fails",
        "until 31.12.2026",
        "The server is at 10.0.0.1 and the backup at 192.168.1.20:8080.",
        "Ping 8.8.8.8 works",
        "Total 4.50 EUR",
        "about 2.5 hours",
        "See section 4.2 of the contract",
        "Windows 10.0.19045",
        "OS Version: 10.0.22631 N/A Build 22631",
        "uptime is 99.9%",
        "it costs $4.99",
        "version 03.11.2026",
        "C:\\Program Files\\Fairsync\\lib\\python3.11\\site.py",
    ])
    func theseAreNotToolVersions(text: String) {
        #expect(values(text, .toolVersion).isEmpty)
    }

    // MARK: - Event logs as text

    @Test func faultingApplicationLineIsAnEventLogEntry() {
        let d = detect("Faulting application name: Fairsync.exe, version: 4.2.1.0, time stamp: 0x65a1b2c3", label: "m")
        #expect(d.filter { $0.item == .eventLog } == [
            Detection(item: .eventLog, what: "Application Error event (faulting application)",
                      evidence: "m, line 1: \"Faulting application name: Fairsync.exe, version: 4.2.1.0, time stamp: 0x65a1b2c3\""),
        ])
    }

    @Test func eventViewerFieldsNeedAnEventID() {
        let entry = "Log Name:      Application\nSource:        Application Error\nEvent ID:      1000\nLevel:         Error\n"
        #expect(detect(entry).map(\.what) == ["event log entry (text)"])
        #expect(detect("Source: our website\nDate: yesterday\nUser: ann\nLevel: advanced\n").isEmpty)
    }

    // MARK: - Log files

    @Test(arguments: [
        "2026-11-03 12:00:01,123 INFO started",
        "2026-11-03T12:00:01.123Z INFO started",
        "Nov  3 12:00:01 host app[12]: started",
        "11/03/2026 12:00:01 PM [Info] started",
        "03.11.2026 12:00:01 started",
        "[12:00:01.123] started",
        "[INFO] 2026-11-03 12:00:01 started",
        "127.0.0.1 - - [03/Nov/2026:12:00:01 +0100] \"GET / HTTP/1.1\" 200 512",
        "Tue Nov  3 12:00:01 2026 started",
    ])
    func attachedFilesWithTimestampedLinesAreLogs(line: String) {
        let log = Array((0..<5).map { _ in line }.joined(separator: "\n").utf8)
        let d = detect(file: "app.log", log)
        #expect(d.filter { $0.item == .logFiles }.map(\.evidence)
            == ["attachment \"app.log\": 5 of 5 lines start with a timestamp, e.g. line 1: \"\(line)\""])
    }

    @Test func fewTimestampsInProseAreNotALog() {
        let notes = """
            Meeting notes
            2026-11-03 12:00 we talked about the export.
            Everyone agreed that the export is slow.
            Ann will look into it next week.
            Bob thinks it is the network.
            2026-11-04 09:30 follow-up: still slow.
            We will meet again on Friday.
            """
        #expect(detect(file: "notes.txt", Array(notes.utf8)).isEmpty)
        #expect(detect(notes).isEmpty)
    }

    // MARK: - Ordering, de-duplication, limits

    @Test func resultsAreOrderedByItemThenSourceAndDeduplicated() {
        let input = DiagnosticInput(texts: [
            .init(label: "message 1", body: "Fairsync 4.2.1 on Windows 11 crashes.\nAnd on Windows 11 again."),
            .init(label: "message 2", body: "Still Windows 11, Europe/Berlin."),
        ])
        let d = detector.detect(input)
        #expect(d.map(\.item) == [.operatingSystem, .timezone, .toolVersion])
        #expect(d[0].evidence == "message 1, line 1: \"Fairsync 4.2.1 on Windows 11 crashes.\"")
        #expect(DiagnosticDetector.providedItems(d) == [.operatingSystem, .timezone, .toolVersion])
    }

    @Test func longLinesAreQuotedShortened() {
        let line = "Windows 11 " + String(repeating: "x", count: 200)
        let evidence = detect(line, label: "m").first?.evidence ?? ""
        #expect(evidence == "m, line 1: \"Windows 11 " + String(repeating: "x", count: 89) + "…\"")
    }

    @Test func textBeyondMaxTextBytesIsNotScanned() {
        let body = String(repeating: "filler line\n", count: 100) + "Windows 11"
        #expect(DiagnosticDetector(maxTextBytes: 1000).detect(DiagnosticInput(texts: [.init(label: "m", body: body)])).isEmpty)
        #expect(!DiagnosticDetector(maxTextBytes: 2000).detect(DiagnosticInput(texts: [.init(label: "m", body: body)])).isEmpty)
    }

    @Test func aLongUnwrappedParagraphIsScannedToItsEnd() {
        let paragraph = String(repeating: "We tried everything again and again. ", count: 400) + "It is Windows 11 Pro 23H2."
        let d = detect(paragraph, label: "m")
        #expect(d.map(\.value) == ["Windows 11 Pro 23H2"])
        #expect(d.first?.evidence.hasPrefix("m, line 1: ") == true)
    }

    @Test func quotesAndSignaturesAreNotWhatTheCustomerSent() {
        let body = """
            I will ask our IT department.

            On Tue, 3 Nov 2026 at 12:00, Fairsync Support <support@example.com> wrote:
            > Which Windows version do you use, Windows 10 or Windows 11?
            > And is it Fairsync 4.2.1 or 4.1.3?

            --
            Ann Example, Example GmbH
            Sent from Mail for Windows 11
            """
        #expect(detect(body).isEmpty)
    }

    @Test func crlfLineEndingsCountLinesLikeLF() {
        let body = "Hi\r\n\r\n> Windows 11?\r\n\r\nWe use Fairsync 4.2.1.\r\n"
        #expect(detect(body, label: "m") == [
            Detection(item: .toolVersion, what: "tool version", evidence: "m, line 5: \"We use Fairsync 4.2.1.\"",
                      value: "Fairsync 4.2.1"),
        ])
    }

    @Test func aForwardedErrorReportCounts() {
        let body = """
            See below.

            ---------- Forwarded message ---------
            From: Build Server <ci@example.com>
            Subject: Job failed

            System.InvalidOperationException: Sequence contains no elements
               at System.Linq.Enumerable.First[TSource](IEnumerable`1 source)
            """
        #expect(detect(body).map(\.value) == ["System.InvalidOperationException"])
    }

    @Test func theCatalogTextsProvideNothing() {
        // Neither quoted back in a reply nor pasted without quote marks.
        #expect(detect(DiagnosticFixtures.quotedCatalogRequest()).isEmpty)
        #expect(detect(DiagnosticCatalog.seed.map(\.customerText).joined(separator: "\n\n")).isEmpty)
    }

    @Test func oneMebibyteOfProseIsScannedToTheEnd() {
        let prose = Self.randomProse(bytes: 1 << 20, seed: 42)
        let input = DiagnosticInput(
            texts: [.init(label: "m", body: prose + "\nWindows 11 Pro 23H2")],
            files: [.init(label: "attachment \"notes.txt\"", filename: "notes.txt", contentType: "text/plain",
                          size: 1 << 18, head: Array(prose.utf8.prefix(1 << 18)))])
        let clock = ContinuousClock()
        let start = clock.now
        let detections = DiagnosticDetector(maxTextBytes: 2 << 20).detect(input)
        print("1 MiB of prose and a 256 KiB attachment scanned in \(clock.now - start)")
        // The prose has every trigger word but no product, system or structure in it.
        #expect(detections.map(\.value) == ["Windows 11 Pro 23H2"])
    }

    /// Token soup and truncated binary headers: the scanners index bytes by hand, so they
    /// are run over inputs that end in every awkward place.
    @Test func arbitraryInputNeverTraps() throws {
        let tokens = [
            "at ", "at", "#", "#1 ", "0x", "0x1f", "frame #", ": 0x", "!", "+0x", "(", ")", ")[0x", "[", "]", "=", ":", " ",
            "\t", "\"", "\n", "-", ".", "v", "V", "4", "12", "2026", "4.2.1", "12:00", "12:00:01", "+01", "UTC", "GMT",
            "Windows", "windows 1", "macOS", "Ubuntu 2", "Linux", "kernel", "version", "Version:", "Traceback", "File \"",
            "\", line ", "System.", "java.", "Exception", "Error", "Caused by: ", "rax=", "x0 = ", "EAX", "Europe/",
            "Standard Time", "PATH=", "Name  Value\n----", "MDMP", "ElfFile", "é", "\u{FFFD}", "ProductVersion:",
        ]
        var state: UInt64 = 7
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: (state >> 33) % UInt64(n))
        }
        let detector = DiagnosticDetector()
        for _ in 0..<3000 {
            let text = (0..<next(24)).map { _ in tokens[next(tokens.count)] }.joined()
            _ = detector.detect(DiagnosticInput(texts: [.init(label: "m", body: text)]))
        }
        let heads = try ["minidump-windows11", "evtx", "pe-dll-dotnet", "elf-core", "macho-universal", "zip-repro", "tar-gz",
                         "tar", "msi", "rar5", "7z"].map { try #require(BinaryFixtures.make($0)) }
        for head in heads {
            for length in 0..<min(head.count, 300) {
                _ = detector.detect(DiagnosticInput(files: [
                    .init(label: "f", filename: "f", contentType: nil, size: head.count, head: Array(head.prefix(length))),
                ]))
            }
            var noisy = Array(head.prefix(2048))
            for _ in 0..<100 {
                noisy[next(min(noisy.count, 1200))] = UInt8(next(256))
                _ = detector.detect(DiagnosticInput(files: [
                    .init(label: "f", filename: "f", contentType: nil, size: noisy.count, head: noisy),
                ]))
            }
        }
    }

    /// Prose made of support-mail words, including the ones detectors look for ("stack",
    /// "register", "log", "at", "version", "Windows", times, dates), in random order.
    static func randomProse(bytes: Int, seed: UInt64) -> String {
        let words = """
            the a we our you it is was not when after before and or but with from to in on at for of this that \
            customer invoice export import report stack register log crash error environment event exception \
            module thread dump file folder server client laptop office Windows Linux macOS version update release \
            plan price support ticket queue please thanks again today tomorrow Monday November morning evening \
            project settings button window page screen user account password team manager colleague Traceback \
            works fails hangs opens closes saves sends shows says tried restarted installed upgraded called \
            12:00 9:30 2026-11-03 03.11.2026 2 100 0x1F #1 = : ; ( ) - / + Error: Note: PATH= frame! at!
            """.split(separator: " ").map(String.init)
        var state = seed
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: (state >> 33) % UInt64(n))
        }
        var out = ""
        out.reserveCapacity(bytes + 200)
        var lineLength = 0
        while out.utf8.count < bytes {
            let word = words[next(words.count)]
            out += word
            lineLength += word.count + 1
            if lineLength > 60 + next(30) {
                out += next(6) == 0 ? ".\n\n" : "\n"
                lineLength = 0
            } else {
                out += " "
            }
        }
        return out
    }
}

@Suite struct DiagnosticCatalogTests {
    @Test func seedHasTheTenItemsInOrder() {
        #expect(DiagnosticCatalog.seed.map(\.key) == DiagnosticItemKey.seeded)
        #expect(DiagnosticItemKey.seeded.map(\.rawValue) == [
            "os", "timezone", "environment", "tool_version", "event_log", "exception_report", "crash_stack", "minidump",
            "log_files", "test_application",
        ])
    }

    @Test func customerTextIsTheExplanationThenOneParagraphPerSystem() throws {
        let minidump = try #require(DiagnosticCatalog.item(for: .minidump))
        let paragraphs = minidump.customerText.components(separatedBy: "\n\n")
        #expect(paragraphs.first == minidump.explanation)
        #expect(paragraphs.dropFirst().map { String($0.prefix(12)) } == ["On Windows: ", "On macOS: ma", "On Linux: Se"])
        #expect(minidump.customerText.contains("Create dump file"))
        #expect(minidump.customerText.contains("procdump"))
        #expect(minidump.customerText.contains("LocalDumps"))
        let exception = try #require(DiagnosticCatalog.item(for: .exceptionReport))
        #expect(exception.customerText == exception.explanation)
    }

    @Test func instructionsNameTheRightTools() throws {
        func text(_ key: DiagnosticItemKey) throws -> String { try #require(DiagnosticCatalog.item(for: key)).customerText }
        #expect(try text(.eventLog).contains("wevtutil epl"))
        #expect(try text(.eventLog).contains(".evtx"))
        #expect(try text(.environment).contains("set > env.txt"))
        #expect(try text(.environment).contains("env > env.txt"))
        #expect(try text(.timezone).contains("tzutil /g"))
        #expect(try text(.timezone).contains("systemsetup -gettimezone"))
        #expect(try text(.timezone).contains("date +%Z"))
    }

    @Test func keysCompareInCatalogOrderAndEncodeAsStrings() throws {
        #expect(DiagnosticItemKey.minidump < .logFiles)
        #expect(DiagnosticItemKey.testApplication < "a_custom_item")
        #expect(DiagnosticItemKey("b_custom") > "a_custom")
        let data = try JSONEncoder().encode([DiagnosticItemKey.crashStack])
        #expect(String(decoding: data, as: UTF8.self) == "[\"crash_stack\"]")
        #expect(try JSONDecoder().decode([DiagnosticItemKey].self, from: data) == [.crashStack])
    }
}
