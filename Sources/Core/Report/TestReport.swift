import Foundation

/// A JUnit-shaped result tree, independent of the XML that carries it.
public struct TestReport: Sendable, Equatable {
    public var name: String
    public var suites: [TestSuite]

    public init(name: String, suites: [TestSuite] = []) {
        self.name = name
        self.suites = suites
    }

    public var tests: Int { suites.reduce(0) { $0 + $1.cases.count } }
    public var failures: Int { suites.reduce(0) { $0 + $1.failures } }
    public var errors: Int { suites.reduce(0) { $0 + $1.errors } }
    public var skipped: Int { suites.reduce(0) { $0 + $1.skipped } }
    public var time: Double { suites.reduce(0) { $0 + $1.time } }
}

public struct TestSuite: Sendable, Equatable {
    public var name: String
    public var timestamp: Date
    public var hostname: String
    public var properties: [(name: String, value: String)]
    public var cases: [TestCase]
    public var systemOut: String
    public var systemErr: String

    public init(name: String, timestamp: Date, hostname: String = "omnisim",
                properties: [(name: String, value: String)] = [], cases: [TestCase] = [],
                systemOut: String = "", systemErr: String = "") {
        self.name = name
        self.timestamp = timestamp
        self.hostname = hostname
        self.properties = properties
        self.cases = cases
        self.systemOut = systemOut
        self.systemErr = systemErr
    }

    public var failures: Int { cases.filter { if case .failure = $0.outcome { true } else { false } }.count }
    public var errors: Int { cases.filter { if case .error = $0.outcome { true } else { false } }.count }
    public var skipped: Int { cases.filter { if case .skipped = $0.outcome { true } else { false } }.count }
    public var time: Double { cases.reduce(0) { $0 + $1.time } }

    public static func == (a: TestSuite, b: TestSuite) -> Bool {
        a.name == b.name && a.timestamp == b.timestamp && a.hostname == b.hostname
            && a.properties.map(\.name) == b.properties.map(\.name)
            && a.properties.map(\.value) == b.properties.map(\.value)
            && a.cases == b.cases && a.systemOut == b.systemOut && a.systemErr == b.systemErr
    }
}

public struct TestCase: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case passed
        /// An expectation did not hold (a rule fired, a step failed).
        case failure(message: String, type: String, details: String)
        /// The check itself could not run (host unreachable, interrupted).
        case error(message: String, type: String, details: String)
        case skipped(reason: String)
    }

    public var name: String
    public var classname: String
    public var time: Double
    public var outcome: Outcome
    public var systemOut: String

    public init(name: String, classname: String, time: Double = 0, outcome: Outcome = .passed, systemOut: String = "") {
        self.name = name
        self.classname = classname
        self.time = time
        self.outcome = outcome
        self.systemOut = systemOut
    }
}
