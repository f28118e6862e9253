import CLibXML2
import Foundation

/// Reads JUnit XML from omnisim and other tools (pytest, Maven Surefire, Jenkins, GitLab) with libxml2:
/// a `<testsuites>` root or a lone `<testsuite>`, nested suites flattened, optional attributes tolerated.
public enum JUnitReader {
    public static func read(path: String) throws -> [TestReport] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(code: "OMS007", "cannot read '\(path)'", at: SourceLocation(file: path, line: 1, column: 1))
        }
        return try parse(Array(data), file: path)
    }

    public static func parse(_ bytes: [UInt8], file: String) throws -> [TestReport] {
        xmlResetLastError()
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(buffer.count, 1)) {
                xmlReadMemory($0, Int32(buffer.count), file, nil, options)
            }
        }
        guard let document else {
            var location = SourceLocation(file: file, line: 1, column: 1)
            var message = "not well-formed XML"
            if let error = xmlGetLastError() {
                location = SourceLocation(file: file, line: Int(max(error.pointee.line, 1)), column: Int(max(error.pointee.int2, 1)))
                if let text = error.pointee.message {
                    message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
                }
            }
            throw InputError(code: "OMS900", "malformed JUnit XML: \(message)", at: location)
        }
        defer { xmlFreeDoc(document) }
        guard let root = xmlDocGetRootElement(document) else {
            throw InputError(code: "OMS901", "the document has no root element", at: SourceLocation(file: file, line: 1, column: 1))
        }
        let rootName = name(root)
        guard rootName == "testsuites" || rootName == "testsuite" else {
            throw InputError(code: "OMS901", "<\(rootName)> is not a JUnit root (expected <testsuites> or <testsuite>)",
                             at: SourceLocation(file: file, line: Int(xmlGetLineNo(root)), column: 1))
        }
        var report = TestReport(name: attribute(root, "name") ?? (file as NSString).lastPathComponent)
        collectSuites(root, into: &report.suites)
        return [report]
    }

    static func collectSuites(_ node: xmlNodePtr, into suites: inout [TestSuite]) {
        if name(node) == "testsuite" {
            var suite = TestSuite(name: attribute(node, "name") ?? "suite", timestamp: Date(timeIntervalSince1970: 0),
                                  hostname: attribute(node, "hostname") ?? "")
            var hasCases = false
            for child in children(node) {
                switch name(child) {
                case "testcase":
                    suite.cases.append(testCase(child))
                    hasCases = true
                case "properties":
                    for property in children(child) where name(property) == "property" {
                        suite.properties.append((attribute(property, "name") ?? "", attribute(property, "value") ?? text(property)))
                    }
                case "system-out": suite.systemOut = text(child)
                case "system-err": suite.systemErr = text(child)
                default: break
                }
            }
            if hasCases || children(node).allSatisfy({ name($0) != "testsuite" }) { suites.append(suite) }
        }
        for child in children(node) where name(child) == "testsuite" { collectSuites(child, into: &suites) }
    }

    static func testCase(_ node: xmlNodePtr) -> TestCase {
        var testCase = TestCase(name: attribute(node, "name") ?? "", classname: attribute(node, "classname") ?? attribute(node, "class") ?? "",
                                time: seconds(attribute(node, "time")))
        for child in children(node) {
            let message = attribute(child, "message") ?? ""
            let type = attribute(child, "type") ?? ""
            switch name(child) {
            case "failure": testCase.outcome = .failure(message: message.isEmpty ? text(child).firstLine : message, type: type, details: text(child))
            case "error": testCase.outcome = .error(message: message.isEmpty ? text(child).firstLine : message, type: type, details: text(child))
            case "skipped": testCase.outcome = .skipped(reason: message.isEmpty ? text(child) : message)
            case "system-out": testCase.systemOut = text(child)
            default: break
            }
        }
        return testCase
    }

    /// `time` values: "1.5", "1,234.5" (thousands separators) or missing.
    static func seconds(_ text: String?) -> Double {
        guard let text else { return 0 }
        return Double(text.replacingOccurrences(of: ",", with: "").trimmingCharacters(in: .whitespaces)) ?? 0
    }

    static func name(_ node: xmlNodePtr) -> String {
        node.pointee.name.map { String(cString: $0) } ?? ""
    }

    static func children(_ node: xmlNodePtr) -> [xmlNodePtr] {
        var result: [xmlNodePtr] = []
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE { result.append(current) }
            child = current.pointee.next
        }
        return result
    }

    static func attribute(_ node: xmlNodePtr, _ key: String) -> String? {
        guard let value = xmlGetProp(node, key) else { return nil }
        defer { omnisim_xml_free(value) }
        return String(cString: value)
    }

    static func text(_ node: xmlNodePtr) -> String {
        guard let content = xmlNodeGetContent(node) else { return "" }
        defer { omnisim_xml_free(content) }
        return String(cString: content)
    }
}

extension String {
    var firstLine: String { split(separator: "\n", maxSplits: 1).first.map(String.init) ?? "" }
}
