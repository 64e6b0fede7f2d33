/// A failure that is not a usage mistake: printed as `Error: <message>`, exit status 1, no usage text.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
