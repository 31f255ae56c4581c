/// Binary attachments for the diagnostic corpus, built at test time from the published
/// format descriptions rather than committed as opaque files. Each builder writes the
/// real header structures (and enough of the rest to be plausible); the detector must
/// not rely on anything that a real file would not have.
enum BinaryFixtures {
    static func make(_ name: String) -> [UInt8]? {
        switch name {
        case "minidump-windows11": minidump(system: (major: 10, minor: 0, build: 22631, productType: 1, arch: 9))
        case "minidump-windows10": minidump(system: (major: 10, minor: 0, build: 19045, productType: 1, arch: 9))
        case "minidump-server2022": minidump(system: (major: 10, minor: 0, build: 20348, productType: 3, arch: 9))
        case "minidump-no-sysinfo": minidump(system: nil)
        case "evtx": evtx()
        case "pe-exe-x64": pe(machine: 0x8664, dll: false, dotNet: false)
        case "pe-dll-dotnet": pe(machine: 0x14C, dll: true, dotNet: true)
        case "elf-x64": elf(type: 3)
        case "elf-core": elf(type: 4)
        case "macho-universal": machOUniversal()
        case "zip-repro":
            zip([("FairsyncRepro/Program.cs", "Console.WriteLine(\"repro\");\n"),
                 ("FairsyncRepro/FairsyncRepro.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\"></Project>\n"),
                 ("FairsyncRepro/README.txt", "dotnet run, then click Export\n")])
        case "zip-jar":
            zip([("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\nMain-Class: Repro\r\n\r\n"),
                 ("Repro.class", "\u{CA}\u{FE}\u{BA}\u{BE}")])
        case "zip-docx":
            zip([("[Content_Types].xml", "<?xml version=\"1.0\"?><Types/>"),
                 ("word/document.xml", "<w:document/>")])
        case "zip-screenshots":
            zip([("before.png", "\u{89}PNG"), ("after.png", "\u{89}PNG")])
        case "7z": sevenZip()
        case "tar": tar()
        case "tar-gz": gzip(tar(), innerName: "repro.tar")
        case "rar5": rar5()
        case "msi": compoundFile(clsid: [0x84, 0x10, 0x0C, 0x00, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46])
        case "doc": compoundFile(clsid: [0x06, 0x09, 0x02, 0x00, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46])
        case "png": png()
        case "random-bytes": randomBytes(count: 8192, seed: 0x5EED)
        default: nil
        }
    }

    /// Little-endian byte writer.
    struct Writer {
        var bytes: [UInt8] = []

        mutating func u8(_ v: Int) { bytes.append(UInt8(truncatingIfNeeded: v)) }
        mutating func u16(_ v: Int) { for k in 0..<2 { u8(v >> (8 * k)) } }
        mutating func u32(_ v: Int) { for k in 0..<4 { u8(v >> (8 * k)) } }
        mutating func u64(_ v: Int) { for k in 0..<8 { u8(v >> (8 * k)) } }
        mutating func u32be(_ v: Int) { for k in (0..<4).reversed() { u8(v >> (8 * k)) } }
        mutating func ascii(_ s: String) { bytes += Array(s.utf8) }
        mutating func zeros(_ n: Int) { bytes += [UInt8](repeating: 0, count: n) }
        mutating func pad(to n: Int) { if bytes.count < n { zeros(n - bytes.count) } }
        mutating func put(_ v: Int, at offset: Int, size: Int) {
            for k in 0..<size { bytes[offset + k] = UInt8(truncatingIfNeeded: v >> (8 * k)) }
        }
    }

