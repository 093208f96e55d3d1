//! Completions and man pages, generated from the clap definition.

use std::fs;
use std::path::Path;

use clap_complete::Shell;

/// Writes `dir/completions/*` (bash, zsh, fish, PowerShell, elvish) and
/// `dir/man/*.1` (the command and each visible subcommand).
pub(crate) fn generate(dir: &Path) -> std::io::Result<()> {
    let completions = dir.join("completions");
    let man = dir.join("man");
    fs::create_dir_all(&completions)?;
    fs::create_dir_all(&man)?;
    let mut command = crate::args::command();
    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::PowerShell,
        Shell::Elvish,
    ] {
        clap_complete::generate_to(shell, &mut command, "orchestrator-cli", &completions)?;
    }
    let command = crate::args::command();
    write_page(&man, &command, "orchestrator-cli")?;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("orchestrator-cli-{}", sub.get_name());
        let sub = sub.clone().name(name.clone());
        write_page(&man, &sub, &name)?;
    }
    Ok(())
}

fn write_page(dir: &Path, command: &clap::Command, name: &str) -> std::io::Result<()> {
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut page)?;
    fs::write(dir.join(format!("{name}.1")), page)
}
