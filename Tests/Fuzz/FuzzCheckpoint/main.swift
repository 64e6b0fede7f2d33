import CZlib
import Foundation
import FuzzSupport
import KerasFiles

// The checkpoint readers (zip, HDF5, Keras config JSON) on any bytes (docs/fuzzing.md).
//
// The input is read by what it starts with:
// - a zip (`PK\3\4`): every entry extracted, then the whole read as a `.keras` checkpoint;
// - HDF5: every object walked, its attributes read and its datasets read as tensors; then the whole read
//   as a legacy `.h5` checkpoint, and again as the `model.weights.h5` of a `.keras` archive around the
//   config.json of the LSTM fixture, so that the native weight reader sees it too;
// - anything else: parsed as JSON, then read as the config.json of a `.keras` archive around the fixture's
//   weights, so that the config reader and the weight checks see it.
// The check: no trap, and no error but `CheckpointError`, which the typed throws already guarantee; a
// memory blow-up is libFuzzer's `-rss_limit_mb` and `-malloc_limit_mb`, a hang its `-timeout`.

/// The `.keras` fixture whose entries surround a fuzzed one.
let fixture: ZipArchive = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../KerasFilesTests/Fixtures/lstm.keras").standardized
    guard let data = FileManager.default.contents(atPath: url.path), let archive = try? ZipArchive(bytes: [UInt8](data)) else {
        fatalError("cannot read the fixture \(url.path)")
    }
    return archive
}()

func fixtureEntry(_ name: String) -> [UInt8] {
    guard let bytes = try? fixture.data(for: name) else { fatalError("the fixture has no readable \(name)") }
    return bytes
}

let metadata = fixtureEntry("metadata.json")
let config = fixtureEntry("config.json")
let weights = fixtureEntry("model.weights.h5")

func check(_ bytes: [UInt8]) {
    if ZipArchive.hasSignature(bytes) {
        if let archive = try? ZipArchive(bytes: bytes) {
            for entry in archive.entries { _ = try? archive.data(for: entry) }
        }
        _ = try? KerasCheckpoint.load(bytes: bytes)
    } else if HDF5File.hasSignature(bytes) {
        if let file = try? HDF5File(bytes: bytes) { walk(file) }
        _ = try? KerasCheckpoint.load(bytes: bytes)
        _ = try? KerasCheckpoint.load(bytes: storedZip([("metadata.json", metadata), ("config.json", config), ("model.weights.h5", bytes)]))
    } else {
        _ = try? JSONValue.parse(bytes)
        _ = try? KerasCheckpoint.load(bytes: storedZip([("metadata.json", metadata), ("config.json", bytes), ("model.weights.h5", weights)]))
    }
}

/// Reads everything an HDF5 file holds through the package API.
func walk(_ file: HDF5File) {
    guard let paths = try? file.walk() else { return }
    for path in ["/"] + paths {
        _ = try? file.attributes(of: path)
        switch try? file.kind(of: path) {
        case .group: _ = try? file.links(of: path)
        case .dataset:
            _ = try? file.datasetInfo(path)
            _ = try? file.readTensor(path)
        default: break
        }
    }
}

/// A zip archive of stored (uncompressed) entries (APPNOTE 6.3 §4.3): local headers, central directory, end record.
func storedZip(_ entries: [(name: String, data: [UInt8])]) -> [UInt8] {
    var archive: [UInt8] = []
    var directory: [UInt8] = []
    func u16(_ value: Int, _ out: inout [UInt8]) { out += [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)] }
    func u32(_ value: UInt32, _ out: inout [UInt8]) { out += (0..<4).map { UInt8(value >> (8 * $0) & 0xFF) } }
    for (name, data) in entries {
        let crc = data.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
        let offset = UInt32(archive.count)
        // Local header: signature, version 2.0, flags, method 0, time, date, CRC, sizes, name and extra lengths.
        u32(0x0403_4B50, &archive)
        for field in [20, 0, 0, 0, 0] { u16(field, &archive) }
        for field in [crc, UInt32(data.count), UInt32(data.count)] { u32(field, &archive) }
        for field in [name.utf8.count, 0] { u16(field, &archive) }
        archive += Array(name.utf8) + data
        // Central record: as the local header, plus comment length, disk, attributes and the local header's offset.
        u32(0x0201_4B50, &directory)
        for field in [20, 20, 0, 0, 0, 0] { u16(field, &directory) }
        for field in [crc, UInt32(data.count), UInt32(data.count)] { u32(field, &directory) }
        for field in [name.utf8.count, 0, 0, 0, 0] { u16(field, &directory) }
        for field in [0, offset] { u32(field, &directory) }
        directory += Array(name.utf8)
    }
    let directoryOffset = UInt32(archive.count)
    archive += directory
    u32(0x0605_4B50, &archive)
    for field in [0, 0, entries.count, entries.count] { u16(field, &archive) }
    for field in [UInt32(directory.count), directoryOffset] { u32(field, &archive) }
    u16(0, &archive)
    return archive
}

FuzzMain.run(check)
