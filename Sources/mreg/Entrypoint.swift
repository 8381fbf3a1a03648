import RegistryCLI

/// The executable is only this: every command lives in RegistryCLI, where tests can reach it.
@main
enum Entrypoint {
    static func main() {
        MregCommand.runMain()
    }
}
