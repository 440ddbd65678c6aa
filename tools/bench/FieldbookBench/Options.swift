import Foundation

/// Command-line options: `--name value` pairs after the workload name.
struct Options {
    let arguments: [String]

    func int(_ name: String, _ fallback: Int) -> Int {
        guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return fallback }
        return Int(arguments[index + 1].replacingOccurrences(of: "_", with: "")) ?? fallback
    }

    func string(_ name: String) -> String? {
        guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
        return arguments[index + 1]
    }

    func ints(_ name: String, _ fallback: [Int]) -> [Int] {
        guard let text = string(name) else { return fallback }
        return text.split(separator: ",").compactMap { Int($0.replacingOccurrences(of: "_", with: "")) }
    }
}
