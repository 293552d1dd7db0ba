use std::process::ExitCode;

fn main() -> ExitCode {
    zplan::cli::run()
}
