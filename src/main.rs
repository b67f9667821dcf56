fn main() -> std::process::ExitCode {
    cbaudit::cli::main()
}
