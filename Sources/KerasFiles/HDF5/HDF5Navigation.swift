/// What an object header describes.
package enum HDF5ObjectKind: Sendable, Equatable {
    case group, dataset, other
}

extension HDF5File {
    /// Splits a slash-separated path, dropping empty and "." components.
    static func components(_ path: String) -> [String] {
        path.split(separator: "/").map(String.init).filter { $0 != "." }
    }

    /// The object header address that `path` leads to, following hard and soft links. Soft-link chains
    /// longer than `limits.maxDepth` hops (including cycles) throw `cyclicLinks`.
    func resolve(_ path: String) throws(CheckpointError) -> UInt64 {
        var current = rootAddress
        var queue = Array(Self.components(path).reversed())
        var softHops = 0
        var steps = 0
        while let name = queue.popLast() {
            steps += 1
            guard steps <= limits.maxStructures else { throw .tooDeep("path '\(path)'") }
            let header = try objectHeader(at: current)
            guard header.isGroup else { throw .hdf5NotFound("\(path) ('\(name)' is looked up in a non-group)") }
            guard let link = try links(of: header, path: path).first(where: { $0.name == name })?.link else {
                throw .hdf5NotFound(path)
            }
            switch link {
            case .hard(let address):
                current = address
            case .soft(let target):
                softHops += 1
                guard softHops <= limits.maxDepth else { throw .cyclicLinks(path) }
                if target.hasPrefix("/") { current = rootAddress }
                queue.append(contentsOf: Self.components(target).reversed())
                guard queue.count <= limits.maxDepth * 4 else { throw .cyclicLinks(path) }
            case .external(let target):
                throw .hdf5Unsupported("external link '\(path)' → \(target)")
            }
        }
        return current
    }

    func header(at path: String) throws(CheckpointError) -> HDF5ObjectHeader { try objectHeader(at: try resolve(path)) }

    /// Whether `path` names a group, a dataset or something else. Throws `hdf5NotFound` if nothing is there.
    package func kind(of path: String) throws(CheckpointError) -> HDF5ObjectKind {
        let header = try header(at: path)
        return header.isDataset ? .dataset : header.isGroup ? .group : .other
    }

    /// True when `path` resolves to an object (a dangling or cyclic soft link counts as absent).
    package func exists(_ path: String) -> Bool { (try? resolve(path)) != nil }

    /// The names of the links in the group at `path`, sorted.
    package func childNames(of path: String) throws(CheckpointError) -> [String] {
        let header = try header(at: path)
        guard header.isGroup else { throw .hdf5NotFound("\(path) is not a group") }
        return try links(of: header, path: path).map(\.name)
    }

    /// The links in the group at `path` (sorted by name), without following them.
    package func links(of path: String) throws(CheckpointError) -> [(name: String, link: HDF5Link)] {
        let header = try header(at: path)
        guard header.isGroup else { throw .hdf5NotFound("\(path) is not a group") }
        return try links(of: header, path: path)
    }

    /// Paths of every object reachable from `path` through hard links, depth first, each object once.
    /// A hard link back to an ancestor group throws `cyclicLinks`; soft links are listed but not followed.
    package func walk(from path: String = "/") throws(CheckpointError) -> [String] {
        var visited: Set<UInt64> = []
        var result: [String] = []
        try walk(address: try resolve(path), path: path == "/" ? "" : path, ancestors: [], depth: 0, visited: &visited, result: &result)
        return result
    }

    private func walk(
        address: UInt64, path: String, ancestors: Set<UInt64>, depth: Int, visited: inout Set<UInt64>, result: inout [String]
    ) throws(CheckpointError) {
        guard depth <= limits.maxDepth else { throw .tooDeep("group nesting at '\(path)'") }
        let header = try objectHeader(at: address)
        guard header.isGroup else { return }
        var inside = ancestors
        inside.insert(address)
        for (name, link) in try links(of: header, path: path) {
            let child = path + "/" + name
            guard case .hard(let target) = link else {
                result.append(child)
                continue
            }
            guard !inside.contains(target) else { throw .cyclicLinks(child) }
            guard visited.insert(target).inserted else { continue }
            guard visited.count <= limits.maxStructures else {
                throw .tooLarge(what: "object count", size: UInt64(visited.count), limit: UInt64(limits.maxStructures))
            }
            result.append(child)
            try walk(address: target, path: child, ancestors: inside, depth: depth + 1, visited: &visited, result: &result)
        }
    }
}
