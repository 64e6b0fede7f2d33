import CLSTMKernel

/// An immutable open-addressing hash table from UTF-8 byte strings to ids.
///
/// Looking a token up by its bytes avoids building a `String` per token and hashing it with
/// Unicode-aware equality; byte equality is also exactly Python's `str` equality for the
/// tokenizer's output. Each slot holds its word's first eight bytes, which for nine tokens in
/// ten of real reviews are the whole word: the hash is a multiply of those bytes instead of a
/// byte-by-byte loop, and the comparison is one integer compare instead of a second memory
/// access. Bytes past the eighth live back to back in one arena.
struct WordTable: Sendable {
    /// 16 bytes, so 4 slots share a cache line and the table of the bundled 10,000-word
    /// vocabulary (16,384 slots) takes 256 KB: it stays in L2 next to the model's tables.
    fileprivate struct Slot: Sendable {
        /// The word's first eight bytes, zero-padded (see ``WordTable/chunk(_:at:)``).
        var prefix: UInt64 = 0
        var length: Int32 = -1  // -1: empty
        var id: Int32 = 0
    }

    private let slots: [Slot]
    /// The bytes past the eighth of every longer word, back to back.
    private let arena: [UInt8]
    /// Indexed by id: where the word's bytes past the eighth start in `arena`.
    private let tailOffsets: [UInt32]
    private let mask: Int

    /// Builds the table; `words[k]` gets id `k` for every `k >= firstID` (lower ids are reserved names).
    /// Returns nil on a duplicate word, with the id where it repeats in `duplicate`.
    /// - Precondition: the words take at most `UInt32.max` bytes (checked by ``Vocabulary``).
    init?(words: [String], firstID: Int, duplicate: inout Int?) {
        // Load factor at most 3/4: linear probing stays short, and the table small.
        var capacity = 16
        while capacity * 3 < (words.count - firstID) * 4 { capacity *= 2 }
        var slots = [Slot](repeating: Slot(), count: capacity)
        var arena: [UInt8] = []
        var tailOffsets = [UInt32](repeating: 0, count: words.count)
        let mask = capacity - 1
        for id in firstID..<words.count {
            let bytes = Array(words[id].utf8)
            tailOffsets[id] = UInt32(arena.count)
            arena.append(contentsOf: bytes.dropFirst(8))
            let found = bytes.withUnsafeBufferPointer { bytes in
                arena.withUnsafeBufferPointer { arena in
                    slots.withUnsafeBufferPointer { slots in
                        tailOffsets.withUnsafeBufferPointer { tailOffsets in
                            Lookup(slots: slots, arena: arena, tailOffsets: tailOffsets, mask: mask).probe(bytes)
                        }
                    }
                }
            }
            switch found {
            case .found:
                duplicate = id
                return nil
            case .empty(let index, let prefix):
                slots[index] = Slot(prefix: prefix, length: Int32(bytes.count), id: Int32(id))
            }
        }
        self.slots = slots
        self.arena = arena
        self.tailOffsets = tailOffsets
        self.mask = mask
    }

    /// The id of `bytes`, or nil.
    func id(of bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        withLookup { $0.id(of: bytes) }
    }

    /// Calls `body` with a view of the table that looks words up without reference counting; valid only inside `body`.
    func withLookup<R>(_ body: (Lookup) -> R) -> R {
        slots.withUnsafeBufferPointer { slots in
            arena.withUnsafeBufferPointer { arena in
                tailOffsets.withUnsafeBufferPointer { tailOffsets in
                    body(Lookup(slots: slots, arena: arena, tailOffsets: tailOffsets, mask: mask))
                }
            }
        }
    }

    /// The table's storage as plain pointers, for a run of lookups (a whole review).
    struct Lookup {
        fileprivate enum Probe {
            case found(id: Int32)
            /// Not present; `index` is the empty slot where it would go.
            case empty(index: Int, prefix: UInt64)
        }

        fileprivate let slots: UnsafeBufferPointer<Slot>
        fileprivate let arena: UnsafeBufferPointer<UInt8>
        fileprivate let tailOffsets: UnsafeBufferPointer<UInt32>
        fileprivate let mask: Int

        /// The id of `bytes`, or nil.
        @inline(__always)
        func id(of bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
            if case .found(let id) = probe(bytes) { return id }
            return nil
        }

