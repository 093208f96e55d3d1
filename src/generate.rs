//! Completions and man pages, generated from the clap definition.

use std::fs;
use std::path::Path;

use clap_complete::Shell;
use clap_mangen::roff::{Roff, bold, roman};

/// The shells `completion` and `generate` write scripts for.
const SHELLS: [Shell; 5] = [
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::PowerShell,
    Shell::Elvish,
];

/// Writes `dir/completions/*` (bash, zsh, fish, PowerShell, elvish) and
/// `dir/man/*.1` (the command and each visible subcommand).
pub(crate) fn generate(dir: &Path) -> std::io::Result<()> {
    let completions = dir.join("completions");
    let man = dir.join("man");
    fs::create_dir_all(&completions)?;
    fs::create_dir_all(&man)?;
    for shell in SHELLS {
        let mut script = Vec::new();
        completion(shell, &mut script);
        let name = match shell {
            Shell::Bash => "orchestrator-cli.bash",
            Shell::Zsh => "_orchestrator-cli",
            Shell::Fish => "orchestrator-cli.fish",
            Shell::PowerShell => "_orchestrator-cli.ps1",
            _ => "orchestrator-cli.elv",
        };
        fs::write(completions.join(name), script)?;
    }
    // Built, so that every subcommand carries the global flags its page
    // must list (`--timeout`, `-o`, `--jq`).
    let mut command = crate::args::command();
    command.build();
    write_page(&man, &command, "orchestrator-cli", true)?;
    for sub in command
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let name = format!("orchestrator-cli-{}", sub.get_name());
        write_page(&man, &sub.clone().name(name.clone()), &name, false)?;
    }
    Ok(())
}

/// The completion script for `shell`, as `completion SHELL` prints it.
pub(crate) fn completion(shell: Shell, out: &mut Vec<u8>) {
    let mut command = visible_command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "orchestrator-cli", &mut script);
    if shell == Shell::Bash {
        // clap_complete turns the `-` of a binary's name into `__subcmd__`
        // in the case labels of subcommand options but `__` in the names
        // the script dispatches on, so no subcommand option would ever be
        // completed (`submit bot --ou<TAB>` offered nothing). Both must be
        // the same name.
        let text = String::from_utf8_lossy(&script)
            .replace("orchestrator__subcmd__cli", "orchestrator__cli");
        script = text.into_bytes();
    }
    out.extend_from_slice(&script);
}

/// The command as a user may type it: without hidden subcommands
/// (`generate` is for this repository's build, not for completion).
fn visible_command() -> clap::Command {
    let full = crate::args::command();
    let visible: Vec<clap::Command> = full
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .cloned()
        .collect();
    let mut command = clap::Command::new(full.get_name().to_owned())
        .bin_name("orchestrator-cli")
        .propagate_version(true)
        .subcommand_required(full.is_subcommand_required_set())
        .args(full.get_arguments().cloned())
        .subcommands(visible);
    if let Some(version) = full.get_version() {
        command = command.version(version.to_owned());
    }
    if let Some(about) = full.get_about() {
        command = command.about(about.clone());
    }
    command
}

/// One man page; `top` adds the exit codes and notes, which belong to
/// the whole command.
fn write_page(dir: &Path, command: &clap::Command, name: &str, top: bool) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(
        command
            .clone()
            .after_long_help(clap::builder::Resettable::<clap::builder::StyledStr>::Reset),
    );
    let mut page = Vec::new();
    man.render(&mut page)?;
    let mut page = String::from_utf8_lossy(&page).into_owned();
    if top {
        // Before VERSION, where a page's closing sections go.
        let at = page.find(".SH VERSION").unwrap_or(page.len());
        page.insert_str(at, &closing_sections());
    } else {
        let at = page.find(".SH VERSION").unwrap_or(page.len());
        page.insert_str(at, &see_also());
    }
    fs::write(dir.join(format!("{name}.1")), page)
}

/// EXIT STATUS (one tagged paragraph per code, so a code never runs into
/// the next sentence) and the notes of `--help`.
fn closing_sections() -> String {
    let mut roff = Roff::new();
    roff.control("SH", ["EXIT STATUS"]);
    for exit in crate::exit::ALL {
        roff.control("TP", []);
        roff.text([bold(exit.code().to_string())]);
        roff.text([roman(exit.meaning())]);
    }
    roff.control("PP", []);
    roff.text([roman(crate::exit::WORST_OF_SEVERAL)]);
    for (heading, note) in crate::args::NOTES {
        roff.control("SH", [heading.to_uppercase().as_str()]);
        roff.text([roman(note)]);
    }
    without_preamble(&roff)
}

/// A subcommand page points at the top page for exit codes and output.
fn see_also() -> String {
    let mut roff = Roff::new();
    roff.control("SH", ["SEE ALSO"]);
    roff.text([
        bold("orchestrator-cli"),
        roman("(1) for the exit codes, the output formats, the API key and profiles."),
    ]);
    without_preamble(&roff)
}

/// A section's roff without the apostrophe preamble every rendered page
/// starts with (the page it goes into has it already).
fn without_preamble(roff: &Roff) -> String {
    let preamble = Roff::new().render();
    let text = roff.render();
    text.strip_prefix(&preamble).unwrap_or(&text).to_owned()
}
