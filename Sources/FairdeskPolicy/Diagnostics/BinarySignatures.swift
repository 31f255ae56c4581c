/// Attachments recognized by their first bytes: minidumps, core dumps, Windows event logs,
/// executables and archives. The file name is only used in the evidence ("matching its
/// .exe name"): a name whose bytes do not match is not detected.
enum BinarySignatures {
    /// The detections for one file, or `nil` when its bytes match no known format (the
    /// caller then tries to read it as text).
    static func detect(_ file: DiagnosticInput.File, order: Int) -> [Found]? {
        let b = file.head
        let name = file.filename ?? ""
        func found(_ item: DiagnosticItemKey, _ what: String, _ why: String, expected: [String], value: String? = nil) -> Found {
            Found(item, what, "\(file.label): \(why)\(nameRemark(name, expected: expected))", value: value,
                  source: order, line: 0)
        }
        if Bytes.has(b, "MDMP", at: 0) {
            guard b.count >= 8, Bytes.u16le(b, 4) == 0xA793 else { return nil }
            var streams = ""
            if let n = Bytes.u32le(b, 8) { streams = ", \(n) stream\(n == 1 ? "" : "s")" }
            var result = [found(.minidump, "minidump", "starts with the MDMP signature (version 0xA793\(streams))",
                                expected: ["dmp", "mdmp", "hdmp"])]
            if let os = Minidump.systemInfo(b) {
                result.append(Found(.operatingSystem, "OS version (from minidump)",
                                    "\(file.label): the minidump's system information stream says \(os.detail)",
                                    value: os.value, source: order, line: 0))
            }
            return result
        }
        if Bytes.has(b, "ElfFile\0", at: 0) {
            var detail = "starts with the Windows event log signature \"ElfFile\""
            if let major = Bytes.u16le(b, 38), let minor = Bytes.u16le(b, 36), let chunks = Bytes.u16le(b, 42),
                Bytes.u32le(b, 32) == 128, major == 3
            {
                detail += " (EVTX \(major).\(minor), \(chunks) chunk\(chunks == 1 ? "" : "s"))"
            }
            return [found(.eventLog, "Windows event log (.evtx)", detail, expected: ["evtx"])]
        }
        if Bytes.has(b, "LfLe", at: 4), Bytes.u32le(b, 0) == 0x30 {
            return [found(.eventLog, "Windows event log (.evt)", "has the legacy event log signature \"LfLe\"",
                          expected: ["evt"])]
        }
        if let exe = Executable.identify(b, name: name) {
            let item: DiagnosticItemKey = exe.isCore ? .minidump : .testApplication
            return [found(item, exe.what, exe.why, expected: exe.extensions)]
        }
        if let archive = Archive.identify(b, name: name) {
            guard archive.isApplication else { return [] }
            return [found(.testApplication, archive.what, archive.why, expected: archive.extensions)]
        }
        if Bytes.otherBinary(b) != nil { return [] }
        return nil
    }

    /// ", matching its .exe name" or `, although it is named "notes.txt"`.
    static func nameRemark(_ name: String, expected: [String]) -> String {
        guard !name.isEmpty, !expected.isEmpty else { return "" }
        let lower = name.lowercased()
        if let ext = expected.first(where: { lower.hasSuffix("." + $0) }) { return ", matching its .\(ext) name" }
        if expected.contains(""), !lower.contains(".") { return "" }
        return ", although it is named \"\(name)\""
    }
}

/// Little-endian and big-endian reads that return nil past the end of the head.
enum Bytes {
    static func has(_ b: [UInt8], _ text: String, at i: Int) -> Bool { Scan.has(b, Array(text.utf8), at: i) }
    static func has(_ b: [UInt8], _ bytes: [UInt8], at i: Int) -> Bool { Scan.has(b, bytes, at: i) }

    static func u16le(_ b: [UInt8], _ i: Int) -> Int? {
        guard i >= 0, i + 2 <= b.count else { return nil }
        return Int(b[i]) | Int(b[i + 1]) << 8
    }

    static func u32le(_ b: [UInt8], _ i: Int) -> Int? {
        guard i >= 0, i + 4 <= b.count else { return nil }
        return Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16 | Int(b[i + 3]) << 24
    }

