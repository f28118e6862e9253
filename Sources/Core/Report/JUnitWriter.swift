import CLibXML2
import Foundation

/// Writes a `TestReport` as JUnit XML through libxml2's xmlTextWriter, in the strict form of the
/// windyroad JUnit schema (what Jenkins and GitLab read): `<testsuites>` of `<testsuite>`s, each with
/// `properties`, its test cases, then `system-out` and `system-err`. Test cases cannot carry their own
/// output in that schema, so each case's output goes into its suite's `system-out`, headed by its name.
public enum JUnitWriter {
    public struct WriteError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Streams the report into the file (through a temporary file renamed into place), so the document is
    /// never held in memory whole.
    public static func write(_ report: TestReport, to path: String) throws {
        try write(suites: report.suites, package: report.name, to: path)
    }

    /// Streams suites into the file as they are made: only the suite being written is held in memory, so
    /// a caller that makes suites lazily never holds the whole report.
    public static func write(suites: some Sequence<TestSuite>, package: String, to path: String) throws {
        try AtomicFile.produce(path) { temporary in
            guard let writer = xmlNewTextWriterFilename(temporary, 0) else {
                throw WriteError(description: "libxml2 could not create \(temporary)")
            }
            let ok = emit(suites, package: package, into: writer)
            // Ending the document flushes (a failed write shows there); freeing the writer closes the file.
            xmlFreeTextWriter(writer)
            guard ok else { throw WriteError(description: "libxml2 failed to write \(path)") }
        }
    }

    /// The report as a document in memory.
    public static func xml(_ report: TestReport) throws -> String {
        guard let buffer = xmlBufferCreate() else { throw WriteError(description: "libxml2 could not allocate a buffer") }
        defer { xmlBufferFree(buffer) }
        guard let writer = xmlNewTextWriterMemory(buffer, 0) else { throw WriteError(description: "libxml2 could not create a writer") }
        let ok = emit(report.suites, package: report.name, into: writer)
        xmlFreeTextWriter(writer)
        guard ok, let content = xmlBufferContent(buffer) else { throw WriteError(description: "libxml2 failed to write the report") }
        return String(cString: content)
    }

    /// Writes the whole document; false when libxml2 reported an error.
    private static func emit(_ suites: some Sequence<TestSuite>, package: String, into writer: xmlTextWriterPtr) -> Bool {
        var failed = false
        func check(_ result: Int32) { if result < 0 { failed = true } }
        check(xmlTextWriterSetIndent(writer, 1))
        check(xmlTextWriterSetIndentString(writer, "  "))
        check(xmlTextWriterStartDocument(writer, "1.0", "UTF-8", nil))
        check(xmlTextWriterStartElement(writer, "testsuites"))
        for (index, suite) in suites.enumerated() {
            emit(suite, id: index, package: package, into: writer, &failed)
        }
        check(xmlTextWriterEndElement(writer))
        check(xmlTextWriterEndDocument(writer))
        return !failed
    }

    private static func emit(_ suite: TestSuite, id: Int, package: String, into writer: xmlTextWriterPtr, _ failed: inout Bool) {
        var failedHere = false
        func check(_ result: Int32) { if result < 0 { failedHere = true } }
        defer { if failedHere { failed = true } }
        check(xmlTextWriterStartElement(writer, "testsuite"))
        attribute(writer, "name", suite.name.isEmpty ? "suite" : suite.name, &failedHere)
        attribute(writer, "package", package.isEmpty ? "omnisim" : package, &failedHere)
        attribute(writer, "id", String(id), &failedHere)
        attribute(writer, "timestamp", timestamp(suite.timestamp), &failedHere)
        attribute(writer, "hostname", suite.hostname.isEmpty ? "localhost" : suite.hostname, &failedHere)
        attribute(writer, "tests", String(suite.cases.count), &failedHere)
        attribute(writer, "failures", String(suite.failures), &failedHere)
        attribute(writer, "errors", String(suite.errors), &failedHere)
        attribute(writer, "skipped", String(suite.skipped), &failedHere)
        attribute(writer, "time", seconds(suite.time), &failedHere)
        check(xmlTextWriterStartElement(writer, "properties"))
        for property in suite.properties {
            check(xmlTextWriterStartElement(writer, "property"))
            attribute(writer, "name", property.name.isEmpty ? "property" : property.name, &failedHere)
            attribute(writer, "value", property.value, &failedHere)
            check(xmlTextWriterEndElement(writer))
        }
        check(xmlTextWriterEndElement(writer))
        for testCase in suite.cases {
            check(xmlTextWriterStartElement(writer, "testcase"))
            attribute(writer, "name", testCase.name.isEmpty ? "case" : testCase.name, &failedHere)
            attribute(writer, "classname", testCase.classname.isEmpty ? "omnisim" : testCase.classname, &failedHere)
            attribute(writer, "time", seconds(testCase.time), &failedHere)
            switch testCase.outcome {
            case .passed: break
            case .failure(let message, let type, let details), .error(let message, let type, let details):
                let isFailure = if case .failure = testCase.outcome { true } else { false }
                check(xmlTextWriterStartElement(writer, isFailure ? "failure" : "error"))
                attribute(writer, "message", message, &failedHere)
                attribute(writer, "type", type.isEmpty ? "failure" : type, &failedHere)
                check(xmlTextWriterWriteString(writer, XMLText.sanitize(details)))
                check(xmlTextWriterEndElement(writer))
            case .skipped(let reason):
                check(xmlTextWriterStartElement(writer, "skipped"))
                attribute(writer, "message", reason, &failedHere)
                check(xmlTextWriterEndElement(writer))
            }
            check(xmlTextWriterEndElement(writer))
        }
        // The suite's own output, then each case's under its name, separated by line breaks. Written piece
        // by piece into one element (the first piece, possibly empty, opens its content, so an empty
        // output reads `<system-out></system-out>`).
        check(xmlTextWriterStartElement(writer, "system-out"))
        var first = true
        func piece(_ text: String) {
            check(xmlTextWriterWriteString(writer, XMLText.sanitize(first ? text : "\n" + text)))
            first = false
        }
        if !suite.systemOut.isEmpty { piece(suite.systemOut) }
        for testCase in suite.cases where !testCase.systemOut.isEmpty { piece("== \(testCase.name)\n\(testCase.systemOut)") }
        if first { piece("") }
        check(xmlTextWriterEndElement(writer))
        check(xmlTextWriterWriteElement(writer, "system-err", XMLText.sanitize(suite.systemErr)))
        check(xmlTextWriterEndElement(writer))
    }

    private static func attribute(_ writer: xmlTextWriterPtr, _ name: String, _ value: String, _ failed: inout Bool) {
        if xmlTextWriterWriteAttribute(writer, name, XMLText.sanitize(value)) < 0 { failed = true }
    }

    /// `YYYY-MM-DDTHH:MM:SS` in UTC, as the schema requires (no zone suffix).
    static func timestamp(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    /// Seconds with a dot and three decimals, whatever the locale.
    static func seconds(_ value: Double) -> String {
        let millis = Int((max(0, value) * 1000).rounded())
        let fraction = String(millis % 1000)
        return "\(millis / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
