/// A model-side batch that advances in steps, with rows joining and leaving between steps:
/// what ``ContinuousBatcher`` schedules. One worker owns each batch; it is never shared.
public protocol SteppedBatch: AnyObject, SendableMetatype {
    associatedtype Input: Sendable
    associatedtype Output: Sendable

    /// Most rows at once.
    var capacity: Int { get }
    /// Rows in the batch now, including any that will leave at the next step.
    var count: Int { get }
    /// Adds a row that joins at the next step. Called only while `count < capacity`.
    func add(_ input: Input, tag: Int)
    /// Advances every row one step; each row that finishes is reported once, with its output
    /// and the most rows that shared a step with it, and leaves the batch.
    func step(_ finished: (_ tag: Int, _ output: Output, _ rows: Int) -> Void)
}
