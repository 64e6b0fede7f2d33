/// A dataset's description: shape, element type and storage.
package struct HDF5DatasetInfo: Sendable {
    package let shape: [Int]
    package let datatype: HDF5Datatype
    let layout: HDF5DataLayout
    let filters: [HDF5Filter]
}

extension HDF5File {
    /// Shape, datatype and layout of the dataset at `path`.
    package func datasetInfo(_ path: String) throws(CheckpointError) -> HDF5DatasetInfo {
        let header = try header(at: path)
        typealias Type = HDF5ObjectHeader.MessageType
        guard let layoutMessage = header.first(Type.dataLayout) else { throw .hdf5NotFound("\(path) is not a dataset") }
        guard let spaceMessage = header.first(Type.dataspace), let typeMessage = header.first(Type.datatype) else {
            throw .hdf5Corrupt("dataset '\(path)' lacks a dataspace or datatype message")
        }
        guard typeMessage.flags & 0x02 == 0 else { throw .hdf5Unsupported("shared (committed) datatype of '\(path)'") }
        var typeReader = try reader(for: typeMessage, context: "datatype of '\(path)'")
        let datatype = try HDF5Datatype.parse(&typeReader, file: self)
        var spaceReader = try reader(for: spaceMessage, context: "dataspace of '\(path)'")
        let dataspace = try HDF5Dataspace.parse(&spaceReader, file: self)
        var layoutReader = try reader(for: layoutMessage, context: "data layout of '\(path)'")
        let layout = try HDF5DataLayout.parse(&layoutReader, file: self, dataset: path)
        var filters: [HDF5Filter] = []
        if let pipeline = header.first(Type.filterPipeline) {
            var pipelineReader = try reader(for: pipeline, context: "filter pipeline of '\(path)'")
            filters = try HDF5Filter.parsePipeline(&pipelineReader)
        }
        return HDF5DatasetInfo(shape: dataspace.isNull ? [0] : dataspace.dimensions, datatype: datatype, layout: layout, filters: filters)
    }

    /// Reads the float dataset at `path` (float16, float32 or float64, either byte order) as float32 values.
    /// Storage that was never written (undefined address) reads as zeros, HDF5's default fill value.
    package func readTensor(_ path: String) throws(CheckpointError) -> Tensor {
        let info = try datasetInfo(path)
        guard info.datatype.kind == .float else {
            throw .hdf5UnsupportedDatatype("dataset '\(path)' holds \(info.datatype.kind) values, a tensor needs floats")
        }
        let count = try Checked.elementCount(info.shape, limit: limits.maxTensorElements, what: "dataset '\(path)'")
        let elementSize = info.datatype.size
        let byteCount = try Checked.multiply(count, elementSize, "dataset '\(path)' size")

        let values: [Float]
        switch info.layout {
        case .compact(let start, let size):
            guard size >= byteCount else { throw .hdf5Corrupt("compact dataset '\(path)' holds \(size) bytes, needs \(byteCount)") }
            var reader = try ByteReader(bytes, at: start, count: byteCount, context: "compact data of '\(path)'")
            values = try info.datatype.floats(try reader.read(byteCount), context: path)
        case .contiguous(let address, let size):
            if isUndefined(address) {
                values = [Float](repeating: 0, count: count)
            } else {
                guard size >= byteCount else { throw .hdf5Corrupt("contiguous dataset '\(path)' holds \(size) bytes, needs \(byteCount)") }
                var reader = try reader(at: address, count: byteCount, context: "contiguous data of '\(path)'")
                values = try info.datatype.floats(try reader.read(byteCount), context: path)
            }
        case .chunked(let chunk, let index):
            values = try readChunked(path, info: info, chunk: chunk, index: index, count: count)
        }
        return Tensor(shape: info.shape, values: values)
    }

    private func readChunked(
        _ path: String, info: HDF5DatasetInfo, chunk: [Int], index: HDF5DataLayout.ChunkIndex, count: Int
    ) throws(CheckpointError) -> [Float] {
        let shape = info.shape
        guard chunk.count == shape.count, !shape.isEmpty else {
            throw .hdf5Corrupt("chunk rank \(chunk.count) of '\(path)' does not match dataset rank \(shape.count)")
        }
        let chunkElements = try Checked.elementCount(chunk, limit: limits.maxTensorElements, what: "chunk of '\(path)'")
        let chunkBytes = try Checked.multiply(chunkElements, info.datatype.size, "chunk size of '\(path)'")
        let chunks = try chunkLocations(path, shape: shape, chunk: chunk, chunkBytes: chunkBytes, index: index)
        var values = [Float](repeating: 0, count: count)
        guard count > 0 else { return values }

        var strides = [Int](repeating: 1, count: shape.count)
        var chunkStrides = [Int](repeating: 1, count: shape.count)
        for axis in stride(from: shape.count - 2, through: 0, by: -1) {
            strides[axis] = strides[axis + 1] * shape[axis + 1]
            chunkStrides[axis] = chunkStrides[axis + 1] * chunk[axis + 1]
        }
        for location in chunks where !isUndefined(location.address) {
            guard location.offsets.count == shape.count,
                zip(location.offsets, zip(shape, chunk)).allSatisfy({ $0 >= 0 && $0 < $1.0 && $0 % $1.1 == 0 })
            else { throw .hdf5Corrupt("chunk offset \(location.offsets) outside dataset '\(path)' of shape \(shape)") }
            var reader = try reader(at: location.address, count: location.size, context: "chunk of '\(path)'")
            let stored = try reader.read(location.size)
            let raw = try HDF5Filter.decode(
                stored, filters: info.filters, mask: location.filterMask, expectedSize: chunkBytes, elementSize: info.datatype.size, dataset: path)
            let chunkValues = try info.datatype.floats(raw, context: path)
            copy(chunkValues, chunk: chunk, chunkStrides: chunkStrides, offsets: location.offsets, shape: shape, strides: strides, into: &values)
        }
        return values
    }

    /// Copies the part of one chunk that lies inside the dataset into the row-major output.
    private func copy(
        _ source: [Float], chunk: [Int], chunkStrides: [Int], offsets: [Int], shape: [Int], strides: [Int], into values: inout [Float]
    ) {
        let rank = shape.count
        let extent = (0..<rank).map { min(chunk[$0], shape[$0] - offsets[$0]) }
        let rowLength = extent[rank - 1]
        var position = [Int](repeating: 0, count: rank)  // index within the chunk; last axis stays 0
        while true {
            var sourceStart = 0
            var destinationStart = 0
            for axis in 0..<rank {
                sourceStart += position[axis] * chunkStrides[axis]
                destinationStart += (offsets[axis] + position[axis]) * strides[axis]
            }
            for element in 0..<rowLength { values[destinationStart + element] = source[sourceStart + element] }
            var axis = rank - 2
            while axis >= 0 {
                position[axis] += 1
                if position[axis] < extent[axis] { break }
                position[axis] = 0
                axis -= 1
            }
            if axis < 0 { return }
        }
    }
}
