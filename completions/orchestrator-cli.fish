# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_orchestrator_cli_global_optspecs
    string join \n api-url= api-key-file= timeout= min-interval= max-interval= max-retry-after= no-long-poll o/output= progress= color= cancel-on-interrupt v/verbose q/quiet h/help V/version
end

function __fish_orchestrator_cli_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_orchestrator_cli_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_orchestrator_cli_using_subcommand
    set -l cmd (__fish_orchestrator_cli_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -l api-url -d 'Base URL of the API' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -l api-key-file -d 'Read the API key from this file (first line); `-` reads it from standard input' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -l timeout -d 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -l min-interval -d 'Shortest pause between polls, whatever the pace or the progress estimate says' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -l max-interval -d 'Longest pause between polls (the no-progress pace grows up to this)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -l max-retry-after -d 'Never wait longer than this for a server\'s Retry-After' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -s o -l output -d 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives' -r -f -a "text\t'Human-readable'
json\t'One final JSON object (per task), even on failure or timeout'
jsonl\t'Every observed status as one JSON line as it arrives'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -l progress -d 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines' -r -f -a "auto\t'A bar at a terminal (and `CI` unset), plain lines otherwise'
bar\t'Always the bar'
plain\t'One line per state change or 10% step, and a heartbeat every 30 s'
none\t'Nothing'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -l color -d 'When to use colours (`NO_COLOR` is honoured in `auto`)' -r -f -a "auto\t'Colours at a terminal, unless `NO_COLOR` is set'
always\t'Always'
never\t'Never'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -l no-long-poll -d 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -l cancel-on-interrupt -d 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -s q -l quiet -d 'Less output on stderr: no progress, errors only'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -s V -l version -d 'Print version'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -f -a "submit" -d 'Submit a task (analyze-document by default); print its id, or wait for it with --wait'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -f -a "wait" -d 'Wait for one or more tasks to finish; exits with the most severe outcome'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -f -a "status" -d 'Show a task\'s status once'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -f -a "cancel" -d 'Cancel a task that has not finished'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -f -a "demo" -d 'Start the bundled reference server in-process and analyze a sample document: the one-command first run'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -f -a "generate" -d 'Write shell completions and man pages into DIR/completions and DIR/man'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l document-url -d 'URL of the document to analyze (http, https, data:, or file:// where the server allows)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l action -d 'Run another action instead of analyze-document (needs --data)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l data -d 'The action\'s JSON body: inline JSON, `@FILE`, or `-` for standard input' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l idempotency-key -d 'Idempotency key: resubmitting with the same key returns the same task' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l api-url -d 'Base URL of the API' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l api-key-file -d 'Read the API key from this file (first line); `-` reads it from standard input' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l timeout -d 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l min-interval -d 'Shortest pause between polls, whatever the pace or the progress estimate says' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l max-interval -d 'Longest pause between polls (the no-progress pace grows up to this)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l max-retry-after -d 'Never wait longer than this for a server\'s Retry-After' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -s o -l output -d 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives' -r -f -a "text\t'Human-readable'
json\t'One final JSON object (per task), even on failure or timeout'
jsonl\t'Every observed status as one JSON line as it arrives'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l progress -d 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines' -r -f -a "auto\t'A bar at a terminal (and `CI` unset), plain lines otherwise'
bar\t'Always the bar'
plain\t'One line per state change or 10% step, and a heartbeat every 30 s'
none\t'Nothing'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l color -d 'When to use colours (`NO_COLOR` is honoured in `auto`)' -r -f -a "auto\t'Colours at a terminal, unless `NO_COLOR` is set'
always\t'Always'
never\t'Never'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l wait -d 'Wait for the task to finish and print its result'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l no-long-poll -d 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l cancel-on-interrupt -d 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -s q -l quiet -d 'Less output on stderr: no progress, errors only'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -s V -l version -d 'Print version'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -l api-url -d 'Base URL of the API' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -l api-key-file -d 'Read the API key from this file (first line); `-` reads it from standard input' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -l timeout -d 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -l min-interval -d 'Shortest pause between polls, whatever the pace or the progress estimate says' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -l max-interval -d 'Longest pause between polls (the no-progress pace grows up to this)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -l max-retry-after -d 'Never wait longer than this for a server\'s Retry-After' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -s o -l output -d 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives' -r -f -a "text\t'Human-readable'
json\t'One final JSON object (per task), even on failure or timeout'
jsonl\t'Every observed status as one JSON line as it arrives'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -l progress -d 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines' -r -f -a "auto\t'A bar at a terminal (and `CI` unset), plain lines otherwise'
bar\t'Always the bar'
plain\t'One line per state change or 10% step, and a heartbeat every 30 s'
none\t'Nothing'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -l color -d 'When to use colours (`NO_COLOR` is honoured in `auto`)' -r -f -a "auto\t'Colours at a terminal, unless `NO_COLOR` is set'
always\t'Always'
never\t'Never'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -l no-long-poll -d 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -l cancel-on-interrupt -d 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -s q -l quiet -d 'Less output on stderr: no progress, errors only'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -s V -l version -d 'Print version'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -l api-url -d 'Base URL of the API' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -l api-key-file -d 'Read the API key from this file (first line); `-` reads it from standard input' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -l timeout -d 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -l min-interval -d 'Shortest pause between polls, whatever the pace or the progress estimate says' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -l max-interval -d 'Longest pause between polls (the no-progress pace grows up to this)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -l max-retry-after -d 'Never wait longer than this for a server\'s Retry-After' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -s o -l output -d 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives' -r -f -a "text\t'Human-readable'
json\t'One final JSON object (per task), even on failure or timeout'
jsonl\t'Every observed status as one JSON line as it arrives'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -l progress -d 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines' -r -f -a "auto\t'A bar at a terminal (and `CI` unset), plain lines otherwise'
bar\t'Always the bar'
plain\t'One line per state change or 10% step, and a heartbeat every 30 s'
none\t'Nothing'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -l color -d 'When to use colours (`NO_COLOR` is honoured in `auto`)' -r -f -a "auto\t'Colours at a terminal, unless `NO_COLOR` is set'
always\t'Always'
never\t'Never'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -l no-long-poll -d 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -l cancel-on-interrupt -d 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -s q -l quiet -d 'Less output on stderr: no progress, errors only'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -s V -l version -d 'Print version'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l api-url -d 'Base URL of the API' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l api-key-file -d 'Read the API key from this file (first line); `-` reads it from standard input' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l timeout -d 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l min-interval -d 'Shortest pause between polls, whatever the pace or the progress estimate says' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l max-interval -d 'Longest pause between polls (the no-progress pace grows up to this)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l max-retry-after -d 'Never wait longer than this for a server\'s Retry-After' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -s o -l output -d 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives' -r -f -a "text\t'Human-readable'
json\t'One final JSON object (per task), even on failure or timeout'
jsonl\t'Every observed status as one JSON line as it arrives'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l progress -d 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines' -r -f -a "auto\t'A bar at a terminal (and `CI` unset), plain lines otherwise'
bar\t'Always the bar'
plain\t'One line per state change or 10% step, and a heartbeat every 30 s'
none\t'Nothing'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l color -d 'When to use colours (`NO_COLOR` is honoured in `auto`)' -r -f -a "auto\t'Colours at a terminal, unless `NO_COLOR` is set'
always\t'Always'
never\t'Never'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l no-long-poll -d 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l cancel-on-interrupt -d 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -s q -l quiet -d 'Less output on stderr: no progress, errors only'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -s V -l version -d 'Print version'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l work-time -d 'How long the demo\'s analysis takes, so the progress bar has time to move' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l api-url -d 'Base URL of the API' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l api-key-file -d 'Read the API key from this file (first line); `-` reads it from standard input' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l timeout -d 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l min-interval -d 'Shortest pause between polls, whatever the pace or the progress estimate says' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l max-interval -d 'Longest pause between polls (the no-progress pace grows up to this)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l max-retry-after -d 'Never wait longer than this for a server\'s Retry-After' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -s o -l output -d 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives' -r -f -a "text\t'Human-readable'
json\t'One final JSON object (per task), even on failure or timeout'
jsonl\t'Every observed status as one JSON line as it arrives'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l progress -d 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines' -r -f -a "auto\t'A bar at a terminal (and `CI` unset), plain lines otherwise'
bar\t'Always the bar'
plain\t'One line per state change or 10% step, and a heartbeat every 30 s'
none\t'Nothing'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l color -d 'When to use colours (`NO_COLOR` is honoured in `auto`)' -r -f -a "auto\t'Colours at a terminal, unless `NO_COLOR` is set'
always\t'Always'
never\t'Never'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l no-long-poll -d 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l cancel-on-interrupt -d 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -s q -l quiet -d 'Less output on stderr: no progress, errors only'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -s V -l version -d 'Print version'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand generate" -l api-url -d 'Base URL of the API' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand generate" -l api-key-file -d 'Read the API key from this file (first line); `-` reads it from standard input' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand generate" -l timeout -d 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand generate" -l min-interval -d 'Shortest pause between polls, whatever the pace or the progress estimate says' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand generate" -l max-interval -d 'Longest pause between polls (the no-progress pace grows up to this)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand generate" -l max-retry-after -d 'Never wait longer than this for a server\'s Retry-After' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand generate" -s o -l output -d 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives' -r -f -a "text\t'Human-readable'
json\t'One final JSON object (per task), even on failure or timeout'
jsonl\t'Every observed status as one JSON line as it arrives'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand generate" -l progress -d 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines' -r -f -a "auto\t'A bar at a terminal (and `CI` unset), plain lines otherwise'
bar\t'Always the bar'
plain\t'One line per state change or 10% step, and a heartbeat every 30 s'
none\t'Nothing'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand generate" -l color -d 'When to use colours (`NO_COLOR` is honoured in `auto`)' -r -f -a "auto\t'Colours at a terminal, unless `NO_COLOR` is set'
always\t'Always'
never\t'Never'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand generate" -l no-long-poll -d 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand generate" -l cancel-on-interrupt -d 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand generate" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand generate" -s q -l quiet -d 'Less output on stderr: no progress, errors only'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand generate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand generate" -s V -l version -d 'Print version'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand help; and not __fish_seen_subcommand_from submit wait status cancel demo generate help" -f -a "submit" -d 'Submit a task (analyze-document by default); print its id, or wait for it with --wait'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand help; and not __fish_seen_subcommand_from submit wait status cancel demo generate help" -f -a "wait" -d 'Wait for one or more tasks to finish; exits with the most severe outcome'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand help; and not __fish_seen_subcommand_from submit wait status cancel demo generate help" -f -a "status" -d 'Show a task\'s status once'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand help; and not __fish_seen_subcommand_from submit wait status cancel demo generate help" -f -a "cancel" -d 'Cancel a task that has not finished'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand help; and not __fish_seen_subcommand_from submit wait status cancel demo generate help" -f -a "demo" -d 'Start the bundled reference server in-process and analyze a sample document: the one-command first run'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand help; and not __fish_seen_subcommand_from submit wait status cancel demo generate help" -f -a "generate" -d 'Write shell completions and man pages into DIR/completions and DIR/man'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand help; and not __fish_seen_subcommand_from submit wait status cancel demo generate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