        /// The first half of looking up a token from ``Tokenizer/withTokens(in:_:)``, whose
        /// first eight bytes are readable whatever its length, so its prefix is one load: finds
        /// the slot where the search starts and asks for that slot's cache line. ``finish(_:)``
        /// then finds it in cache if enough other work came between the two.
        @inline(__always)
        func start(_ token: UnsafeBufferPointer<UInt8>) -> StartedLookup {
            let loaded = UInt64(littleEndian: UnsafeRawPointer(token.baseAddress!).loadUnaligned(as: UInt64.self))
            let prefix = loaded & (UInt64.max >> (64 - 8 * UInt64(min(token.count, 8))))
            let home = home(of: token, prefix: prefix)
            lstm_prefetch_for_reading(slots.baseAddress! + home)
            return StartedLookup(token: token, prefix: prefix, home: home)
        }

        /// The id of the token of a lookup ``start(_:)`` began, or nil; the token's bytes must still be valid.
        @inline(__always)
        func finish(_ lookup: StartedLookup) -> Int32? {
            if case .found(let id) = probe(lookup.token, prefix: lookup.prefix, from: lookup.home) { return id }
            return nil
        }

        fileprivate func probe(_ bytes: UnsafeBufferPointer<UInt8>) -> Probe {
            let prefix = WordTable.chunk(bytes, at: 0)
            return probe(bytes, prefix: prefix, from: home(of: bytes, prefix: prefix))
        }

        /// The slot `bytes` hashes to, where its search starts.
        @inline(__always)
        private func home(of bytes: UnsafeBufferPointer<UInt8>, prefix: UInt64) -> Int {
            Int(truncatingIfNeeded: WordTable.hash(bytes, prefix: prefix)) & mask
        }

        /// Linear probing from `home`, the slot `bytes` hashes to.
        @inline(__always)
        private func probe(_ bytes: UnsafeBufferPointer<UInt8>, prefix: UInt64, from home: Int) -> Probe {
            var index = home
            while true {
                let slot = slots[index]
                if slot.length < 0 { return .empty(index: index, prefix: prefix) }
                if slot.prefix == prefix && Int(slot.length) == bytes.count && tailMatches(bytes, id: slot.id) {
                    return .found(id: slot.id)
                }
                index = (index + 1) & mask
            }
        }

        /// Whether the bytes of `bytes` past the eighth equal those of word `id` (same length assumed).
        @inline(__always)
        private func tailMatches(_ bytes: UnsafeBufferPointer<UInt8>, id: Int32) -> Bool {
            guard bytes.count > 8 else { return true }
            let start = Int(tailOffsets[Int(id)])
            for index in 8..<bytes.count where arena[start + index - 8] != bytes[index] { return false }
            return true
        }
    }

    /// A lookup half done (see ``Lookup/start(_:)``): the token, its first eight bytes as
    /// ``Slot/prefix`` holds them, and the slot where its search starts.
    struct StartedLookup {
        fileprivate let token: UnsafeBufferPointer<UInt8>
        fileprivate let prefix: UInt64
        fileprivate let home: Int
    }

    /// Up to eight bytes of `bytes` from `offset`, as a little-endian integer, zero-padded: words
    /// that differ in their first eight bytes (lengths equal) give different values.
    @inline(__always)
    static func chunk(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt64 {
        let available = bytes.count - offset
        guard available > 0, let base = bytes.baseAddress else { return 0 }
        if available >= 8 {
            return UInt64(littleEndian: UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self))
        }
        var value: UInt64 = 0
        for index in 0..<available { value |= UInt64(base[offset + index]) << (8 * index) }
        return value
    }

    /// Multiply–xorshift over the length and each eight-byte chunk (`prefix` is chunk 0).
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>, prefix: UInt64) -> UInt64 {
        var hash = mix(prefix ^ (UInt64(truncatingIfNeeded: bytes.count) &* 0x9E37_79B9_7F4A_7C15))
        var offset = 8
        while offset < bytes.count {
            hash = mix(hash ^ chunk(bytes, at: offset))
            offset += 8
        }
        return hash
    }

    @inline(__always)
    private static func mix(_ value: UInt64) -> UInt64 {
        let product = value &* 0xD6E8_FEB8_6659_FD93
        return product ^ (product >> 32)
    }
}
