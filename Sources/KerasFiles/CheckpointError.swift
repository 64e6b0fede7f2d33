/// Everything that can go wrong while reading a checkpoint. Each case names the part of the file at fault;
/// `description` is a one-line human-readable message.
package enum CheckpointError: Error, Equatable, CustomStringConvertible {
    /// A read ran past the end of the file or of the structure being parsed (`context` names the structure).
    case truncated(String)
    /// The bytes are neither a zip archive nor an HDF5 file, or lack the Keras entries/attributes.
    case notAKerasFile(String)
    /// The file could not be read from disk.
    case io(String)

    /// The zip archive is damaged (bad signature, inconsistent headers, ...).
    case zipCorrupt(String)
    /// An entry's CRC-32 does not match its data.
    case zipCRCMismatch(entry: String, expected: UInt32, actual: UInt32)
    /// A required entry (e.g. `config.json`) is absent.
    case zipMissingEntry(String)
    /// The entry uses a compression method other than stored (0) or deflate (8).
    case unsupportedZipCompression(entry: String, method: UInt16)
    /// Zip64, encryption or multi-disk archives.
    case unsupportedZipFeature(String)
    /// A deflate stream (zip entry or HDF5 chunk) failed to decompress.
    case inflateFailed(String)

    /// An HDF5 structure lacks its signature (`structure` at byte `address`).
    case hdf5BadSignature(structure: String, address: UInt64)
    /// An HDF5 structure has a version this reader does not know.
    case hdf5UnsupportedVersion(structure: String, version: Int)
    /// An HDF5 structure holds inconsistent values.
    case hdf5Corrupt(String)
    /// No object, link or attribute at this path.
    case hdf5NotFound(String)
    /// The HDF5 datatype cannot be read as requested (e.g. integers where floats are needed).
    case hdf5UnsupportedDatatype(String)
    /// A storage feature this reader does not implement (dense link storage, extensible-array chunk index, ...).
    case hdf5Unsupported(String)
    /// A filter other than deflate (1), shuffle (2) or Fletcher-32 (3).
    case hdf5UnsupportedFilter(id: UInt16, dataset: String)

    /// Links, B-tree nodes or header continuations loop back on themselves.
    case cyclicLinks(String)
    /// Nesting deeper than `CheckpointLimits.maxDepth`.
    case tooDeep(String)
    /// A size in the file exceeds a `CheckpointLimits` value or the bytes available.
    case tooLarge(what: String, size: UInt64, limit: UInt64)

    /// JSON text (config.json, metadata.json, model_config) is malformed.
    case invalidJSON(String)
    /// The model config is valid JSON but not a Keras model config this reader understands.
    case invalidConfig(String)
    /// A layer that should have weights has none in the file.
    case missingWeights(layer: String)
    /// A weight tensor's shape disagrees with the layer config.
    case shapeMismatch(layer: String, weight: String, expected: [Int], actual: [Int])
    /// Anything else this reader deliberately does not handle.
    case unsupported(String)

    package var description: String {
        switch self {
        case .truncated(let context): "file truncated while reading \(context)"
        case .notAKerasFile(let why): "not a Keras checkpoint: \(why)"
        case .io(let why): "cannot read file: \(why)"
        case .zipCorrupt(let why): "corrupt zip archive: \(why)"
        case .zipCRCMismatch(let entry, let expected, let actual):
            "zip entry '\(entry)' fails its CRC-32 check (expected \(hex(expected)), got \(hex(actual)))"
        case .zipMissingEntry(let name): "zip archive has no entry '\(name)'"
        case .unsupportedZipCompression(let entry, let method):
            "zip entry '\(entry)' uses unsupported compression method \(method) (only stored and deflate)"
        case .unsupportedZipFeature(let what): "unsupported zip feature: \(what)"
        case .inflateFailed(let what): "deflate data is corrupt: \(what)"
        case .hdf5BadSignature(let structure, let address): "HDF5 \(structure) at byte \(address) has a bad signature"
        case .hdf5UnsupportedVersion(let structure, let version): "HDF5 \(structure) version \(version) is not supported"
        case .hdf5Corrupt(let why): "corrupt HDF5 file: \(why)"
        case .hdf5NotFound(let path): "HDF5 file has nothing at '\(path)'"
        case .hdf5UnsupportedDatatype(let why): "unsupported HDF5 datatype: \(why)"
        case .hdf5Unsupported(let what): "unsupported HDF5 feature: \(what)"
        case .hdf5UnsupportedFilter(let id, let dataset): "HDF5 dataset '\(dataset)' uses unsupported filter \(id)"
        case .cyclicLinks(let path): "HDF5 links form a cycle at '\(path)'"
        case .tooDeep(let what): "nesting too deep: \(what)"
        case .tooLarge(let what, let size, let limit): "\(what) is too large (\(size), limit \(limit))"
        case .invalidJSON(let why): "invalid JSON: \(why)"
        case .invalidConfig(let why): "invalid Keras model config: \(why)"
        case .missingWeights(let layer): "layer '\(layer)' has no weights in the checkpoint"
        case .shapeMismatch(let layer, let weight, let expected, let actual):
            "layer '\(layer)' weight '\(weight)' has shape \(actual), config implies \(expected)"
        case .unsupported(let what): "unsupported checkpoint: \(what)"
        }
    }
}

private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
