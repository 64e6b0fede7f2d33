/// A datatype message (spec §IV.A.2.d), reduced to what checkpoints use.
package struct HDF5Datatype: Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        case integer(signed: Bool)
        /// IEEE 754 binary16, binary32 or binary64.
        case float
        /// Fixed-length string; `padding` 0 = NUL-terminated, 1 = NUL-padded, 2 = space-padded.
        case fixedString(padding: UInt8)
        /// Variable-length string stored in the global heap.
        case variableString
        /// Any other class (compound, enum, array, reference, ...), by class number.
        case other(Int)
    }

    package let kind: Kind
    /// Size of one element in the file, in bytes.
    package let size: Int
    package let bigEndian: Bool

    static func parse(_ reader: inout ByteReader, file: HDF5File) throws(CheckpointError) -> HDF5Datatype {
        let classAndVersion = try reader.u8()
        let typeClass = Int(classAndVersion & 0x0F)
        let bits0 = try reader.u8()
        _ = try reader.u8()
        _ = try reader.u8()
        let size = Int(try reader.u32())
        let bigEndian = bits0 & 0x01 != 0
        switch typeClass {
        case 0:
            guard [1, 2, 4, 8].contains(size) else { throw .hdf5UnsupportedDatatype("\(size)-byte integer") }
            return HDF5Datatype(kind: .integer(signed: bits0 & 0x08 != 0), size: size, bigEndian: bigEndian)
        case 1:
            // Floating-point properties: bit offset, precision, exponent/mantissa location and size, bias.
            guard bits0 & 0x40 == 0 else { throw .hdf5UnsupportedDatatype("VAX byte order") }
            _ = try reader.u16()
            let precision = Int(try reader.u16())
            try reader.skip(1)
            let exponentSize = try reader.u8()
            try reader.skip(1)
            let mantissaSize = try reader.u8()
            let ieee: [Int: (Int, UInt8, UInt8)] = [2: (16, 5, 10), 4: (32, 8, 23), 8: (64, 11, 52)]
            guard let expected = ieee[size], expected == (precision, exponentSize, mantissaSize) else {
                throw .hdf5UnsupportedDatatype("\(size)-byte float with \(precision)-bit precision")
            }
            return HDF5Datatype(kind: .float, size: size, bigEndian: bigEndian)
        case 3:
            guard size > 0 else { throw .hdf5Corrupt("zero-length string datatype") }
            return HDF5Datatype(kind: .fixedString(padding: bits0 & 0x0F), size: size, bigEndian: false)
        case 9 where bits0 & 0x0F == 1:
            // Variable-length string: in the file each element is a length (4), heap address and index (4).
            return HDF5Datatype(kind: .variableString, size: 4 + file.offsetSize + 4, bigEndian: false)
        default:
            return HDF5Datatype(kind: .other(typeClass), size: size, bigEndian: bigEndian)
        }
    }

    /// Converts raw elements to `Float` (float16/32/64 in either byte order).
    func floats(_ raw: ArraySlice<UInt8>, context: String) throws(CheckpointError) -> [Float] {
        guard kind == .float else { throw .hdf5UnsupportedDatatype("\(context) holds \(kind) data, not floats") }
        let count = raw.count / size
        var result = [Float](repeating: 0, count: count)
        var index = raw.startIndex
        for element in 0..<count {
            var bits: UInt64 = 0
            for byte in 0..<size {
                let shift = bigEndian ? (size - 1 - byte) * 8 : byte * 8
                bits |= UInt64(raw[index + byte]) << UInt64(shift)
            }
            switch size {
            case 2: result[element] = Float(Float16(bitPattern: UInt16(truncatingIfNeeded: bits)))
            case 4: result[element] = Float(bitPattern: UInt32(truncatingIfNeeded: bits))
            default: result[element] = Float(Double(bitPattern: bits))
            }
            index += size
        }
        return result
    }

    /// Converts raw elements to `Double` (floats) for attribute values.
    func doubles(_ raw: ArraySlice<UInt8>, context: String) throws(CheckpointError) -> [Double] {
        if size == 8, kind == .float {
            var result: [Double] = []
            var index = raw.startIndex
            while index + 8 <= raw.endIndex {
                var bits: UInt64 = 0
                for byte in 0..<8 { bits |= UInt64(raw[index + byte]) << UInt64(bigEndian ? (7 - byte) * 8 : byte * 8) }
                result.append(Double(bitPattern: bits))
                index += 8
            }
            return result
        }
        return try floats(raw, context: context).map(Double.init)
    }

    /// Converts raw integer elements to `Int64`; unsigned 64-bit values above `Int64.max` are refused.
    func integers(_ raw: ArraySlice<UInt8>, context: String) throws(CheckpointError) -> [Int64] {
        guard case .integer(let signed) = kind else { throw .hdf5UnsupportedDatatype("\(context) is not an integer") }
        var result: [Int64] = []
        var index = raw.startIndex
        while index + size <= raw.endIndex {
            var bits: UInt64 = 0
            for byte in 0..<size { bits |= UInt64(raw[index + byte]) << UInt64(bigEndian ? (size - 1 - byte) * 8 : byte * 8) }
            let bitCount = UInt64(size * 8)
            if signed, bitCount < 64, bits & (1 << (bitCount - 1)) != 0 {
                bits |= ~((1 << bitCount) - 1)  // sign-extend
            }
            if !signed, bits > UInt64(Int64.max) { throw .hdf5UnsupportedDatatype("\(context) holds an unsigned value above Int64.max") }
            result.append(Int64(bitPattern: bits))
            index += size
        }
        return result
    }
}