    static func u16(_ b: [UInt8], _ i: Int, bigEndian: Bool) -> Int? {
        guard bigEndian else { return u16le(b, i) }
        guard i >= 0, i + 2 <= b.count else { return nil }
        return Int(b[i]) << 8 | Int(b[i + 1])
    }

    static func u32(_ b: [UInt8], _ i: Int, bigEndian: Bool) -> Int? {
        guard bigEndian else { return u32le(b, i) }
        guard i >= 0, i + 4 <= b.count else { return nil }
        return Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
    }

    /// Common binary formats that are none of the above (pictures, PDF, Office 97 files…),
    /// so the caller does not try to read them as text.
    static func otherBinary(_ b: [UInt8]) -> String? {
        let signatures: [(String, [UInt8])] = [
            ("PNG", [0x89, 0x50, 0x4E, 0x47]), ("JPEG", [0xFF, 0xD8, 0xFF]), ("GIF", Array("GIF8".utf8)),
            ("PDF", Array("%PDF".utf8)), ("OLE compound file", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]),
            ("Java class", [0xCA, 0xFE, 0xBA, 0xBE]), ("RIFF", Array("RIFF".utf8)), ("ZIP (empty)", [0x50, 0x4B, 0x05, 0x06]),
        ]
        return signatures.first { Scan.has(b, $0.1, at: 0) }?.0
    }
}

/// The minidump format (MINIDUMP_HEADER, MINIDUMP_DIRECTORY, MINIDUMP_SYSTEM_INFO), as
/// documented in Microsoft's minidumpapiset.h.
enum Minidump {
    static let systemInfoStream = 7

    /// The Windows version in the SystemInfoStream, when the stream is in the head.
    static func systemInfo(_ b: [UInt8]) -> (value: String, detail: String)? {
        guard let count = Bytes.u32le(b, 8), let directory = Bytes.u32le(b, 12), count <= 4096 else { return nil }
        for k in 0..<count {
            let entry = directory + 12 * k
            guard let type = Bytes.u32le(b, entry), let rva = Bytes.u32le(b, entry + 8) else { return nil }
            guard type == systemInfoStream else { continue }
            guard let architecture = Bytes.u16le(b, rva), rva + 24 <= b.count, let major = Bytes.u32le(b, rva + 8),
                let minor = Bytes.u32le(b, rva + 12), let build = Bytes.u32le(b, rva + 16),
                let platform = Bytes.u32le(b, rva + 20), platform == 2  // VER_PLATFORM_WIN32_NT
            else { return nil }
            let productType = Int(b[rva + 7])
            let name = windowsName(major: major, minor: minor, build: build, server: productType != 1)
            let arch = [0: "x86", 5: "ARM", 9: "x86-64", 12: "ARM64"][architecture].map { ", \($0)" } ?? ""
            return ("\(name) (\(major).\(minor).\(build))", "Windows NT \(major).\(minor) build \(build)\(arch)")
        }
        return nil
    }

    static func windowsName(major: Int, minor: Int, build: Int, server: Bool) -> String {
        switch (major, minor, server) {
        case (10, 0, false): return build >= 22000 ? "Windows 11" : "Windows 10"
        case (10, 0, true):
            if build >= 26100 { return "Windows Server 2025" }
            if build >= 20348 { return "Windows Server 2022" }
            if build >= 17763 { return "Windows Server 2019" }
            return "Windows Server 2016"
        case (6, 3, false): return "Windows 8.1"
        case (6, 3, true): return "Windows Server 2012 R2"
        case (6, 2, false): return "Windows 8"
        case (6, 2, true): return "Windows Server 2012"
        case (6, 1, false): return "Windows 7"
        case (6, 1, true): return "Windows Server 2008 R2"
        default: return "Windows NT \(major).\(minor)"
        }
    }
}

/// PE, ELF and Mach-O files.
enum Executable {
    struct Kind {
        var what: String
        var why: String
        var extensions: [String]
        /// A core dump: the Linux and macOS counterpart of a minidump.
        var isCore = false
    }

    static func identify(_ b: [UInt8], name: String) -> Kind? {
        if Bytes.has(b, "MZ", at: 0) { return pe(b) }
        if Bytes.has(b, [0x7F, 0x45, 0x4C, 0x46], at: 0) { return elf(b, name: name) }
        return machO(b)
    }

