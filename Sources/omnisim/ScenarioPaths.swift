import Foundation

/// Expands directories into the scenario files they hold (`*.yml`, `*.yaml`, sorted, not recursive).
func scenarioFiles(_ arguments: [String]) -> [String] {
    var files: [String] = []
    for argument in arguments {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory), isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []
            files += names.filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted()
                .map { (argument as NSString).appendingPathComponent($0) }
        } else {
            files.append(argument)
        }
    }
    return files
}

/// Parses `--timestamp 2025-01-01T00:00:00` for reproducible reports.
func parseTimestamp(_ text: String?) throws -> Date {
    guard let text else { return Date() }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    guard let date = formatter.date(from: text.hasSuffix("Z") ? text : text + "Z") else {
        throw ValidationErrorText("--timestamp must look like 2025-01-31T12:00:00")
    }
    return date
}

struct ValidationErrorText: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func splitList(_ values: [String]) -> Set<String> {
    Set(values.flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty })
}