    /// MINIDUMP_HEADER, a stream directory and the streams it points to (ThreadList,
    /// ModuleList, optionally SystemInfo), as described in minidumpapiset.h.
    static func minidump(system: (major: Int, minor: Int, build: Int, productType: Int, arch: Int)?) -> [UInt8] {
        var streams: [(type: Int, data: [UInt8])] = []
        var threads = Writer()
        threads.u32(1)  // NumberOfThreads
        threads.u32(0x1F2C)  // ThreadId
        threads.zeros(44)
        streams.append((3, threads.bytes))
        var modules = Writer()
        modules.u32(1)  // NumberOfModules
        modules.u64(0x7FF6_123E_0000)  // BaseOfImage
        modules.u32(0x80000)  // SizeOfImage
        modules.zeros(96)
        streams.append((4, modules.bytes))
        if let system {
            var info = Writer()
            info.u16(system.arch)  // ProcessorArchitecture (9 = AMD64)
            info.u16(6)  // ProcessorLevel
            info.u16(0x9A03)  // ProcessorRevision
            info.u8(16)  // NumberOfProcessors
            info.u8(system.productType)  // ProductType (1 = workstation, 3 = server)
            info.u32(system.major)
            info.u32(system.minor)
            info.u32(system.build)
            info.u32(2)  // PlatformId: VER_PLATFORM_WIN32_NT
            info.u32(0)  // CSDVersionRva, patched below
            info.u16(0x100)  // SuiteMask
            info.u16(0)
            info.ascii("GenuineIntel")  // CPU_INFORMATION.X86CpuInfo.VendorId
            info.u32(0x000906A3)
            info.u32(0xBFEBFBFF)
            info.u32(0)
            streams.append((7, info.bytes))
        }
        var w = Writer()
        w.ascii("MDMP")
        w.u32(0x000A_A793)  // Version: MINIDUMP_VERSION in the low word
        w.u32(streams.count)
        w.u32(32)  // StreamDirectoryRva
        w.u32(0)  // CheckSum
        w.u32(0x6745_A1B3)  // TimeDateStamp
        w.u64(0x1826)  // Flags
        let directoryEnd = 32 + 12 * streams.count
        var rva = directoryEnd
        for stream in streams {
            w.u32(stream.type)
            w.u32(stream.data.count)
            w.u32(rva)
            rva += stream.data.count
        }
        for stream in streams { w.bytes += stream.data }
        w.zeros(4096)  // memory lists and the rest of a real dump would follow
        return w.bytes
    }

    /// The EVTX file header (128 bytes, in a 4096-byte block) and the start of the first
    /// chunk, as documented in libevtx's "Windows XML Event Log (EVTX) format".
    static func evtx() -> [UInt8] {
        var w = Writer()
        w.ascii("ElfFile\0")
        w.u64(0)  // first chunk number
        w.u64(0)  // last chunk number
        w.u64(43)  // next record identifier
        w.u32(128)  // header size
        w.u16(2)  // minor version
        w.u16(3)  // major version
        w.u16(4096)  // header block size
        w.u16(1)  // number of chunks
        w.zeros(76)
        w.u32(0)  // file flags
        w.u32(crc32(Array(w.bytes.prefix(120))))  // checksum of the first 120 bytes
        w.pad(to: 4096)
        w.ascii("ElfChnk\0")
        w.u64(1)
        w.u64(42)
        w.pad(to: 4096 + 512)
        return w.bytes
    }

    /// A DOS header whose e_lfanew points at a PE header with an optional header
    /// (PE32 or PE32+) and 16 data directories; `dotNet` fills the CLR directory.
    static func pe(machine: Int, dll: Bool, dotNet: Bool) -> [UInt8] {
        let plus = machine == 0x8664 || machine == 0xAA64
        var w = Writer()
        w.ascii("MZ")
        w.u16(0x90)
        w.u16(3)
        w.pad(to: 0x3C)
        w.u32(0x80)  // e_lfanew
        w.bytes += [0x0E, 0x1F, 0xBA, 0x0E, 0x00, 0xB4, 0x09, 0xCD, 0x21, 0xB8, 0x01, 0x4C, 0xCD, 0x21]
        w.ascii("This program cannot be run in DOS mode.\r\r\n$")
        w.pad(to: 0x80)
        w.ascii("PE\0\0")
        w.u16(machine)
        w.u16(3)  // NumberOfSections
        w.u32(0x6745_A1B3)
        w.u32(0)
        w.u32(0)
        w.u16(plus ? 240 : 224)  // SizeOfOptionalHeader
        w.u16(dll ? 0x2102 : 0x0022)  // Characteristics
        let optional = w.bytes.count
        w.u16(plus ? 0x20B : 0x10B)
        w.u8(14)  // linker version
        w.u8(38)
        w.zeros(plus ? 240 - 4 : 224 - 4)
        let directories = optional + (plus ? 112 : 96)
        w.put(16, at: directories - 4, size: 4)  // NumberOfRvaAndSizes
        w.put(0x1000, at: directories + 12 * 8, size: 4)  // IAT
        if dotNet {
            w.put(0x2008, at: directories + 14 * 8, size: 4)  // CLR runtime header
            w.put(72, at: directories + 14 * 8 + 4, size: 4)
        }
        for name in [".text", ".rdata", ".reloc"] {
            w.ascii(name)
            w.pad(to: w.bytes.count + 8 - name.count + 32)
        }
        w.pad(to: 0x400)
        w.zeros(2048)
        return w.bytes
    }