    static let peMachines = [0x14C: "x86", 0x8664: "x86-64", 0xAA64: "ARM64", 0x1C4: "ARM"]

    /// "MZ", then at 0x3C the offset of the "PE\0\0" header (PE/COFF specification §2–3).
    static func pe(_ b: [UInt8]) -> Kind? {
        guard let offset = Bytes.u32le(b, 0x3C), offset >= 4, Bytes.has(b, [0x50, 0x45, 0, 0], at: offset),
            let machine = Bytes.u16le(b, offset + 4), let characteristics = Bytes.u16le(b, offset + 22)
        else { return nil }
        let isDLL = characteristics & 0x2000 != 0
        let optional = offset + 24
        let magic = Bytes.u16le(b, optional)
        let plus = magic == 0x20B
        let format = plus ? "PE32+" : "PE32"
        // Data directory 14 is the CLR runtime header: present in .NET assemblies.
        let clrEntry = optional + (plus ? 112 : 96) + 14 * 8
        let isDotNet = (Bytes.u32le(b, clrEntry) ?? 0) != 0 && magic != nil
        let arch = peMachines[machine] ?? "machine 0x" + String(machine, radix: 16, uppercase: true)
        let kind = isDLL ? "Windows DLL" : "Windows executable"
        return Kind(what: "\(kind) (\(format), \(arch)\(isDotNet ? ", .NET" : ""))",
                    why: "starts with \"MZ\" and has a PE header at 0x\(String(offset, radix: 16, uppercase: true))",
                    extensions: isDLL ? ["dll", "ocx", "sys"] : ["exe", "scr", "com", "sys"])
    }

    static let elfMachines = [3: "x86", 0x3E: "x86-64", 0x28: "ARM", 0xB7: "ARM64", 0xF3: "RISC-V", 0x08: "MIPS",
                              0x14: "PowerPC", 0x15: "PowerPC64", 0x16: "s390"]

    static func elf(_ b: [UInt8], name: String) -> Kind? {
        guard b.count >= 20, b[4] == 1 || b[4] == 2, b[5] == 1 || b[5] == 2,
            let type = Bytes.u16(b, 16, bigEndian: b[5] == 2), let machine = Bytes.u16(b, 18, bigEndian: b[5] == 2)
        else { return nil }
        let bits = b[4] == 2 ? "64-bit" : "32-bit"
        let arch = elfMachines[machine] ?? "machine \(machine)"
        let why = "starts with the ELF signature (\(bits), \(arch))"
        switch type {
        case 4: return Kind(what: "core dump (ELF)", why: why + ", type core", extensions: ["core", ""], isCore: true)
        case 3:
            let library = name.lowercased().contains(".so")
            return Kind(what: library ? "Linux shared library (ELF \(bits), \(arch))" : "Linux executable (ELF \(bits), \(arch))",
                        why: why, extensions: ["so", "", "bin", "run", "appimage"])
        case 2: return Kind(what: "Linux executable (ELF \(bits), \(arch))", why: why, extensions: ["", "bin", "run"])
        case 1: return Kind(what: "object file (ELF \(bits), \(arch))", why: why, extensions: ["o", "ko"])
        default: return nil
        }
    }

    static let machCPUs = [7: "x86", 0x0100_0007: "x86-64", 12: "ARM", 0x0100_000C: "ARM64", 0x0200_000C: "ARM64_32"]

    static func machO(_ b: [UInt8]) -> Kind? {
        guard let be = Bytes.u32(b, 0, bigEndian: true) else { return nil }
        switch be {
        case 0xFEED_FACE, 0xFEED_FACF, 0xCEFA_EDFE, 0xCFFA_EDFE:
            let bigEndian = be == 0xFEED_FACE || be == 0xFEED_FACF
            let bits = (be == 0xFEED_FACF || be == 0xCFFA_EDFE) ? "64-bit" : "32-bit"
            guard let cpu = Bytes.u32(b, 4, bigEndian: bigEndian), let type = Bytes.u32(b, 12, bigEndian: bigEndian) else {
                return nil
            }
            let arch = machCPUs[cpu] ?? "CPU type \(cpu)"
            let why = "starts with the Mach-O signature (\(bits), \(arch))"
            switch type {
            case 4: return Kind(what: "core dump (Mach-O)", why: why + ", type core", extensions: ["core", ""], isCore: true)
            case 6: return Kind(what: "macOS dynamic library (Mach-O \(arch))", why: why, extensions: ["dylib"])
            case 8: return Kind(what: "macOS bundle (Mach-O \(arch))", why: why, extensions: ["bundle", ""])
            case 2: return Kind(what: "macOS executable (Mach-O \(arch))", why: why, extensions: [""])
            default: return nil
            }
        case 0xCAFE_BABE, 0xCAFE_BABF, 0xBEBA_FECA:
            // Java class files share CAFEBABE; their next field (the version) is ≥ 45,
            // a universal binary's is the number of architectures.
            guard let n = Bytes.u32(b, 4, bigEndian: be != 0xBEBA_FECA), (1...20).contains(n) else { return nil }
            return Kind(what: "macOS universal binary (\(n) architecture\(n == 1 ? "" : "s"))",
                        why: "starts with the Mach-O universal signature", extensions: ["", "dylib", "bundle"])
        default:
            return nil
        }
    }
}

