/// A first-in, first-out queue of items that each carry a deadline, taken from the front; an item
/// met after its deadline is set aside as expired instead of taken. Both batchers queue with it.
struct DeadlineQueue<Item> {
    private struct Entry {
        let item: Item
        let deadline: UInt64
        let enqueued: UInt64
    }

    private var entries: [Entry] = []
    private var head = 0

    /// Items waiting.
    var count: Int { entries.count - head }

    /// When the item at the front was queued, if there is one.
    var frontEnqueued: UInt64? { head < entries.count ? entries[head].enqueued : nil }

    mutating func append(_ item: Item, deadline: UInt64, enqueued: UInt64) {
        entries.append(Entry(item: item, deadline: deadline, enqueued: enqueued))
    }

    /// Up to `limit` live items from the front, in order; expired ones met on the way go to `expired`.
    mutating func take(_ limit: Int, now: UInt64, expired: inout [Item]) -> [Item] {
        var taken: [Item] = []
        taken.reserveCapacity(min(limit, count))
        while taken.count < limit && head < entries.count {
            let entry = entries[head]
            head += 1
            if entry.deadline <= now { expired.append(entry.item) } else { taken.append(entry.item) }
        }
        compact()
        return taken
    }

    /// Moves expired items at the front to `expired`, stopping at the first live one.
    mutating func dropExpiredFront(now: UInt64, expired: inout [Item]) {
        while head < entries.count && entries[head].deadline <= now {
            expired.append(entries[head].item)
            head += 1
        }
        compact()
    }

    /// Drops taken entries: all of them once the queue is empty, else in bulk when they are most of it.
    private mutating func compact() {
        if head == entries.count {
            entries.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1_024 && head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
    }
}
