use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = apigw_doctor::cli::Cli::parse();
    match apigw_doctor::app::run(cli) {
        Ok(code) => code,
        Err(e) => {
            // One line: the error and its context, never a backtrace.
            let text = format!("{e:#}").replace('\n', " ");
            anstream::eprintln!("apigw-doctor: error: {text}");
            ExitCode::from(2)
        }
    }
}
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
