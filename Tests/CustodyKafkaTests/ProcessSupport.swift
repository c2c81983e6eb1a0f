import Foundation
import Testing

/// The built `custody` executable (next to the test bundle), or `CUSTODY_BIN`.
func custodyExecutable() throws -> URL {
    if let path = ProcessInfo.processInfo.environment["CUSTODY_BIN"] { return URL(fileURLWithPath: path) }
    let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [directory, directory.deletingLastPathComponent()] {
        let url = candidate.appendingPathComponent("custody")
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    throw ProcessFailure(message: "the custody executable was not found next to \(directory.path); run `swift build` first or set CUSTODY_BIN")
}

/// The Python with confluent-kafka: `CUSTODY_PYTHON`, else python3.
func pythonExecutable() -> String {
    ProcessInfo.processInfo.environment["CUSTODY_PYTHON"] ?? "/usr/bin/env"
}

func pythonArguments(_ arguments: [String]) -> [String] {
    ProcessInfo.processInfo.environment["CUSTODY_PYTHON"] == nil ? ["python3"] + arguments : arguments
}

/// The repository root (for Tests/python scripts).
func repositoryRoot() -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

struct ProcessFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Runs a process to completion and returns its standard output; throws with its stderr when it fails.
func runProcess(_ executable: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw ProcessFailure(message: "\(executable) \(arguments) exited \(process.terminationStatus): "
                             + String(decoding: errorData, as: UTF8.self))
    }
    return String(decoding: outputData, as: UTF8.self)
}

/// A long-running child process, terminated (SIGTERM) when released.
final class ChildProcess: @unchecked Sendable {
    // @unchecked: Process is used from one test at a time.
    let process = Process()
    let output = Pipe()

    init(_ executable: URL, _ arguments: [String]) throws {
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// The first line the process prints.
    func firstLine() throws -> String {
        var bytes: [UInt8] = []
        let handle = output.fileHandleForReading
        while true {
            let chunk = handle.readData(ofLength: 1)
            guard let byte = chunk.first else { break }
            if byte == UInt8(ascii: "\n") { break }
            bytes.append(byte)
        }
        guard !bytes.isEmpty else { throw ProcessFailure(message: "the process printed nothing") }
        return String(decoding: bytes, as: UTF8.self)
    }

    func terminate() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit { _ = terminate() }
}