    /// An ELF64 little-endian x86-64 header; type 3 (shared object / PIE executable) or
    /// 4 (core file).
    static func elf(type: Int) -> [UInt8] {
        var w = Writer()
        w.bytes += [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0]
        w.zeros(8)
        w.u16(type)
        w.u16(0x3E)  // EM_X86_64
        w.u32(1)
        w.u64(type == 4 ? 0 : 0x1060)  // e_entry
        w.u64(64)  // e_phoff
        w.u64(type == 4 ? 0 : 14_000)  // e_shoff
        w.u32(0)
        w.u16(64)
        w.u16(56)
        w.u16(type == 4 ? 12 : 13)  // e_phnum
        w.u16(64)
        w.u16(type == 4 ? 0 : 31)
        w.u16(type == 4 ? 0 : 30)
        w.u32(type == 4 ? 4 : 6)  // p_type: PT_NOTE or PT_PHDR
        w.u32(4)
        w.zeros(48)
        w.zeros(4096)
        return w.bytes
    }

    /// A universal binary (fat header, big-endian) with x86-64 and arm64 slices, each
    /// starting with a 64-bit Mach-O header.
    static func machOUniversal() -> [UInt8] {
        var w = Writer()
        w.u32be(Int(0xCAFE_BABE))
        w.u32be(2)
        for (cpu, sub, offset) in [(0x0100_0007, 3, 0x4000), (0x0100_000C, 0, 0x8000)] {
            w.u32be(cpu)
            w.u32be(sub)
            w.u32be(offset)
            w.u32be(0x4000)
            w.u32be(14)
        }
        for (cpu, sub, offset) in [(0x0100_0007, 3, 0x4000), (0x0100_000C, 0, 0x8000)] {
            w.pad(to: offset)
            w.bytes += [0xCF, 0xFA, 0xED, 0xFE]
            w.u32(cpu)
            w.u32(sub)
            w.u32(2)  // MH_EXECUTE
            w.u32(16)
            w.u32(1376)
            w.u32(0x0020_0085)
            w.u32(0)
        }
        w.pad(to: 0xC000)
        return w.bytes
    }

