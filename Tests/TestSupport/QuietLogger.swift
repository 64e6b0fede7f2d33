package import Logging

/// The logger every test gives the servers it starts: it drops everything, so test output stays readable.
package let quietLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
