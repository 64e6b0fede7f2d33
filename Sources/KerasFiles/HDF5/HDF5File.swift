/// A read-only HDF5 file parsed natively from its bytes (HDF5 File Format Specification 3.0).
///
/// Handles superblock versions 0–3, object header versions 1 and 2 with continuation blocks, old-style
/// (symbol table) groups, new-style groups with compact (link messages) or dense (fractal heap + v2 B-tree)
/// storage, hard and soft links, compact and dense attributes, and float datasets with compact, contiguous
/// and chunked layouts (v1 B-tree, single-chunk, implicit and fixed-array chunk indexes; deflate, shuffle and
/// Fletcher-32 filters).
/// Every structure is bounds-checked against the bytes present and `CheckpointLimits`.
package struct HDF5File: Sendable {
    /// The 8-byte format signature (spec §III.A).
    static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    let bytes: [UInt8]
    package let limits: CheckpointLimits
    /// 0 or 1 for files written with h5py's default `libver`, 2 or 3 for `libver='latest'`.
    package let superblockVersion: Int
    /// Size of file addresses ("offsets") in bytes: 2, 4 or 8.
    let offsetSize: Int
    /// Size of lengths in bytes: 2, 4 or 8.
    let lengthSize: Int
    /// Absolute byte position that file addresses are relative to.
    let baseAddress: Int
    let rootAddress: UInt64
    /// Symbol table nodes hold at most `2 * groupLeafK` entries (superblock v0/v1; 4 is the library default).
    let groupLeafK: Int

    /// True when the HDF5 signature is at byte 0 (files with a user block are still opened by `init`).
    package static func hasSignature(_ bytes: [UInt8]) -> Bool { bytes.starts(with: signature) }

    package init(bytes: [UInt8], limits: CheckpointLimits = .init()) throws(CheckpointError) {
        guard bytes.count <= limits.maxFileBytes else {
            throw .tooLarge(what: "HDF5 file", size: UInt64(bytes.count), limit: UInt64(limits.maxFileBytes))
        }
        // The superblock is at byte 0 or after a user block of 512, 1024, 2048, ... bytes (spec §III.A).
        var start = 0
        while !bytes[start...].starts(with: Self.signature) {
            start = start == 0 ? 512 : start * 2
            guard start < bytes.count else { throw .notAKerasFile("no HDF5 superblock signature") }
        }
        var reader = try ByteReader(bytes, at: start + 8, context: "HDF5 superblock")
        var endOfFile: UInt64 = 0
        let version = Int(try reader.u8())
        self.bytes = bytes
        self.limits = limits
        self.superblockVersion = version
        switch version {
        case 0, 1:
            // Spec §III.A.1, superblock versions 0 and 1.
            try reader.skip(4)  // free-space, root symbol table entry, reserved, shared header versions
            offsetSize = Int(try reader.u8())
            lengthSize = Int(try reader.u8())
            try reader.skip(1)  // reserved
            groupLeafK = Int(try reader.u16())
            try reader.skip(2 + 4)  // group internal node K, consistency flags
            guard groupLeafK > 0 else { throw .hdf5Corrupt("superblock group leaf node K is 0") }
            if version == 1 { try reader.skip(4) }  // indexed storage internal node K, reserved
            try Self.checkSizes(offsetSize, lengthSize)
            baseAddress = try Self.base(try reader.uint(size: offsetSize), fileSize: bytes.count)
            try reader.skip(offsetSize)  // free-space info address
            endOfFile = try reader.uint(size: offsetSize)
            try reader.skip(offsetSize)  // driver info block address
            // Root group symbol table entry (spec §III.C): link name offset, then object header address.
            try reader.skip(offsetSize)
            rootAddress = try reader.uint(size: offsetSize)
        case 2, 3:
            // Spec §III.A.2, superblock versions 2 and 3.
            offsetSize = Int(try reader.u8())
            lengthSize = Int(try reader.u8())
            groupLeafK = 4
            try reader.skip(1)  // file consistency flags
            try Self.checkSizes(offsetSize, lengthSize)
            baseAddress = try Self.base(try reader.uint(size: offsetSize), fileSize: bytes.count)
            try reader.skip(offsetSize)  // superblock extension address
            endOfFile = try reader.uint(size: offsetSize)
            rootAddress = try reader.uint(size: offsetSize)
        default:
            throw .hdf5UnsupportedVersion(structure: "superblock", version: version)
        }
        // Like libhdf5, refuse a file shorter than the end-of-file address its superblock records.
        guard endOfFile <= UInt64(bytes.count - baseAddress) else {
            throw .truncated("HDF5 file: the superblock records \(endOfFile) bytes, only \(bytes.count - baseAddress) are present")
        }
    }

    private static func checkSizes(_ offsetSize: Int, _ lengthSize: Int) throws(CheckpointError) {
        guard [2, 4, 8].contains(offsetSize), [2, 4, 8].contains(lengthSize) else {
            throw .hdf5Corrupt("superblock declares \(offsetSize)-byte offsets and \(lengthSize)-byte lengths")
        }
    }

    private static func base(_ address: UInt64, fileSize: Int) throws(CheckpointError) -> Int {
        guard address < UInt64(fileSize) else { throw .hdf5Corrupt("base address \(address) is past the end of the file") }
        return Int(address)
    }

    // MARK: Addresses

    /// True for the "undefined address" (all bits set).
    func isUndefined(_ address: UInt64) -> Bool {
        offsetSize == 8 ? address == .max : address == (UInt64(1) << UInt64(8 * offsetSize)) - 1
    }

    /// A reader positioned at file address `address`, optionally limited to `count` bytes.
    func reader(at address: UInt64, count: Int? = nil, context: String) throws(CheckpointError) -> ByteReader {
        guard !isUndefined(address), address < UInt64(bytes.count) else { throw .truncated("\(context) at address \(address)") }
        let position = baseAddress + Int(address)
        return try ByteReader(bytes, at: position, count: count, context: "\(context) at address \(address)")
    }

    func readAddress(_ reader: inout ByteReader) throws(CheckpointError) -> UInt64 { try reader.uint(size: offsetSize) }

    func readLength(_ reader: inout ByteReader, what: String) throws(CheckpointError) -> Int {
        try reader.int(size: lengthSize, what: what)
    }

    /// Checks a 4-byte structure signature such as "TREE" or "OHDR".
    func expectSignature(_ reader: inout ByteReader, _ name: String, address: UInt64) throws(CheckpointError) {
        guard try reader.expect(Array(name.utf8)) else { throw .hdf5BadSignature(structure: name, address: address) }
    }
}
