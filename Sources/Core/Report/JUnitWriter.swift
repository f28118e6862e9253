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
        try AtomicFile.produce(path) { temporary in
            guard let writer = xmlNewTextWriterFilename(temporary, 0) else {
                throw WriteError(description: "libxml2 could not create \(temporary)")
            }
            let ok = emit(report, into: writer)
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
        let ok = emit(report, into: writer)
        xmlFreeTextWriter(writer)
        guard ok, let content = xmlBufferContent(buffer) else { throw WriteError(description: "libxml2 failed to write the report") }
        return String(cString: content)
    }

    /// Writes the whole document; false when libxml2 reported an error.
    private static func emit(_ report: TestReport, into writer: xmlTextWriterPtr) -> Bool {
        var failed = false
        func check(_ result: Int32) { if result < 0 { failed = true } }
        check(xmlTextWriterSetIndent(writer, 1))
        check(xmlTextWriterSetIndentString(writer, "  "))
        check(xmlTextWriterStartDocument(writer, "1.0", "UTF-8", nil))
        check(xmlTextWriterStartElement(writer, "testsuites"))
        for (index, suite) in report.suites.enumerated() {
            check(xmlTextWriterStartElement(writer, "testsuite"))
            attribute(writer, "name", suite.name.isEmpty ? "suite" : suite.name, &failed)
            attribute(writer, "package", report.name.isEmpty ? "omnisim" : report.name, &failed)
            attribute(writer, "id", String(index), &failed)
            attribute(writer, "timestamp", timestamp(suite.timestamp), &failed)
            attribute(writer, "hostname", suite.hostname.isEmpty ? "localhost" : suite.hostname, &failed)
            attribute(writer, "tests", String(suite.cases.count), &failed)
            attribute(writer, "failures", String(suite.failures), &failed)
            attribute(writer, "errors", String(suite.errors), &failed)
            attribute(writer, "skipped", String(suite.skipped), &failed)
            attribute(writer, "time", seconds(suite.time), &failed)
            check(xmlTextWriterStartElement(writer, "properties"))
            for property in suite.properties {
                check(xmlTextWriterStartElement(writer, "property"))
                attribute(writer, "name", property.name.isEmpty ? "property" : property.name, &failed)
                attribute(writer, "value", property.value, &failed)
                check(xmlTextWriterEndElement(writer))
            }
            check(xmlTextWriterEndElement(writer))
            var output: [String] = suite.systemOut.isEmpty ? [] : [suite.systemOut]
            for testCase in suite.cases {
                check(xmlTextWriterStartElement(writer, "testcase"))
                attribute(writer, "name", testCase.name.isEmpty ? "case" : testCase.name, &failed)
                attribute(writer, "classname", testCase.classname.isEmpty ? "omnisim" : testCase.classname, &failed)
                attribute(writer, "time", seconds(testCase.time), &failed)
                switch testCase.outcome {
                case .passed: break
                case .failure(let message, let type, let details), .error(let message, let type, let details):
                    let isFailure = if case .failure = testCase.outcome { true } else { false }
                    check(xmlTextWriterStartElement(writer, isFailure ? "failure" : "error"))
                    attribute(writer, "message", message, &failed)
                    attribute(writer, "type", type.isEmpty ? "failure" : type, &failed)
                    check(xmlTextWriterWriteString(writer, XMLText.sanitize(details)))
                    check(xmlTextWriterEndElement(writer))
                case .skipped(let reason):
                    check(xmlTextWriterStartElement(writer, "skipped"))
                    attribute(writer, "message", reason, &failed)
                    check(xmlTextWriterEndElement(writer))
                }
                check(xmlTextWriterEndElement(writer))
                if !testCase.systemOut.isEmpty { output.append("== \(testCase.name)\n\(testCase.systemOut)") }
            }
            check(xmlTextWriterWriteElement(writer, "system-out", XMLText.sanitize(output.joined(separator: "\n"))))
            check(xmlTextWriterWriteElement(writer, "system-err", XMLText.sanitize(suite.systemErr)))
            check(xmlTextWriterEndElement(writer))
        }
        check(xmlTextWriterEndElement(writer))
        check(xmlTextWriterEndDocument(writer))
        return !failed
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