/// Zip, 7z, gzip, tar, RAR and Windows Installer files.
enum Archive {
    struct Kind {
        var what: String
        var why: String
        var extensions: [String]
        /// False for archives that are documents (.docx) or only hold logs and pictures:
        /// those are not a test application.
        var isApplication = true
    }

    /// Entries that are data, not a program: an archive of only these is not a test
    /// application.
    static let dataExtensions: Set<String> = [
        "log", "txt", "dmp", "mdmp", "evtx", "evt", "etl", "png", "jpg", "jpeg", "gif", "bmp", "pdf", "csv", "har",
        "eml", "msg", "md", "rtf", "doc", "docx", "xls", "xlsx", "webp", "heic", "mp4", "mov",
    ]

    static func identify(_ b: [UInt8], name: String) -> Kind? {
        if Bytes.has(b, [0x50, 0x4B, 0x03, 0x04], at: 0) { return zip(b, name: name) }
        if Bytes.has(b, [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C], at: 0) {
            return Kind(what: "7-Zip archive", why: "starts with the 7z signature", extensions: ["7z"])
        }
        if Bytes.has(b, "Rar!\u{1A}\u{07}", at: 0) {
            let version = b.count > 6 && b[6] == 1 ? "RAR5" : "RAR4"
            return Kind(what: "RAR archive", why: "starts with the \(version) signature \"Rar!\"", extensions: ["rar"])
        }
        if Bytes.has(b, [0x1F, 0x8B], at: 0), b.count >= 10 { return gzip(b, name: name) }
        if Bytes.has(b, "ustar", at: 257) {
            let names = tarNames(b)
            return Kind(what: "tar archive", why: "has the \"ustar\" signature at offset 257\(listing(names))",
                        extensions: ["tar"], isApplication: !onlyData(names))
        }
        if Bytes.has(b, [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], at: 0) { return installer(b, name: name) }
        return nil
    }

