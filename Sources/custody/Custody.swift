import ArgumentParser

@main
struct Custody: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "custody",
        abstract: "Data-governance policy enforcement on a Kafka event stream.",
        subcommands: [RunCommand.self, DemoCommand.self, BrokerCommand.self, PolicyCommand.self, KeygenCommand.self, ProofCommand.self, FlagsCommand.self, BenchCommand.self]
    )
}