    /// A zip file with stored (uncompressed) entries, central directory and end record
    /// (APPNOTE.TXT §4.3).
    static func zip(_ entries: [(name: String, content: String)]) -> [UInt8] {
        var w = Writer()
        var central = Writer()
        for entry in entries {
            let data = Array(entry.content.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) })
            let name = Array(entry.name.utf8)
            let offset = w.bytes.count
            let crc = crc32(data)
            w.u32(0x0403_4B50)
            w.u16(20)
            w.u16(0)
            w.u16(0)  // stored
            w.u16(0x6000)  // 12:00
            w.u16(0x5D63)  // 2026-11-03
            w.u32(crc)
            w.u32(data.count)
            w.u32(data.count)
            w.u16(name.count)
            w.u16(0)
            w.bytes += name + data
            central.u32(0x0201_4B50)
            central.u16(0x031E)
            central.u16(20)
            central.u16(0)
            central.u16(0)
            central.u16(0x6000)
            central.u16(0x5D63)
            central.u32(crc)
            central.u32(data.count)
            central.u32(data.count)
            central.u16(name.count)
            central.zeros(8)
            central.u32(0o100644 << 16)
            central.u32(offset)
            central.bytes += name
        }
        let start = w.bytes.count
        w.bytes += central.bytes
        w.u32(0x0605_4B50)
        w.zeros(4)
        w.u16(entries.count)
        w.u16(entries.count)
        w.u32(central.bytes.count)
        w.u32(start)
        w.u16(0)
        return w.bytes
    }

    static func sevenZip() -> [UInt8] {
        var w = Writer()
        w.bytes += [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C, 0x00, 0x04]
        let rest = randomBytes(count: 1024, seed: 7)
        w.u32(0x8D9B_F8E3)  // start header CRC
        w.u64(rest.count - 64)  // next header offset
        w.u64(64)
        w.u32(0x1234_5678)
        w.bytes += rest
        return w.bytes
    }

    static func rar5() -> [UInt8] {
        var w = Writer()
        w.bytes += Array("Rar!".utf8) + [0x1A, 0x07, 0x01, 0x00]
        w.u32(0x0D6B_3D5A)  // header CRC32
        w.bytes += [0x0A, 0x01, 0x05, 0x06, 0x00, 0x05, 0x01, 0x01, 0x80, 0x80, 0x00]
        w.bytes += randomBytes(count: 1024, seed: 5)
        return w.bytes
    }

    /// A POSIX ustar archive with a small C project.
    static func tar() -> [UInt8] {
        var w = Writer()
        let files: [(String, String)] = [
            ("repro/", ""),
            ("repro/main.c", "#include <stdio.h>\nint main(void) { puts(\"repro\"); return 0; }\n"),
            ("repro/Makefile", "repro: main.c\n\tcc -o repro main.c\n"),
        ]
        for (name, content) in files {
            var h = Writer()
            h.ascii(name)
            h.pad(to: 100)
            h.ascii(name.hasSuffix("/") ? "0000755\0" : "0000644\0")
            h.ascii("0001750\0")
            h.ascii("0001750\0")
            h.ascii(octal(content.utf8.count, width: 11) + "\0")
            h.ascii(octal(1_793_700_000, width: 11) + "\0")
            h.ascii("        ")  // checksum, computed below
            h.ascii(name.hasSuffix("/") ? "5" : "0")
            h.pad(to: 257)
            h.ascii("ustar\0" + "00")
            h.ascii("ann")
            h.pad(to: 297)
            h.ascii("ann")
            h.pad(to: 512)
            let sum = h.bytes.reduce(0) { $0 + Int($1) }
            let checksum = Array((octal(sum, width: 6) + "\0 ").utf8)
            h.bytes.replaceSubrange(148..<156, with: checksum)
            w.bytes += h.bytes
            w.ascii(content)
            w.pad(to: (w.bytes.count + 511) / 512 * 512)
        }
        w.zeros(1024)
        return w.bytes
    }

    static func octal(_ n: Int, width: Int) -> String {
        let s = String(n, radix: 8)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    /// gzip (RFC 1952) with the FNAME field and one stored deflate block (RFC 1951 §3.2.4).
    static func gzip(_ data: [UInt8], innerName: String) -> [UInt8] {
        var w = Writer()
        w.bytes += [0x1F, 0x8B, 0x08, 0x08]
        w.u32(1_793_700_000)
        w.u8(0)
        w.u8(3)  // Unix
        w.ascii(innerName + "\0")
        w.u8(1)  // BFINAL, stored
        w.u16(data.count)
        w.u16(~data.count & 0xFFFF)
        w.bytes += data
        w.u32(crc32(data))
        w.u32(data.count)
        return w.bytes
    }

    /// An OLE compound file (MS-CFB) with 512-byte sectors: header, one FAT sector and one
    /// directory sector whose root entry carries `clsid`.
    static func compoundFile(clsid: [UInt8]) -> [UInt8] {
        var w = Writer()
        w.bytes += [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
        w.zeros(16)
        w.u16(0x3E)
        w.u16(3)
        w.u16(0xFFFE)
        w.u16(9)  // sector shift: 512-byte sectors
        w.u16(6)
        w.zeros(6)
        w.u32(0)  // directory sectors (must be 0 for version 3)
        w.u32(1)  // FAT sectors
        w.u32(1)  // first directory sector
        w.u32(0)
        w.u32(4096)
        w.u32(Int(0xFFFF_FFFE))
        w.u32(0)
        w.u32(Int(0xFFFF_FFFE))
        w.u32(0)
        w.u32(0)  // DIFAT[0]: the FAT is sector 0
        while w.bytes.count < 512 { w.u32(Int(0xFFFF_FFFF)) }
        // Sector 0: the FAT.
        w.u32(Int(0xFFFF_FFFD))
        w.u32(Int(0xFFFF_FFFE))
        while w.bytes.count < 1024 { w.u32(Int(0xFFFF_FFFF)) }
        // Sector 1: the directory, root entry first.
        let rootName = Array("Root Entry".utf16)
        for unit in rootName { w.u16(Int(unit)) }
        w.pad(to: 1024 + 64)
        w.u16((rootName.count + 1) * 2)
        w.u8(5)  // root storage
        w.u8(1)
        w.u32(Int(0xFFFF_FFFF))
        w.u32(Int(0xFFFF_FFFF))
        w.u32(Int(0xFFFF_FFFF))
        w.bytes += clsid
        w.zeros(4 + 16)
        w.u32(Int(0xFFFF_FFFE))
        w.u64(0)
        for _ in 0..<3 {
            w.zeros(66)
            w.u8(0)
            w.u8(0)
            w.u32(Int(0xFFFF_FFFF))
            w.u32(Int(0xFFFF_FFFF))
            w.u32(Int(0xFFFF_FFFF))
            w.zeros(16 + 4 + 16 + 4 + 8)
        }
        return w.bytes
    }

    static func png() -> [UInt8] {
        var w = Writer()
        w.bytes += [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        w.u32be(13)
        w.ascii("IHDR")
        w.u32be(1280)
        w.u32be(800)
        w.bytes += [8, 6, 0, 0, 0]
        w.u32be(0x1A2B_3C4D)
        w.bytes += randomBytes(count: 2048, seed: 0x9)
        return w.bytes
    }

    /// Deterministic noise (a linear congruential generator), never starting with a known
    /// signature.
    static func randomBytes(count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        var out: [UInt8] = []
        out.reserveCapacity(count)
        for _ in 0..<count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            out.append(UInt8(truncatingIfNeeded: state >> 33))
        }
        out[0] = 0x00
        return out
    }

    static func crc32(_ data: [UInt8]) -> Int {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return Int(~crc)
    }
}