    static func zip(_ b: [UInt8], name: String) -> Kind? {
        let names = zipNames(b)
        let lower = name.lowercased()
        let document = ["docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "vsdx"].contains { lower.hasSuffix("." + $0) }
            || names.first == "[Content_Types].xml" || names.first == "mimetype"
            || names.contains { $0.hasPrefix("word/") || $0.hasPrefix("xl/") || $0.hasPrefix("ppt/") }
        let kinds: [(String, String)] = [("jar", "Java archive"), ("nupkg", "NuGet package"), ("apk", "Android package"),
                                         ("ipa", "iOS app archive"), ("vsix", "Visual Studio extension"),
                                         ("whl", "Python wheel"), ("war", "Java web archive")]
        let what = kinds.first { lower.hasSuffix("." + $0.0) }?.1 ?? "zip archive"
        return Kind(what: what, why: "starts with the zip signature \"PK\\x03\\x04\"\(listing(names))",
                    extensions: ["zip"] + kinds.map(\.0), isApplication: !document && !onlyData(names))
    }

    /// The names of the zip entries whose local headers lie in the head (APPNOTE.TXT §4.3.7).
    static func zipNames(_ b: [UInt8]) -> [String] {
        var names: [String] = []
        var p = 0
        while names.count < 64, Bytes.has(b, [0x50, 0x4B, 0x03, 0x04], at: p), let flags = Bytes.u16le(b, p + 6),
            let compressed = Bytes.u32le(b, p + 18), let nameLength = Bytes.u16le(b, p + 26),
            let extraLength = Bytes.u16le(b, p + 28), p + 30 + nameLength <= b.count
        {
            names.append(String(decoding: b[(p + 30)..<(p + 30 + nameLength)], as: UTF8.self))
            // With bit 3 set the sizes follow the data, so the next header cannot be found.
            guard flags & 0x08 == 0 else { break }
            p += 30 + nameLength + extraLength + compressed
        }
        return names
    }

    static func tarNames(_ b: [UInt8]) -> [String] {
        var names: [String] = []
        var p = 0
        while names.count < 64, p + 512 <= b.count, Bytes.has(b, "ustar", at: p + 257) {
            let field = b[p..<(p + 100)]
            let nameBytes = field.prefix { $0 != 0 }
            names.append(String(decoding: nameBytes, as: UTF8.self))
            let sizeField = b[(p + 124)..<(p + 136)].prefix { $0 != 0 && $0 != 0x20 }
            let size = Int(String(decoding: sizeField, as: UTF8.self), radix: 8) ?? 0
            p += 512 + (size + 511) / 512 * 512
        }
        return names
    }

    /// gzip (RFC 1952). The FNAME field, or the file name without ".gz", says what is
    /// inside; a compressed log or text is not a test application.
    static func gzip(_ b: [UInt8], name: String) -> Kind? {
        guard b[2] == 8 else { return nil }
        let flags = b[3]
        var inner = ""
        var p = 10
        if flags & 0x04 != 0, let extra = Bytes.u16le(b, p) { p += 2 + extra }
        if flags & 0x08 != 0, p < b.count {
            let nameBytes = b[p...].prefix { $0 != 0 }
            inner = String(decoding: nameBytes, as: UTF8.self)
        }
        let lower = name.lowercased()
        if inner.isEmpty, lower.hasSuffix(".gz") { inner = String(name.dropLast(3)) }
        let tar = lower.hasSuffix(".tgz") || lower.hasSuffix(".tar.gz") || inner.lowercased().hasSuffix(".tar")
        let why = "starts with the gzip signature 1F 8B" + (inner.isEmpty ? "" : " (\"\(inner)\" inside)")
        return Kind(what: tar ? "gzip-compressed tar archive" : "gzip-compressed file", why: why,
                    extensions: ["gz", "tgz"], isApplication: tar || !onlyData([inner]))
    }

    /// An OLE compound file is an installer when its root storage has the CLSID of an
    /// .msi or .msp ({000C1084-…} / {000C1086-…}); Word and Outlook files share the format.
    static func installer(_ b: [UInt8], name: String) -> Kind? {
        let msi: [UInt8] = [0x84, 0x10, 0x0C, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46]
        var msp = msi
        msp[0] = 0x86
        let lower = name.lowercased()
        if let shift = Bytes.u16le(b, 30), (9...12).contains(shift), let sector = Bytes.u32le(b, 48) {
            let root = (sector + 1) << shift
            if root + 96 <= b.count {
                let clsid = Array(b[(root + 80)..<(root + 96)])
                if clsid == msi || clsid == msp {
                    return Kind(what: "Windows Installer package", why: "is an OLE compound file with the Windows Installer class id",
                                extensions: ["msi", "msp"])
                }
                return nil
            }
        }
        guard lower.hasSuffix(".msi") || lower.hasSuffix(".msp") else { return nil }
        return Kind(what: "Windows Installer package", why: "is an OLE compound file (its directory is past the part we read)",
                    extensions: ["msi", "msp"])
    }

    static func onlyData(_ names: [String]) -> Bool {
        let files = names.filter { !$0.hasSuffix("/") && !$0.isEmpty }
        guard !files.isEmpty else { return false }
        return files.allSatisfy { name in
            guard let dot = name.lastIndex(of: ".") else { return false }
            return dataExtensions.contains(name[name.index(after: dot)...].lowercased())
        }
    }

    static func listing(_ names: [String]) -> String {
        let files = names.filter { !$0.hasSuffix("/") && !$0.isEmpty }
        guard !files.isEmpty else { return "" }
        let shown = files.prefix(3).map { "\"\($0)\"" }.joined(separator: ", ")
        return files.count > 3 ? ", with \(shown) and more" : ", with \(shown)"
    }
}
