//! What the subcommands a person runs (`export`, `sweep`) share on their command line.

/// The parsed options, or the exit code when there is nothing to run: help asked for (the
/// usage on stdout, 0) or bad arguments (the error and the usage on stderr, 2).
pub fn options<O>(parsed: Result<Option<O>, String>, usage: &str) -> Result<O, i32> {
    match parsed {
        Ok(Some(options)) => Ok(options),
        Ok(None) => {
            println!("{usage}");
            Err(0)
        }
        Err(e) => {
            eprintln!("{e}\n\n{usage}");
            Err(2)
        }
    }
}
