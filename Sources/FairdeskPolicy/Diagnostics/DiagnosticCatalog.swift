/// The seeded catalog of diagnostic items (DESIGN.md §3, seed 003). Admins edit their own
/// copy; this is what a new installation starts with.
///
/// The texts are quoted back by customers in their replies, so they deliberately contain
/// no example values (no version numbers, zone names, times or `KEY=VALUE` lines): a
/// quoted request must never count as the information it asks for.
public enum DiagnosticCatalog {
    public static let seed: [DiagnosticItem] = [
        DiagnosticItem(
            key: .operatingSystem,
            title: "Operating system and version",
            explanation: """
                The name and exact version of the operating system on the computer where the \
                problem happens: the Windows edition and release, the macOS version, or the \
                Linux distribution and its release. If the problem happens on a server and on \
                a desktop, please tell us both.
                """,
            perOS: [
                .init(os: "Windows", text: """
                    Press Windows+R, type winver and press Enter; copy the edition, version and \
                    OS build it shows. Or open a Command Prompt, run systeminfo, and copy the \
                    lines that start with "OS Name" and "OS Version".
                    """),
                .init(os: "macOS", text: """
                    Choose Apple menu > About This Mac, or run sw_vers in Terminal and copy what \
                    it prints.
                    """),
                .init(os: "Linux", text: """
                    Run cat /etc/os-release and uname -a in a terminal and copy what they print.
                    """),
            ]
        ),
        DiagnosticItem(
            key: .timezone,
            title: "Time zone",
            explanation: """
                The time zone of the computer where the problem happens. We need it to line up \
                the times in your logs and messages with ours.
                """,
            perOS: [
                .init(os: "Windows", text: """
                    Open a Command Prompt, run tzutil /g and copy what it prints. You can also \
                    find it under Settings > Time & language > Date & time.
                    """),
                .init(os: "macOS", text: """
                    Run sudo systemsetup -gettimezone in Terminal and copy what it prints, or \
                    look under System Settings > General > Date & Time.
                    """),
                .init(os: "Linux", text: """
                    Run timedatectl and copy the line that starts with "Time zone". Where \
                    timedatectl is not available, run date +%Z and cat /etc/timezone instead.
                    """),
            ]
        ),
        DiagnosticItem(
            key: .environment,
            title: "Environment variables",
            explanation: """
                The list of environment variables, as the program sees them. They decide, for \
                example, which runtime, paths and proxy the program uses.

                The list can contain user names, paths and sometimes passwords or access \
                tokens: please read it before you send it and replace any secret value with \
                a few x characters.
                """,
            perOS: [
                .init(os: "Windows", text: """
                    Open a Command Prompt in the same way you start the program, run \
                    set > env.txt and attach the file env.txt. In PowerShell, run \
                    Get-ChildItem env: | Out-File env.txt instead.
                    """),
                .init(os: "macOS", text: """
                    In the Terminal window where you start the program, run env > env.txt and \
                    attach the file env.txt.
                    """),
                .init(os: "Linux", text: """
                    In the shell where you start the program, run env > env.txt (or printenv) \
                    and attach the file env.txt. For a service that is already running, run \
                    sudo cat /proc/PID/environ | tr '\\0' '\\n' > env.txt, with the process \
                    id of the service in place of PID.
                    """),
            ]
        ),
        DiagnosticItem(
            key: .toolVersion,
            title: "Software and version",
            explanation: """
                The exact version of our software, and of any other tool involved in the \
                problem (compiler, runtime, database, browser, plug-in). The full version \
                number with all its parts helps us most; a name alone or "the latest" does \
                not tell us which build you have.
                """,
            perOS: [
                .init(os: "Windows", text: """
                    In the program, open Help > About and copy the version shown there. For any \
                    program file you can also right-click it in Explorer, choose Properties > \
                    Details and copy "Product version". Command-line tools usually print their \
                    version when you run them with --version.
                    """),
                .init(os: "macOS", text: """
                    Choose About in the program's menu (the menu named after the program), or \
                    run a command-line tool with --version.
                    """),
                .init(os: "Linux", text: """
                    Run the tool with --version, or ask the package manager: dpkg -l followed \
                    by the package name on Debian and Ubuntu, rpm -q followed by the package \
                    name on Red Hat, Fedora and SUSE.
                    """),
            ]
        ),
        DiagnosticItem(
            key: .eventLog,
            title: "Windows event log",
            explanation: """
                The entries Windows recorded when the program failed. They often name the \
                failing module and the error code, even when the program itself wrote \
                nothing.
                """,
            perOS: [
                .init(os: "Windows", text: """
                    Press Windows+R, type eventvwr.msc and press Enter. Open Windows Logs > \
                    Application, choose Save All Events As... in the Actions pane, save the \
                    file as .evtx and attach it. Or, in a Command Prompt run as administrator: \
                    wevtutil epl Application "%USERPROFILE%\\Desktop\\application.evtx" and \
                    attach the file it writes to your desktop.
                    """),
            ]
        ),
        DiagnosticItem(
            key: .exceptionReport,
            title: "Exception report",
            explanation: """
                The complete error report the program showed or wrote when it failed: the \
                exception type, its message and the full stack trace, including any inner \
                exceptions and "Caused by" sections.

                Please copy it as text rather than sending a screenshot. If the error window \
                has a "Details" or "Copy" button, use it; otherwise the report is usually \
                at the end of the program's log file.
                """
        ),
        DiagnosticItem(
            key: .crashStack,
            title: "Crash call stack",
            explanation: """
                The call stack of the thread that crashed, together with the list of loaded \
                modules and their load addresses, and the processor registers at the moment \
                of the crash. A debugger prints all three.
                """,
            perOS: [
                .init(os: "Windows", text: """
                    Open the crash dump in WinDbg (from the Microsoft Store) and run these \
                    commands one after the other: .ecxr, then kb, then lm, then r. Copy all of \
                    the output into your reply.
                    """),
                .init(os: "macOS", text: """
                    Open the Console app, choose Crash Reports, select the report for the \
                    program and attach it (the files are also in \
                    ~/Library/Logs/DiagnosticReports). The report contains all three.
                    """),
                .init(os: "Linux", text: """
                    Run coredumpctl gdb to open the most recent crash in gdb (or gdb with the \
                    program and its core file), then run bt full, info sharedlibrary and \
                    info registers, and copy the output.
                    """),
            ]
        ),
        DiagnosticItem(
            key: .minidump,
            title: "Minidump",
            explanation: """
                A minidump is a file that records the state of the program at the moment it \
                crashed or hung. With it we can look at the failure as if it had happened on \
                our own computer. Please attach the file as it is.
                """,
            perOS: [
                .init(os: "Windows", text: """
                    If the program hangs: open Task Manager, right-click the program on the \
                    Details tab and choose Create dump file (recent versions call it Create \
                    memory dump file); Task Manager tells you where it saved the \
                    .dmp file. If the program crashes: download ProcDump from \
                    Microsoft Sysinternals and run procdump -ma -e -w followed by the program's \
                    file name in a Command Prompt, then reproduce the crash; ProcDump writes a \
                    .dmp file into the current folder. Alternatively, an administrator can turn \
                    on automatic dumps by creating the registry key \
                    HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\Windows Error \
                    Reporting\\LocalDumps; after the next crash the dump is in \
                    %LOCALAPPDATA%\\CrashDumps.
                    """),
                .init(os: "macOS", text: """
                    macOS does not write minidumps; please send the crash report described \
                    under "Crash call stack" instead.
                    """),
                .init(os: "Linux", text: """
                    Send the core dump instead. On systems with systemd, run coredumpctl list \
                    to find the crash and coredumpctl dump with its process id and -o core.dump \
                    to save it. Elsewhere, run ulimit -c unlimited in the shell before you start \
                    the program, reproduce the crash, and attach the core file.
                    """),
            ]
        ),
        DiagnosticItem(
            key: .logFiles,
            title: "Log files",
            explanation: """
                The log files of the program from the time the problem happened. Please \
                attach the files unchanged rather than copying parts into your message, so \
                that nothing between the lines is lost.
                """,
            perOS: [
                .init(os: "Windows", text: """
                    Most programs keep their logs in a folder named after the program under \
                    %LOCALAPPDATA% or %ProgramData%; type the folder name into the address bar \
                    of Explorer to open it.
                    """),
                .init(os: "macOS", text: """
                    Look in ~/Library/Logs and /Library/Logs, or in the Console app under \
                    Log Reports.
                    """),
                .init(os: "Linux", text: """
                    Look in /var/log and ~/.local/state. For a systemd service, run \
                    journalctl -u followed by the service name and --since today, redirect \
                    the output into a file, and attach that file.
                    """),
            ]
        ),
        DiagnosticItem(
            key: .testApplication,
            title: "Test application",
            explanation: """
                A small program or project that shows the problem on its own, with the steps \
                to run it and what you expected to happen. The smaller the better: please \
                remove everything that is not needed to show the problem, and leave out any \
                confidential data.

                Send the source code and, if you can, a build of it, packed into a zip file. \
                We only run it on isolated test machines.
                """
        ),
    ]

    /// The seeded item for a key.
    public static func item(for key: DiagnosticItemKey) -> DiagnosticItem? {
        seed.first { $0.key == key }
    }
}
